import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DeleteOptedOutNumberCommand,
  PinpointSMSVoiceV2Client,
  PinpointSMSVoiceV2ServiceException,
  PutOptedOutNumberCommand,
  SendTextMessageCommand,
  type SendTextMessageCommandInput,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { sendText } from "../../../../handlers/notifications/sms";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import type { GraphOriginationIdentity } from "../../../../localcloud/services/sms/spec";
import { Outbox } from "../../../../localcloud/kernel/outbox";
import { SmsService } from "../../../../localcloud/services/sms/service";

const A = "123456789012";
const SIMULATOR: GraphOriginationIdentity = {
  component: "customerSms",
  arn: `arn:aws:sms-voice:us-east-1:${A}:phone-number/phone-0123456789abcdef`,
  names: [`arn:aws:sms-voice:us-east-1:${A}:phone-number/phone-0123456789abcdef`, "phone-0123456789abcdef", "+12065550100"],
  simulator: true,
  isoCountryCode: "US",
  optOutListName: "Default",
  selfManagedOptOuts: false,
};
const POOL: GraphOriginationIdentity = { component: "pool-0b6a", arn: `arn:aws:sms-voice:us-east-1:${A}:pool/pool-0b6a`, names: [`arn:aws:sms-voice:us-east-1:${A}:pool/pool-0b6a`, "pool-0b6a"], simulator: false, optOutListName: "Default", selfManagedOptOuts: false };
const SELF_MANAGED: GraphOriginationIdentity = { ...POOL, component: "pool-self", arn: `arn:aws:sms-voice:us-east-1:${A}:pool/pool-self`, names: ["pool-self"], selfManagedOptOuts: true };

