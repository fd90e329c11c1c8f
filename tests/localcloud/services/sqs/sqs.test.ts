import { strict as assert } from "node:assert";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { Clock } from "../../../../localcloud/kernel/clock";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import { md5OfMessageAttributes } from "../../../../localcloud/services/sqs/md5";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { queueSpec } from "../../../helpers/local-specs";

const ACCOUNT = "123456789012";


describe("local cloud: SQS over the SDK's JSON protocol", () => {
  let endpoint: AwsEndpoint;
  let sqs: SqsService;
  let client: SQSClient;
  let url: (name: string) => string;

  before(async () => {
    endpoint = new AwsEndpoint((key) => key ?? "anonymous");
    const base = await endpoint.listen();
    // A 30 s visibility timeout and 4 days' retention at a scale of 0.01: 300 ms and ~1 hour.
    sqs = new SqsService(
      [
        queueSpec("work", { redrive: { deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:work-dlq`, maxReceiveCount: 2 } }),
        queueSpec("work-dlq"),
        queueSpec("orders.fifo", { contentBasedDeduplication: true }),
      ],
      base,
      new Clock(0.01),
    );
    endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal, signal: ctx.signal }) });
    client = new SQSClient({ region: "us-east-1", endpoint: base, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
    url = (name) => sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`)!;
  });

  after(async () => {
    sqs.close();
    await endpoint.close();
  });

  it("hands out queue URLs on its own host, which the SDK then sends to", async () => {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: "work" }));
    assert.equal(QueueUrl, url("work"));
    assert.match(QueueUrl!, /^http:\/\/127\.0\.0\.1:\d+\/123456789012\/work$/);
    await assert.rejects(client.send(new GetQueueUrlCommand({ QueueName: "missing" })), (e: unknown) => e instanceof QueueDoesNotExist);
  });

  it("sends and receives with the MD5s the SDK checks, the trace header and the system attributes asked for", async () => {
    const attributes = { kind: { DataType: "String", StringValue: "order" }, n: { DataType: "Number", StringValue: "3" } };
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "héllo", MessageAttributes: attributes, MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc;Sampled=1" } } }),
    );
    assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attributes));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
    assert.equal(Messages?.length, 1);
    const [m] = Messages!;
    assert.equal(m.Body, "héllo");
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Attributes?.AWSTraceHeader, "Root=1-abc;Sampled=1");
    assert.equal(m.Attributes?.ApproximateReceiveCount, "1");
    assert.equal(m.Attributes?.SenderId, "AKIDTEST");
    assert.deepEqual(m.MessageAttributes?.kind, { DataType: "String", StringValue: "order" });
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: m.ReceiptHandle }));
  });

  it("hides a received message for the visibility timeout, returns it after, and moves it to the DLQ past maxReceiveCount", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "poison" }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(first.Messages?.[0].Body, "poison");
    const hidden = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(hidden.Messages, undefined, "invisible while in flight");
    // The message comes back when its visibility timeout (30 s, 300 ms at this scale) ends.
    await new Promise((resolve) => setTimeout(resolve, 320));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(second.Messages?.[0].Attributes?.ApproximateReceiveCount, "2");
    // A third receive would exceed maxReceiveCount 2: SQS moves the message to the dead-letter queue instead.
    await new Promise((resolve) => setTimeout(resolve, 320));
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(third.Messages, undefined);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work-dlq"), MessageSystemAttributeNames: ["All"] }));
    assert.equal(dead.Messages?.[0].Body, "poison");
    assert.equal(dead.Messages?.[0].MessageId, first.Messages?.[0].MessageId, "a dead-lettered message keeps its id");
    assert.equal(dead.Messages?.[0].Attributes?.DeadLetterQueueSourceArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:work`);
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work-dlq"), ReceiptHandle: dead.Messages![0].ReceiptHandle }));
  });

  it("changes the visibility of a message in flight, and refuses it for one that is not", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "later" }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url("work"), ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(again.Messages?.[0].Body, "later", "visible again at once");
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: again.Messages![0].ReceiptHandle }));
    await assert.rejects(
      client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url("work"), ReceiptHandle: again.Messages![0].ReceiptHandle, VisibilityTimeout: 5 })),
      (e: Error) => e.name === "MessageNotInflight",
    );
  });

  it("answers a batch entry by entry, and refuses an oversized or malformed one with SQS's codes", async () => {
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url("work"),
        Entries: [
          { Id: "ok", MessageBody: "fine" },
          { Id: "big", MessageBody: "x".repeat(262145) },
        ],
      }),
    );
    assert.deepEqual(result.Successful?.map((s) => s.Id), ["ok"]);
    assert.equal(result.Failed?.[0].Id, "big");
    assert.equal(result.Failed?.[0].Code, "InvalidParameterValue");
    await assert.rejects(client.send(new SendMessageBatchCommand({ QueueUrl: url("work"), Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })) })), (e: Error) => /TooManyEntriesInBatchRequest/.test(e.name));
    const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl: url("work"), AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(counts.Attributes?.ApproximateNumberOfMessages, "1");
    await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") })).then((r) => client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: r.Messages![0].ReceiptHandle })));
  });

  it("keeps a FIFO group in order: nothing more of a group while some of it is in flight, duplicates dropped", async () => {
    for (const body of ["a1", "a2", "b1", "a1"]) {
      await client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: body, MessageGroupId: body[0] }));
    }
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 2 }));
    assert.deepEqual(first.Messages?.map((m) => m.Body), ["a1", "a2"], "a group's messages in order; the second a1 was a duplicate");
    const blocked = await client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: "a3", MessageGroupId: "a" })).then(() =>
      client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 10 })),
    );
    assert.deepEqual(blocked.Messages?.map((m) => m.Body), ["b1"], "group a waits while a1 and a2 are in flight");
    for (const m of first.Messages!) await client.send(new DeleteMessageCommand({ QueueUrl: url("orders.fifo"), ReceiptHandle: m.ReceiptHandle }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 10 }));
    assert.deepEqual(second.Messages?.map((m) => m.Body), ["a3"]);
    await assert.rejects(client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: "no group" })), (e: Error) => e.name === "MissingParameter");
  });
});
