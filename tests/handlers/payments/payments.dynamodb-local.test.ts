import { PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { strict as assert } from "node:assert";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { captureOutput, lambdaContext, loadHandler, useHandlerEnvironment } from "../../helpers/handlers";

type Task = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const state = (orderId: string) => ({ orderId, customerId: "cust-1", currency: "EUR", total: 2500 });

describe("handlers/payments and handlers/inventory compensations against DynamoDB Local", () => {
  useHandlerEnvironment();
  const dynamo = useDynamoDBLocal({ payments: "orderId", stock: "pk" });
  let charge: Task;
  let refund: Task;
  let release: Task;
  before(() => {
    charge = loadHandler<{ handler: Task }>("payments/charge-payment.ts", { PAYMENTS_TABLE_NAME: "payments" }).handler;
    refund = loadHandler<{ handler: Task }>("payments/refund-payment.ts", { PAYMENTS_TABLE_NAME: "payments" }).handler;
    release = loadHandler<{ handler: Task }>("inventory/release-stock.ts", { STOCK_TABLE_NAME: "stock" }).handler;
  });
  const call = (task: Task, event: unknown) => captureOutput(() => task(event, lambdaContext())).then((r) => r.result);
  const payments = async (orderId: string) =>
    ((await dynamo.current.db.send(new ScanCommand({ TableName: "payments" }))).Items ?? []).filter((i) => i.orderId === orderId);

  it("a charge delivered twice records one payment and answers the same payment id", async () => {
    const orderId = "22222222-2222-4222-8222-222222222222";
    const first = await call(charge, state(orderId));
    const second = await call(charge, state(orderId));
    assert.equal(second.paymentId, first.paymentId);
    assert.equal((await payments(orderId)).length, 1);
  });

  it("a refund delivered twice refunds once; a refund of an order never charged refunds nothing", async () => {
    const orderId = "33333333-3333-4333-8333-333333333333";
    await call(charge, state(orderId));
    assert.equal((await call(refund, { orderId })).refunded, true);
    assert.equal((await call(refund, { orderId })).refunded, false);
    const [payment] = await payments(orderId);
    assert.equal(payment.status, "REFUNDED");
    assert.equal((await call(refund, { orderId: "44444444-4444-4444-8444-444444444444" })).refunded, false);
  });

  it("a declined charge leaves no payment behind to refund", async () => {
    const orderId = "55555555-5555-4555-8555-555555555555";
    await assert.rejects(call(charge, { ...state(orderId), total: 100_001 }), { name: "PaymentDeclined" });
    assert.equal((await payments(orderId)).length, 0);
    assert.equal((await call(refund, { orderId })).refunded, false);
  });

  it("release-stock releases nothing for an order never reserved or already released, leaving stock as it is", async () => {
    const orderId = "66666666-6666-4666-8666-666666666666";
    await dynamo.current.db.send(new PutCommand({ TableName: "stock", Item: { pk: "SKU#A", sku: "A", available: 7 } }));
    assert.equal((await call(release, { orderId })).released, false);
    await dynamo.current.db.send(
      new PutCommand({ TableName: "stock", Item: { pk: `RESERVATION#${orderId}`, orderId, lines: [{ sku: "A", quantity: 3 }], status: "RELEASED", reservedAt: "t0" } }),
    );
    assert.equal((await call(release, { orderId })).released, false);
    const items = (await dynamo.current.db.send(new ScanCommand({ TableName: "stock" }))).Items ?? [];
    assert.equal(items.find((i) => i.pk === "SKU#A")?.available, 7);
  });
});
