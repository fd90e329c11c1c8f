import type { SQSBatchResponse } from "aws-lambda";
import { strict as assert } from "node:assert";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENTS } from "../../../handlers/shared/events";
import { busEvent, captureOutput, lambdaContext, loadHandler, logsWith, sqsEvent, useHandlerEnvironment } from "../../helpers/handlers";

// The handlers reach SES and SMS only through the SDK's own endpoint settings, AWS_ENDPOINT_URL_SESV2 and
// AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2 (the SDK's service ids "SESv2" and "Pinpoint SMS Voice V2"), so a local
// cloud can answer them without a change to the handlers. Here a bare HTTP server stands in for it and answers in
// AWS's wire formats: SES v2 is REST-JSON (the error's name in `x-amzn-ErrorType`), End User Messaging SMS is
// JSON 1.0 (the operation in `X-Amz-Target`, the error's name in the body's `__type`).

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com", phone: "+4915112345678" };
const confirmed = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, {
  orderId: ORDER_ID, customerId: "cust-1", contact, items: [{ sku: "A", quantity: 1, unitPrice: 1999 }], currency: "EUR", total: 1999,
});
const shipped = busEvent(EVENTS.OrderShipped.detailType, EVENTS.OrderShipped.source, {
  orderId: ORDER_ID, customerId: "cust-1", contact, shipmentId: "shp-1", carrier: "orderflow-post", trackingNumber: "ABC123", shippedAt: "t0",
});
const ORIGINATION = "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef0123456789abcdef";
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

describe("handlers/notifications through the SDK's endpoint settings (the local cloud's way in)", () => {
  useHandlerEnvironment();
  let server: Server;
  let endpoint = "";
  const received: Received[] = [];
  let answer: Answer = { status: 200, body: {} };
  before(async () => {
    server = createServer((req, res) => {
      let text = "";
      req.on("data", (chunk: Buffer) => (text += chunk.toString()));
      req.on("end", () => {
        received.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: JSON.parse(text || "{}") as Record<string, unknown> });
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
  });
  // One attempt: the SDK's own retries of a throttled call would only repeat what the assertions read.
  const base = { POWERTOOLS_IDEMPOTENCY_DISABLED: "true", AWS_MAX_ATTEMPTS: "1", AWS_ENDPOINT_URL: "http://127.0.0.1:9" };
  const email = () =>
    loadHandler<{ handler: Consumer }>("notifications/send-email.ts", {
      ...base, AWS_ENDPOINT_URL_SESV2: endpoint, IDEMPOTENCY_TABLE_NAME: "idempotency",
      EMAIL_FROM: '"Orderflow" <orders@mail.example.com>', EMAIL_CONFIGURATION_SET: "notifications", EMAIL_RECIPIENTS: "customers",
    }).handler;
  const text = () =>
    loadHandler<{ handler: Consumer }>("notifications/send-sms.ts", {
      ...base, AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2: endpoint, IDEMPOTENCY_TABLE_NAME: "idempotency",
      SMS_ORIGINATION_IDENTITY: ORIGINATION, SMS_RECIPIENTS: "customers",
    }).handler;
  const run = (consumer: Consumer, bodies: unknown[]) => captureOutput(() => consumer(sqsEvent(bodies), lambdaContext()));

  it("send-email: POST /v2/email/outbound-emails with the SendEmail JSON; a 200 with a MessageId is a send", async () => {
    answer = { status: 200, body: { MessageId: "local-ses-1" } };
    const { result, lines } = await run(email(), [confirmed]);
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal(received.length, 1);
    const [request] = received;
    assert.deepEqual([request.method, request.path], ["POST", "/v2/email/outbound-emails"]);
    assert.match(String(request.headers.authorization), /^AWS4-HMAC-SHA256 Credential=fake\/\d{8}\/us-east-1\/ses\/aws4_request/);
    assert.equal(request.body.FromEmailAddress, '"Orderflow" <orders@mail.example.com>');
    assert.deepEqual(request.body.Destination, { ToAddresses: ["jane.doe@example.com"] });
    assert.equal(request.body.ConfigurationSetName, "notifications");
    const simple = (request.body.Content as { Simple: { Subject: { Data: string }; Body: { Text: { Data: string }; Html: { Data: string } } } }).Simple;
    assert.equal(simple.Subject.Data, `Your order ${ORDER_ID} is confirmed: €19.99`);
    assert.match(simple.Body.Text.Data, /Total: €19\.99/);
    assert.deepEqual(logsWith(lines, "email sent").map((l) => l.messageId), ["local-ses-1"]);
  });

  it("send-email: a 400 MessageRejected is recorded as refused; a 429 TooManyRequestsException fails the record", async () => {
    answer = { status: 400, headers: { "x-amzn-ErrorType": "MessageRejected" }, body: { message: "Email address is not verified." } };
    const refused = await run(email(), [confirmed]);
    assert.deepEqual(refused.result, { batchItemFailures: [] });
    assert.deepEqual(logsWith(refused.lines, "email refused; not retried").map((l) => (l.refusal as { error: string }).error), ["MessageRejected"]);
    answer = { status: 429, headers: { "x-amzn-ErrorType": "TooManyRequestsException" }, body: { message: "Maximum sending rate exceeded." } };
    const throttled = await run(email(), [confirmed]);
    assert.deepEqual(throttled.result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
  });

  it("send-sms: POST / with X-Amz-Target PinpointSMSVoiceV2.SendTextMessage and the JSON 1.0 body; a 200 with a MessageId is a send", async () => {
    answer = { status: 200, body: { MessageId: "local-sms-1" } };
    const { result, lines } = await run(text(), [shipped]);
    assert.deepEqual(result, { batchItemFailures: [] });
    const [request] = received;
    assert.deepEqual([request.method, request.path], ["POST", "/"]);
    assert.equal(request.headers["x-amz-target"], "PinpointSMSVoiceV2.SendTextMessage");
    assert.equal(request.headers["content-type"], "application/x-amz-json-1.0");
    assert.match(String(request.headers.authorization), /\/us-east-1\/sms-voice\/aws4_request/);
    assert.deepEqual(request.body, {
      DestinationPhoneNumber: "+4915112345678",
      OriginationIdentity: ORIGINATION,
      MessageBody: `orderflow: order ${ORDER_ID} has shipped with orderflow-post, tracking number ABC123.`,
      MessageType: "TRANSACTIONAL",
      Context: { event: "OrderShipped", orderId: ORDER_ID },
    });
    assert.deepEqual(logsWith(lines, "sms sent").map((l) => l.messageId), ["local-sms-1"]);
  });

  it("send-sms: a ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT is recorded as refused; a ThrottlingException fails the record", async () => {
    answer = {
      status: 400,
      body: { __type: "ConflictException", Message: "The destination phone number is opted out.", Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT", ResourceType: "opt-out-list", ResourceId: "Default" },
    };
    const refused = await run(text(), [shipped]);
    assert.deepEqual(refused.result, { batchItemFailures: [] });
    const [log] = logsWith(refused.lines, "sms refused; not retried");
    assert.deepEqual(log.refusal, { error: "ConflictException", reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT", message: "The destination phone number is opted out." });
    answer = { status: 400, body: { __type: "ThrottlingException", Message: "Rate exceeded." } };
    const throttled = await run(text(), [shipped]);
    assert.deepEqual(throttled.result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
  });
});