describe("local cloud: End User Messaging SMS SendTextMessage", () => {
  let dir: string;
  let outbox: Outbox;
  let activity: Activity;
  let service: SmsService;
  let endpoint: AwsEndpoint;
  let client: PinpointSMSVoiceV2Client;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "outbox-"));
    outbox = new Outbox(path.join(dir, "outbox"));
    activity = new Activity();
    service = new SmsService([SIMULATOR, POOL, SELF_MANAGED], outbox, activity, { region: "us-east-1", account: A });
    endpoint = new AwsEndpoint(() => "sendSms-role");
    endpoint.serveJson("PinpointSMSVoiceV2", service);
    client = new PinpointSMSVoiceV2Client({ region: "us-east-1", endpoint: await endpoint.listen(), credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
  });

  afterEach(async () => {
    client.destroy();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const text = (overrides: Partial<SendTextMessageCommandInput> = {}): SendTextMessageCommandInput => ({
    DestinationPhoneNumber: "+14254147755",
    OriginationIdentity: SIMULATOR.arn,
    MessageBody: "orderflow: order o-1 has shipped with UPS, tracking number 1Z999.",
    MessageType: "TRANSACTIONAL",
    ...overrides,
  });

  async function refusal(input: SendTextMessageCommandInput): Promise<{ name: string; reason?: string; message: string; status?: number }> {
    try {
      await client.send(new SendTextMessageCommand(input));
    } catch (error) {
      assert.ok(error instanceof PinpointSMSVoiceV2ServiceException, `expected an SMS exception, got ${String(error)}`);
      const reason = (error as { Reason?: string }).Reason;
      return { name: error.name, ...(reason ? { reason } : {}), message: error.message, status: error.$metadata.httpStatusCode };
    }
    assert.fail("expected SendTextMessage to be refused");
  }

  it("accepts the handler's text from the simulator number to the success number: MessageId, a JSON file in the outbox, an activity line", async () => {
    const delivery = await sendText(client, { originationIdentity: SIMULATOR.arn, to: "+14254147755", body: "orderflow: order o-1 has shipped.", context: { event: "OrderShipped", orderId: "o-1" } });
    assert.ok(delivery.sent);
    assert.match(delivery.messageId, /^[0-9a-f-]{36}$/);
    const [message] = outbox.texts;
    assert.equal(message.messageId, delivery.messageId);
    assert.deepEqual(
      [message.originationIdentity, message.destinationPhoneNumber, message.messageBody, message.messageType, message.context, message.delivery.status],
      [SIMULATOR.arn, "+14254147755", "orderflow: order o-1 has shipped.", "TRANSACTIONAL", { event: "OrderShipped", orderId: "o-1" }, "delivered"],
    );
    assert.match(path.basename(message.file), new RegExp(`-sms-${delivery.messageId}\\.json$`));
    const file = JSON.parse(readFileSync(message.file, "utf8")) as Record<string, unknown>;
    assert.deepEqual([file.destinationPhoneNumber, file.messageBody, file.messageId], ["+14254147755", "orderflow: order o-1 has shipped.", delivery.messageId]);
    const line = activity.records.find((r) => r.service === "sms");
    assert.deepEqual([line?.kind, line?.name, line?.error], ["send", "customerSms", false]);
    // The simulator number by its id and its E.164 number is the same identity.
    await client.send(new SendTextMessageCommand(text({ OriginationIdentity: "phone-0123456789abcdef" })));
    await client.send(new SendTextMessageCommand(text({ OriginationIdentity: "+12065550100" })));
    assert.equal(outbox.texts.length, 3);
  });

  it("answers the simulator's failure number with a MessageId and a failure event, not an error", async () => {
    const { MessageId } = await client.send(new SendTextMessageCommand(text({ DestinationPhoneNumber: "+14254147167" })));
    const message = outbox.texts.find((m) => m.messageId === MessageId)!;
    assert.equal(message.delivery.status, "failed");
    assert.ok(activity.records.some((r) => r.service === "sms" && r.error === true && r.detail.includes("+14254147167: failed")));
  });

  it("refuses an origination identity the graph does not hold (ResourceNotFoundException) and sends from the granted pool", async () => {
    const missing = await refusal(text({ OriginationIdentity: `arn:aws:sms-voice:us-east-1:${A}:phone-number/phone-other` }));
    assert.deepEqual([missing.name, missing.status], ["ResourceNotFoundException", 404]);
    await client.send(new SendTextMessageCommand(text({ OriginationIdentity: "pool-0b6a", DestinationPhoneNumber: "+447700900123" })));
    assert.deepEqual([outbox.texts[0].originationIdentity, outbox.texts[0].delivery.status], [POOL.arn, "accepted"]);
  });

  it("validates the destination (E.164), the body and the simulator's reach, with the Reason the handler decides on", async () => {
    assert.deepEqual(await refusal(text({ DestinationPhoneNumber: "4254147755" })).then((r) => [r.name, r.reason]), ["ValidationException", "CANNOT_PARSE"]);
    assert.deepEqual(await refusal(text({ DestinationPhoneNumber: "+1 425 414 7755" })).then((r) => [r.name, r.reason]), ["ValidationException", "FIELD_VALIDATION_FAILED"]);
    assert.deepEqual(await refusal(text({ DestinationPhoneNumber: undefined })).then((r) => [r.name, r.reason]), ["ValidationException", "MISSING_PARAMETER"]);
    assert.deepEqual(await refusal(text({ MessageBody: "x".repeat(1601) })).then((r) => [r.name, r.reason]), ["ValidationException", "FIELD_VALIDATION_FAILED"]);
    // A US simulator number reaches only the US simulator destination numbers.
    const real = await refusal(text({ DestinationPhoneNumber: "+15555550100" }));
    assert.deepEqual([real.name, real.reason], ["ValidationException", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY"]);
    assert.match(real.message, /sends only to the SMS simulator's destination numbers/);

    const unparsable = await sendText(client, { originationIdentity: POOL.arn, to: "4254147755", body: "b", context: {} });
    assert.deepEqual(unparsable.sent ? "sent" : [unparsable.refusal.error, unparsable.refusal.reason], ["ValidationException", "CANNOT_PARSE"]);
    assert.equal(outbox.texts.length, 0);
  });

  it("refuses a number on the opt-out list with ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT, which the handler records and does not retry", async () => {
    const put = await client.send(new PutOptedOutNumberCommand({ OptOutListName: "Default", OptedOutNumber: "+447700900123" }));
    assert.deepEqual([put.OptOutListName, put.OptedOutNumber, put.OptOutListArn, put.EndUserOptedOut], ["Default", "+447700900123", `arn:aws:sms-voice:us-east-1:${A}:opt-out-list/Default`, false]);
    assert.ok(put.OptedOutTimestamp instanceof Date);

    const optedOut = await refusal(text({ OriginationIdentity: POOL.arn, DestinationPhoneNumber: "+447700900123" }));
    assert.deepEqual([optedOut.name, optedOut.reason, optedOut.status], ["ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT", 400]);
    const delivery = await sendText(client, { originationIdentity: POOL.arn, to: "+447700900123", body: "b", context: {} });
    assert.deepEqual(delivery.sent ? "sent" : [delivery.refusal.error, delivery.refusal.reason], ["ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT"]);
    // An identity that manages opt-outs itself is not refused by AWS.
    await client.send(new SendTextMessageCommand(text({ OriginationIdentity: "pool-self", DestinationPhoneNumber: "+447700900123" })));

    await client.send(new DeleteOptedOutNumberCommand({ OptOutListName: "Default", OptedOutNumber: "+447700900123" }));
    await client.send(new SendTextMessageCommand(text({ OriginationIdentity: POOL.arn, DestinationPhoneNumber: "+447700900123" })));
    assert.equal(outbox.texts.length, 2);

    // The simulator's success number opted out through the service (as scenarios do) is refused too.
    service.optOut("+14254147755");
    assert.equal((await refusal(text())).reason, "DESTINATION_PHONE_NUMBER_OPTED_OUT");
    await assert.rejects(client.send(new PutOptedOutNumberCommand({ OptOutListName: "Nope", OptedOutNumber: "+14254147755" })), { name: "ResourceNotFoundException" });
  });
});
