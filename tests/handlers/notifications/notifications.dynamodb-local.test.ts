import type { SQSBatchResponse } from "aws-lambda";
import { strict as assert } from "node:assert";
import { EVENTS } from "../../../handlers/shared/events";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { busEvent, captureOutput, lambdaContext, loadHandler, logsWith, sqsEvent, useHandlerEnvironment } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com", phone: "+4915112345678" };
const shipped = busEvent(EVENTS.OrderShipped.detailType, EVENTS.OrderShipped.source, {
  orderId: ORDER_ID, customerId: "cust-1", contact, shipmentId: "shp-1", carrier: "orderflow-post", trackingNumber: "ABC123", shippedAt: "t0",
});
const confirmed = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, {
  orderId: ORDER_ID, customerId: "cust-1", contact, items: [{ sku: "A", quantity: 1, unitPrice: 5 }], currency: "EUR", total: 5,
});
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;

describe("handlers/notifications against DynamoDB Local", () => {
  useHandlerEnvironment();
  useDynamoDBLocal({ idempotency: "id" });
  let email: Consumer;
  let sms: Consumer;
  before(() => {
    email = loadHandler<{ handler: Consumer }>("notifications/send-email.ts", { IDEMPOTENCY_TABLE_NAME: "idempotency", AWS_LAMBDA_FUNCTION_NAME: "send-email" }).handler;
    sms = loadHandler<{ handler: Consumer }>("notifications/send-sms.ts", { IDEMPOTENCY_TABLE_NAME: "idempotency", AWS_LAMBDA_FUNCTION_NAME: "send-sms" }).handler;
  });
  const run = (consumer: Consumer, bodies: unknown[]) => captureOutput(() => consumer(sqsEvent(bodies), lambdaContext()));

  it("each consumer run twice on the same batch records each notification once", async () => {
    const emailRuns = [await run(email, [confirmed, shipped]), await run(email, [confirmed, shipped])];
    const smsRuns = [await run(sms, [shipped]), await run(sms, [shipped])];
    for (const { result } of [...emailRuns, ...smsRuns]) assert.deepEqual(result, { batchItemFailures: [] });
    const emails = emailRuns.flatMap(({ lines }) => logsWith(lines, "email recorded"));
    const texts = smsRuns.flatMap(({ lines }) => logsWith(lines, "sms recorded"));
    assert.deepEqual(emails.map((l) => l.template).sort(), ["OrderConfirmed", "OrderShipped"]);
    assert.equal(texts.length, 1);
  });

  it("a malformed message in a batch fails alone and is not remembered as done", async () => {
    const { result } = await run(email, ["{}", busEvent(EVENTS.OrderCancelled.detailType, EVENTS.OrderCancelled.source, { orderId: ORDER_ID, customerId: "c", contact, reason: "OutOfStock" })]);
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
  });
});
