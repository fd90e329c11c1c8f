import { ConflictException, PinpointSMSVoiceV2Client, SendTextMessageCommand, ThrottlingException } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from "@aws-sdk/client-sesv2";
import type { SQSBatchResponse } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { EVENTS } from "../../../handlers/shared/events";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { busEvent, captureOutput, lambdaContext, loadHandler, logsWith, sqsEvent, useHandlerEnvironment } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const OTHER_ORDER_ID = "1b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com", phone: "+4915112345678" };
const shipped = (orderId = ORDER_ID) =>
  busEvent(EVENTS.OrderShipped.detailType, EVENTS.OrderShipped.source, {
    orderId, customerId: "cust-1", contact, shipmentId: "shp-1", carrier: "orderflow-post", trackingNumber: "ABC123", shippedAt: "t0",
  });
const confirmed = (orderId = ORDER_ID) =>
  busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, {
    orderId, customerId: "cust-1", contact, items: [{ sku: "A", quantity: 1, unitPrice: 5 }], currency: "EUR", total: 5,
  });
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;
const metadata = { $metadata: { httpStatusCode: 400 } };

describe("handlers/notifications against DynamoDB Local (each event notifies each customer once)", () => {
  useHandlerEnvironment();
  useDynamoDBLocal({ idempotency: "id" });
  // Only SES and SMS are doubles: the idempotency records go to DynamoDB Local through the real DynamoDB client.
  const sesMock = () => mockClient(SESv2Client);
  const smsMock = () => mockClient(PinpointSMSVoiceV2Client);
  let ses: ReturnType<typeof sesMock>;
  let sms: ReturnType<typeof smsMock>;
  let email: Consumer;
  let text: Consumer;
  before(() => {
    ses = sesMock();
    sms = smsMock();
    email = loadHandler<{ handler: Consumer }>("notifications/send-email.ts", {
      IDEMPOTENCY_TABLE_NAME: "idempotency", AWS_LAMBDA_FUNCTION_NAME: "send-email",
      EMAIL_FROM: "orders@mail.example.com", EMAIL_CONFIGURATION_SET: "notifications", EMAIL_RECIPIENTS: "customers",
    }).handler;
    text = loadHandler<{ handler: Consumer }>("notifications/send-sms.ts", {
      IDEMPOTENCY_TABLE_NAME: "idempotency", AWS_LAMBDA_FUNCTION_NAME: "send-sms",
      SMS_ORIGINATION_IDENTITY: "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123456789abcdef0123456789abcdef", SMS_RECIPIENTS: "customers",
    }).handler;
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
  const run = (consumer: Consumer, bodies: unknown[]) => captureOutput(() => consumer(sqsEvent(bodies), lambdaContext()));

  it("each consumer run twice on the same batch sends each email and each text once", async () => {
    const runs = [await run(email, [confirmed(), shipped()]), await run(email, [confirmed(), shipped()]), await run(text, [shipped()]), await run(text, [shipped()])];
    for (const { result } of runs) assert.deepEqual(result, { batchItemFailures: [] });
    const subjects = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Content?.Simple?.Subject?.Data);
    assert.deepEqual(subjects, [`Your order ${ORDER_ID} is confirmed: €0.05`, `Your order ${ORDER_ID} has shipped`]);
    assert.equal(sms.commandCalls(SendTextMessageCommand).length, 1);
  });

  it("a refusal is remembered like a send: the redelivered event is not sent again", async () => {
    sms.on(SendTextMessageCommand).rejects(new ConflictException({ message: "opted out", Reason: "DESTINATION_PHONE_NUMBER_OPTED_OUT", ...metadata }));
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: "rejected", ...metadata }));
    const first = [await run(text, [shipped(OTHER_ORDER_ID)]), await run(email, [confirmed(OTHER_ORDER_ID)])];
    const again = [await run(text, [shipped(OTHER_ORDER_ID)]), await run(email, [confirmed(OTHER_ORDER_ID)])];
    for (const { result } of [...first, ...again]) assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal(sms.commandCalls(SendTextMessageCommand).length, 1);
    assert.equal(ses.commandCalls(SendEmailCommand).length, 1);
    assert.equal(logsWith(first[0].lines, "sms refused; not retried").length, 1);
  });

  it("a throttled send fails its record and is not remembered, so the queue's redelivery sends it", async () => {
    const orderId = "2b1c2d3e-4f50-4617-8899-aabbccddeeff";
    ses.on(SendEmailCommand).rejectsOnce(new TooManyRequestsException({ message: "Maximum sending rate exceeded.", ...metadata })).resolves({ MessageId: "ses-2" });
    sms.on(SendTextMessageCommand).rejectsOnce(new ThrottlingException({ message: "Rate exceeded", ...metadata })).resolves({ MessageId: "sms-2" });
    const throttled = [await run(email, [confirmed(orderId)]), await run(text, [shipped(orderId)])];
    for (const { result } of throttled) assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
    const redelivered = [await run(email, [confirmed(orderId)]), await run(text, [shipped(orderId)])];
    for (const { result } of redelivered) assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal(ses.commandCalls(SendEmailCommand).length, 2);
    assert.equal(sms.commandCalls(SendTextMessageCommand).length, 2);
    assert.deepEqual(logsWith(redelivered[0].lines, "email sent").map((l) => l.messageId), ["ses-2"]);
  });

  it("a malformed message in a batch fails alone and is not remembered as done", async () => {
    const cancelled = busEvent(EVENTS.OrderCancelled.detailType, EVENTS.OrderCancelled.source, { orderId: "3b1c2d3e-4f50-4617-8899-aabbccddeeff", customerId: "c", contact, reason: "OutOfStock" });
    const { result } = await run(email, ["{}", cancelled]);
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
    assert.equal(ses.commandCalls(SendEmailCommand).length, 1);
  });
});
