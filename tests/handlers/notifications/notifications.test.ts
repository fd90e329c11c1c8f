import {
  ConflictException,
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  ServiceQuotaExceededException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-pinpoint-sms-voice-v2";
import {
  BadRequestException,
  MessageRejected,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import type { SQSBatchResponse } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { EVENTS } from "../../../handlers/shared/events";
import { busEvent, captureOutput, lambdaContext, loadHandler, logsWith, metricValues, sqsEvent, useHandlerEnvironment } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com", phone: "+4915112345678" };
const shipped = (phone = true) =>
  busEvent(EVENTS.OrderShipped.detailType, EVENTS.OrderShipped.source, {
    orderId: ORDER_ID, customerId: "cust-1", contact: phone ? contact : { email: contact.email }, shipmentId: "shp-1",
    carrier: "orderflow-post", trackingNumber: "ABC123", shippedAt: "t0",
  });
const confirmed = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, {
  orderId: ORDER_ID, customerId: "cust-1", contact, items: [{ sku: "A", quantity: 2, unitPrice: 1250 }], currency: "EUR", total: 2500,
});
const cancelled = busEvent(EVENTS.OrderCancelled.detailType, EVENTS.OrderCancelled.source, { orderId: ORDER_ID, customerId: "cust-1", contact, reason: "OutOfStock" });
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;

const FROM = '"Orderflow" <orders@mail.example.com>';
const CONFIGURATION_SET = "orderflow-dev-notifications-customerEmail";
const ORIGINATION = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef0123456789abcdef";
const EMAIL_ENV = { IDEMPOTENCY_TABLE_NAME: "idempotency", EMAIL_FROM: FROM, EMAIL_CONFIGURATION_SET: CONFIGURATION_SET, EMAIL_RECIPIENTS: "customers" };
const SMS_ENV = { IDEMPOTENCY_TABLE_NAME: "idempotency", SMS_ORIGINATION_IDENTITY: ORIGINATION, SMS_RECIPIENTS: "customers" };
// Idempotency has its own tests against DynamoDB Local; here each branch runs every time.
const NO_IDEMPOTENCY = { POWERTOOLS_IDEMPOTENCY_DISABLED: "true" };
const metadata = { $metadata: { httpStatusCode: 400 } };
/** A metric's total over the invocation's EMF blobs (Powertools writes one value per count() call). */
const total = (lines: Record<string, unknown>[], name: string) => metricValues(lines, name).flat().reduce((a: number, b) => a + Number(b), 0);
type Refused = { refusal: { error: string; reason?: string; message: string } };

describe("handlers/notifications/send-email and send-sms (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so they never leak into another file's tests.
  const sesMock = () => mockClient(SESv2Client);
  const smsMock = () => mockClient(PinpointSMSVoiceV2Client);
  let ses: ReturnType<typeof sesMock>;
  let sms: ReturnType<typeof smsMock>;
  before(() => {
    ses = sesMock();
    sms = smsMock();
  });
  beforeEach(() => {
    ses.reset();
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });
    sms.reset();
    sms.on(SendTextMessageCommand).resolves({ MessageId: "sms-1" });
  });
  after(() => {
    ses.restore();
    sms.restore();
  });
  const email = (env: Record<string, string> = {}) => loadHandler<{ handler: Consumer }>("notifications/send-email.ts", { ...EMAIL_ENV, ...NO_IDEMPOTENCY, ...env }).handler;
  const text = (env: Record<string, string> = {}) => loadHandler<{ handler: Consumer }>("notifications/send-sms.ts", { ...SMS_ENV, ...NO_IDEMPOTENCY, ...env }).handler;
  const run = (consumer: Consumer, bodies: unknown[]) => captureOutput(() => consumer(sqsEvent(bodies), lambdaContext()));

  describe("send-email", () => {
    it("sends each event's email to the customer with SES SendEmail: From, configuration set, subject, text and HTML, tags", async () => {
      const { result, lines } = await run(email(), [confirmed, cancelled, shipped()]);
      assert.deepEqual(result, { batchItemFailures: [] });
      const inputs = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
      assert.equal(inputs.length, 3);
      const [first] = inputs;
      assert.equal(first.FromEmailAddress, FROM);
      assert.deepEqual(first.Destination, { ToAddresses: ["jane.doe@example.com"] });
      assert.equal(first.ConfigurationSetName, CONFIGURATION_SET);
      assert.deepEqual(first.EmailTags, [{ Name: "event", Value: "OrderConfirmed" }, { Name: "orderId", Value: ORDER_ID }]);
      const simple = first.Content?.Simple;
      assert.deepEqual(simple?.Subject, { Data: `Your order ${ORDER_ID} is confirmed: €25.00`, Charset: "UTF-8" });
      assert.match(simple?.Body?.Text?.Data ?? "", /2 x A at €12\.50: €25\.00/);
      assert.match(simple?.Body?.Html?.Data ?? "", /<strong>€25\.00<\/strong>/);
      assert.equal(simple?.Body?.Html?.Charset, "UTF-8");
      assert.deepEqual(inputs.map((i) => i.Content?.Simple?.Subject?.Data), [
        `Your order ${ORDER_ID} is confirmed: €25.00`,
        `Your order ${ORDER_ID} was cancelled`,
        `Your order ${ORDER_ID} has shipped`,
      ]);
      const sent = logsWith(lines, "email sent");
      assert.deepEqual(sent.map((l) => [l.template, l.to, l.messageId]), [
        ["OrderConfirmed", "j***@example.com", "ses-1"],
        ["OrderCancelled", "j***@example.com", "ses-1"],
        ["OrderShipped", "j***@example.com", "ses-1"],
      ]);
      assert.equal(total(lines, "EmailsSent"), 3);
      assert.ok(!JSON.stringify(lines).includes("jane.doe@"), "no full address in any log line");
    });

    it("sends every email to the mailbox simulator instead when EMAIL_RECIPIENTS names it", async () => {
      await run(email({ EMAIL_RECIPIENTS: "success@simulator.amazonses.com" }), [confirmed]);
      assert.deepEqual(ses.commandCalls(SendEmailCommand)[0].args[0].input.Destination, { ToAddresses: ["success@simulator.amazonses.com"] });
    });

    it("records a permanent refusal (MessageRejected, BadRequestException) and does not retry it; the address stays masked", async () => {
      ses
        .on(SendEmailCommand)
        .rejectsOnce(new MessageRejected({ message: "Email address is not verified. The following identities failed the check in region US-EAST-1: jane.doe@example.com", ...metadata }))
        .rejectsOnce(new BadRequestException({ message: "Illegal address", ...metadata }))
        .resolves({ MessageId: "ses-3" });
      const { result, lines } = await run(email(), [confirmed, cancelled, shipped()]);
      assert.deepEqual(result, { batchItemFailures: [] }, "a refusal is not retried");
      const refused = logsWith(lines, "email refused; not retried") as (Record<string, unknown> & Refused)[];
      assert.deepEqual(refused.map((l) => [l.template, l.refusal.error]), [["OrderConfirmed", "MessageRejected"], ["OrderCancelled", "BadRequestException"]]);
      assert.match(refused[0].refusal.message, /failed the check in region US-EAST-1: j\*\*\*@example\.com$/);
      assert.equal(refused[0].level, "WARN");
      assert.equal(total(lines, "EmailsRefused"), 2);
      assert.equal(total(lines, "EmailsSent"), 1);
      assert.ok(!JSON.stringify(lines).includes("jane.doe@"), "no full address in any log line");
    });

    it("fails the record on throttling and on a paused account, so the queue retries it (then keeps it in the DLQ)", async () => {
      ses
        .on(SendEmailCommand)
        .rejectsOnce(new TooManyRequestsException({ message: "Maximum sending rate exceeded.", ...metadata }))
        .rejectsOnce(new SendingPausedException({ message: "Sending is paused for this account.", ...metadata }))
        .resolves({ MessageId: "ses-3" });
      const { result, lines } = await run(email(), [confirmed, cancelled, shipped()]);
      assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }, { itemIdentifier: "msg-1" }]);
      assert.equal(logsWith(lines, "email refused; not retried").length, 0);
      assert.equal(logsWith(lines, "email sent").length, 1);
    });

    it("refuses to start with recipients that are neither the customers nor the mailbox simulator, naming the variable", () => {
      assert.throws(
        () => email({ EMAIL_RECIPIENTS: "team@example.com" }),
        /EMAIL_RECIPIENTS must be "customers" or an address of SES's mailbox simulator, such as "success@simulator\.amazonses\.com", but got "team@example\.com"/,
      );
      assert.throws(() => email({ EMAIL_FROM: "" }), /EMAIL_FROM must be a non-empty value/);
    });
  });

  describe("send-sms", () => {
    it("texts the customer about a shipment with SendTextMessage from the origination identity, as a transactional message", async () => {
      const { result, lines } = await run(text(), [shipped()]);
      assert.deepEqual(result, { batchItemFailures: [] });
      const input = sms.commandCalls(SendTextMessageCommand)[0].args[0].input;
      assert.deepEqual(input, {
        DestinationPhoneNumber: "+4915112345678",
        OriginationIdentity: ORIGINATION,
        MessageBody: `orderflow: order ${ORDER_ID} has shipped with orderflow-post, tracking number ABC123.`,
        MessageType: "TRANSACTIONAL",
        Context: { event: "OrderShipped", orderId: ORDER_ID },
      });
      assert.deepEqual(logsWith(lines, "sms sent").map((l) => [l.to, l.messageId]), [["***5678", "sms-1"]]);
      assert.equal(total(lines, "TextsSent"), 1);
      assert.ok(!JSON.stringify(lines).includes("+4915112345678"));
    });

    it("sends nothing to a customer without a phone number, and every text to the simulator number when SMS_RECIPIENTS names it", async () => {
      const { lines } = await run(text(), [shipped(false)]);
      assert.equal(sms.commandCalls(SendTextMessageCommand).length, 0);
      assert.equal(logsWith(lines, "no phone number; no SMS").length, 1);
      await run(text({ SMS_RECIPIENTS: "+14254147755" }), [shipped()]);
      assert.equal(sms.commandCalls(SendTextMessageCommand)[0].args[0].input.DestinationPhoneNumber, "+14254147755");
    });

    it("respects an opted-out number: AWS's refusal is recorded with its reason and not retried", async () => {
      sms.on(SendTextMessageCommand).rejects(
        new ConflictException({ message: "The destination phone number +4915112345678 is opted out.", Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT", ResourceType: "opt-out-list", ResourceId: "Default", ...metadata }),
      );
      const { result, lines } = await run(text(), [shipped()]);
      assert.deepEqual(result, { batchItemFailures: [] });
      const [refused] = logsWith(lines, "sms refused; not retried") as (Record<string, unknown> & Refused)[];
      assert.deepEqual([refused.refusal.error, refused.refusal.reason, refused.to], ["ConflictException", "DESTINATION_PHONE_NUMBER_OPTED_OUT", "***5678"]);
      assert.equal(refused.refusal.message, "The destination phone number ***5678 is opted out.");
      assert.equal(total(lines, "TextsRefused"), 1);
      assert.ok(!JSON.stringify(lines).includes("+4915112345678"));
    });

    it("records an unreachable number as refused, but retries throttling, a spend limit and reasons about the account", async () => {
      sms.on(SendTextMessageCommand).rejectsOnce(new ValidationException({ message: "Destination country blocked", Reason: "DESTINATION_COUNTRY_BLOCKED", ...metadata }));
      const refused = await run(text(), [shipped()]);
      assert.deepEqual(refused.result, { batchItemFailures: [] });
      for (const error of [
        new ThrottlingException({ message: "Rate exceeded", ...metadata }),
        new ServiceQuotaExceededException({ message: "Monthly spend limit reached", Reason: "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT", ...metadata }),
        new ValidationException({ message: "Invalid ARN", Reason: "INVALID_ARN", ...metadata }),
        new ConflictException({ message: "No origination identities found", Reason: "NO_ORIGINATION_IDENTITIES_FOUND", ResourceType: "pool", ResourceId: "pool-1", ...metadata }),
      ]) {
        sms.reset();
        sms.on(SendTextMessageCommand).rejects(error);
        const { result, lines } = await run(text(), [shipped()]);
        assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }], error.name);
        assert.equal(logsWith(lines, "sms refused; not retried").length, 0, error.name);
      }
    });

    it("refuses to start with an origination identity that is not an SMS identity ARN, or recipients that are not the customers or a simulator number", () => {
      assert.throws(() => text({ SMS_ORIGINATION_IDENTITY: "pool-0123" }), /SMS_ORIGINATION_IDENTITY must be the ARN of a phone number, pool or sender ID/);
      assert.throws(() => text({ SMS_RECIPIENTS: "+4915112345678" }), /SMS_RECIPIENTS must be "customers" or an SMS simulator destination number \(\+14254147755 for success, \+14254147167 for failure\)/);
    });

    it("fails only a malformed message, or an event it does not take, which go back to the queue (then its DLQ)", async () => {
      const { result } = await run(text(), [shipped(), "{\"detail-type\":", cancelled]);
      assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-1" }, { itemIdentifier: "msg-2" }], "SMS takes OrderShipped only");
      assert.equal(sms.commandCalls(SendTextMessageCommand).length, 1);
    });
  });
});
