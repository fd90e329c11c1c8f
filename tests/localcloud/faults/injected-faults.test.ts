import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PinpointSMSVoiceV2Client, PinpointSMSVoiceV2ServiceException, SendTextMessageCommand } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { SendEmailCommand, SESv2Client, SESv2ServiceException } from "@aws-sdk/client-sesv2";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AwsEndpoint } from "../../../localcloud/endpoint/endpoint";
import { FaultInjector } from "../../../localcloud/faults/fault-injector";
import { Activity } from "../../../localcloud/kernel/activity";
import { Clock } from "../../../localcloud/kernel/clock";
import { Outbox } from "../../../localcloud/kernel/outbox";
import { SesService } from "../../../localcloud/services/ses/service";
import { SmsService } from "../../../localcloud/services/sms/service";
import { SqsService } from "../../../localcloud/services/sqs/service";
import { queueSpec } from "../../helpers/local-specs";

const CREDENTIALS = { accessKeyId: "a", secretAccessKey: "b" };

describe("local cloud: faults injected into SQS, SES and SMS, as the SDK sees them", () => {
  const activity = new Activity();
  const faults = new FaultInjector();
  let endpoint: AwsEndpoint;
  let url: string;

  before(async () => {
    endpoint = new AwsEndpoint(() => "caller");
    url = await endpoint.listen();
    const sqs = new SqsService([queueSpec("work"), queueSpec("other")], url, new Clock(0.01), activity, faults);
    endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal }) });
    const outbox = new Outbox(path.join(mkdtempSync(path.join(tmpdir(), "outbox-")), "outbox"));
    endpoint.serveRest(new SesService([], [], outbox, activity, "us-east-1", faults));
    endpoint.serveJson("PinpointSMSVoiceV2", new SmsService([], outbox, activity, { region: "us-east-1", account: "123456789012" }, faults));
    faults.use({ queues: { work: { duplicateDelivery: { percentage: 100 } } }, ses: { throttle: { percentage: 100 } }, sms: { throttle: { percentage: 100 } } });
  });
  after(() => endpoint.close());

  it("SQS delivers a message of a queue with duplicateDelivery twice: the same message id, two receipts, each deleted on its own", async () => {
    const client = new SQSClient({ region: "us-east-1", endpoint: url, credentials: CREDENTIALS });
    const queueUrl = `${url}/123456789012/work`;
    const { MessageId } = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"orderId":"o-1"}' }));
    const { Messages = [] } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    assert.deepEqual(Messages.map((m) => m.MessageId), [MessageId, MessageId]);
    assert.notEqual(Messages[0].ReceiptHandle, Messages[1].ReceiptHandle);
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: Messages[0].ReceiptHandle }));
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    assert.equal(again.Messages, undefined, "the other copy is in flight until its own visibility timeout");
    await client.send(new SendMessageCommand({ QueueUrl: `${url}/123456789012/other`, MessageBody: "x" }));
    const other = await client.send(new ReceiveMessageCommand({ QueueUrl: `${url}/123456789012/other`, MaxNumberOfMessages: 10 }));
    assert.equal(other.Messages?.length, 1, "a queue the plan does not name delivers once");
    assert.match(activity.records.find((r) => r.service === "sqs" && r.kind === "fault")!.detail, new RegExp(`^duplicate-delivery \\(fault injected\\): message ${MessageId} stored twice`));
    client.destroy();
  });

  it("SES answers a throttled send with TooManyRequestsException (429), which the SDK retries as throttling", async () => {
    const client = new SESv2Client({ region: "us-east-1", endpoint: url, credentials: CREDENTIALS, maxAttempts: 2 });
    const error = await client.send(new SendEmailCommand({ FromEmailAddress: "a@example.com", Destination: { ToAddresses: ["b@example.com"] }, Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "t" } } } } })).catch((e: unknown) => e);
    assert.ok(error instanceof SESv2ServiceException);
    assert.deepEqual([error.name, error.message, error.$metadata.httpStatusCode, error.$metadata.attempts], ["TooManyRequestsException", "Maximum sending rate exceeded.", 429, 2]);
    assert.equal(activity.records.filter((r) => r.service === "ses" && r.kind === "fault").length, 2);
    client.destroy();
  });

  it("End User Messaging SMS answers a throttled send with ThrottlingException", async () => {
    const client = new PinpointSMSVoiceV2Client({ region: "us-east-1", endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
    const error = await client.send(new SendTextMessageCommand({ DestinationPhoneNumber: "+14254147755", MessageBody: "hi" })).catch((e: unknown) => e);
    assert.ok(error instanceof PinpointSMSVoiceV2ServiceException);
    assert.equal(error.name, "ThrottlingException");
    assert.equal(faults.injected.get("sms-throttle"), 1);
    client.destroy();
  });
});
