import type { SQSBatchResponse } from "aws-lambda";
import { strict as assert } from "node:assert";
import { EVENTS } from "../../../handlers/shared/events";
import { useHandlerEnvironment, busEvent, captureOutput, lambdaContext, loadHandler, logsWith, sqsEvent } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com", phone: "+4915112345678" };
const shipped = (phone = true) =>
  busEvent(EVENTS.OrderShipped.detailType, EVENTS.OrderShipped.source, {
    orderId: ORDER_ID, customerId: "cust-1", contact: phone ? contact : { email: contact.email }, shipmentId: "shp-1",
    carrier: "orderflow-post", trackingNumber: "ABC123", shippedAt: "t0",
  });
const cancelled = busEvent(EVENTS.OrderCancelled.detailType, EVENTS.OrderCancelled.source, { orderId: ORDER_ID, customerId: "cust-1", contact, reason: "OutOfStock" });
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;

describe("handlers/notifications/send-email and send-sms (unit)", () => {
  useHandlerEnvironment();
  let email: Consumer;
  let sms: Consumer;
  before(() => {
    const env = { IDEMPOTENCY_TABLE_NAME: "idempotency", POWERTOOLS_IDEMPOTENCY_DISABLED: "true" };
    email = loadHandler<{ handler: Consumer }>("notifications/send-email.ts", env).handler;
    sms = loadHandler<{ handler: Consumer }>("notifications/send-sms.ts", env).handler;
  });
  const run = (consumer: Consumer, bodies: unknown[]) => captureOutput(() => consumer(sqsEvent(bodies), lambdaContext()));

  it("records each email it would send, with the recipient masked", async () => {
    const { result, lines } = await run(email, [shipped(), cancelled]);
    assert.deepEqual(result, { batchItemFailures: [] });
    const recorded = logsWith(lines, "email recorded");
    assert.deepEqual(recorded.map((l) => [l.template, l.to, l.subject]), [
      ["OrderShipped", "j***@example.com", `Order ${ORDER_ID} shipped`],
      ["OrderCancelled", "j***@example.com", `Order ${ORDER_ID} cancelled`],
    ]);
    assert.ok(!JSON.stringify(lines).includes("jane.doe@"), "no full address in any log line");
  });

  it("records an SMS for OrderShipped with the number masked, and none for a customer without a number", async () => {
    const { result, lines } = await run(sms, [shipped(), shipped(false)]);
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.deepEqual(logsWith(lines, "sms recorded").map((l) => l.to), ["***5678"]);
    assert.equal(logsWith(lines, "no phone number; no SMS").length, 1);
    assert.ok(!JSON.stringify(lines).includes("+4915112345678"));
  });

  it("fails only a malformed message, which goes back to the queue (then its DLQ)", async () => {
    const { result, lines } = await run(sms, [shipped(), "{\"detail-type\":", cancelled]);
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-1" }, { itemIdentifier: "msg-2" }], "SMS takes OrderShipped only");
    assert.equal(logsWith(lines, "sms recorded").length, 1);
  });
});
