import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, captureOutput, lambdaContext, loadHandler } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
type Task = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const order = (status: string, extra: Record<string, unknown> = {}) => ({
  orderId: ORDER_ID, status, customerId: "cust-1", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }],
  currency: "EUR", total: 5, placedAt: "t0", updatedAt: "t1", correlationId: "corr-1", requestHash: "h", ...extra,
});
const conditionFailed = () => new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });

describe("handlers/orders/confirm-order and cancel-order (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  let confirm: Task;
  let cancel: Task;
  before(() => {
    confirm = loadHandler<{ handler: Task }>("orders/confirm-order.ts", { ORDERS_TABLE_NAME: "orders" }).handler;
    cancel = loadHandler<{ handler: Task }>("orders/cancel-order.ts", { ORDERS_TABLE_NAME: "orders" }).handler;
  });
  beforeEach(() => ddb.reset());
  after(() => ddb.restore());
  const run = (task: Task, event: unknown) => captureOutput(() => task(event, lambdaContext())).then((r) => r.result);

  it("confirms only a PENDING order, in one conditional update, and returns the OrderConfirmed detail", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: order("CONFIRMED") });
    const detail = await run(confirm, { orderId: ORDER_ID, customerId: "cust-1", results: { ReserveStock: { Payload: {} } } });
    assert.deepEqual(detail, {
      orderId: ORDER_ID, customerId: "cust-1", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }],
      currency: "EUR", total: 5, correlationId: "corr-1",
    });
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    assert.equal(update.ConditionExpression, "attribute_exists(#key) AND #status IN (:from0)");
    assert.equal(update.ExpressionAttributeValues?.[":from0"], "PENDING");
    assert.equal(update.ExpressionAttributeValues?.[":to"], "CONFIRMED");
  });

  it("refuses to confirm a cancelled order with a named InvalidOrderTransition, without a stack in the error", async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: order("CANCELLED") });
    await assert.rejects(run(confirm, { orderId: ORDER_ID }), (error: Error) => {
      assert.equal(error.name, "InvalidOrderTransition");
      assert.match(error.message, /is CANCELLED and cannot become CONFIRMED/);
      assert.ok(!error.stack?.includes(" at "), error.stack);
      return true;
    });
  });

  it("confirms an already confirmed order again without change (a retried task)", async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: order("CONFIRMED") });
    const detail = await run(confirm, { orderId: ORDER_ID });
    assert.equal(detail.orderId, ORDER_ID);
  });

  it("throws OrderNotFound for an order that does not exist", async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    await assert.rejects(run(cancel, { orderId: ORDER_ID }), { name: "OrderNotFound" });
  });

  it("cancels a PENDING or CONFIRMED order with the saga error's name as the reason", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: order("CANCELLED", { cancelReason: "OutOfStock" }) });
    const detail = await run(cancel, { orderId: ORDER_ID, error: { Error: "OutOfStock", Cause: "{\"errorMessage\":\"...\"}" } });
    assert.deepEqual(detail, { orderId: ORDER_ID, customerId: "cust-1", contact: { email: "a@b.co" }, reason: "OutOfStock", correlationId: "corr-1" });
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    assert.deepEqual([update.ExpressionAttributeValues?.[":from0"], update.ExpressionAttributeValues?.[":from1"]], ["PENDING", "CONFIRMED"]);
    assert.equal(update.ExpressionAttributeValues?.[":x0"], "OutOfStock");
    assert.equal(update.ExpressionAttributeNames?.["#x0"], "cancelReason");
  });

  it("cancelling a cancelled order keeps its first reason", async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: order("CANCELLED", { cancelReason: "PaymentDeclined" }) });
    const detail = await run(cancel, { orderId: ORDER_ID, error: { Error: "States.Timeout" } });
    assert.equal(detail.reason, "PaymentDeclined");
  });

  it("rejects saga input without a valid order id, naming the field", async () => {
    await assert.rejects(run(confirm, { orderId: "nope" }), (error: Error) => {
      assert.equal(error.name, "ValidationError");
      assert.match(error.message, /^Invalid confirm-order input: orderId: must be a lowercase UUID$/);
      return true;
    });
    assert.equal(ddb.commandCalls(UpdateCommand).length, 0);
  });
});
