import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, captureOutput, lambdaContext, loadHandler, metricValues } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
type Task = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: "Transaction cancelled", $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });
const sagaState = {
  orderId: ORDER_ID, customerId: "cust-1", currency: "EUR", total: 1600, correlationId: "corr-1",
  items: [{ sku: "A", quantity: 2, unitPrice: 500 }, { sku: "B", quantity: 1, unitPrice: 100 }, { sku: "A", quantity: 1, unitPrice: 500 }],
};

describe("handlers/inventory/reserve-stock and release-stock (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  let reserve: Task;
  let release: Task;
  before(() => {
    reserve = loadHandler<{ handler: Task }>("inventory/reserve-stock.ts", { STOCK_TABLE_NAME: "stock" }).handler;
    release = loadHandler<{ handler: Task }>("inventory/release-stock.ts", { STOCK_TABLE_NAME: "stock" }).handler;
  });
  beforeEach(() => ddb.reset());
  after(() => ddb.restore());
  const run = (task: Task, event: unknown) => captureOutput(() => task(event, lambdaContext()));

  it("reserves every line in ONE transaction: a conditional decrement per SKU and a reservation that must be new", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const { result } = await run(reserve, sagaState);

    assert.equal(ddb.commandCalls(TransactWriteCommand).length, 1);
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems ?? [];
    const decrement = (sku: string, quantity: number) => ({
      Update: {
        TableName: "stock",
        Key: { pk: `SKU#${sku}` },
        UpdateExpression: "SET #available = #available - :quantity",
        ConditionExpression: "attribute_exists(#pk) AND #available >= :quantity",
        ExpressionAttributeNames: { "#pk": "pk", "#available": "available" },
        ExpressionAttributeValues: { ":quantity": quantity },
      },
    });
    assert.deepEqual(items.slice(0, 2), [decrement("A", 3), decrement("B", 1)], "repeated SKUs are summed into one update");
    const put = items[2].Put;
    assert.equal(put?.TableName, "stock");
    assert.equal(put?.ConditionExpression, "attribute_not_exists(#pk)");
    assert.deepEqual(put?.ExpressionAttributeNames, { "#pk": "pk" });
    assert.deepEqual(
      { ...put?.Item, reservedAt: undefined },
      { pk: `RESERVATION#${ORDER_ID}`, orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }, { sku: "B", quantity: 1 }], status: "RESERVED", reservedAt: undefined },
    );
    assert.deepEqual({ ...result, reservedAt: undefined }, { orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }, { sku: "B", quantity: 1 }], reservedAt: undefined });
  });

  it("throws a named OutOfStock listing the short SKUs, and counts a stock shortage", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("None", "ConditionalCheckFailed", "None"));
    const { result: error, lines } = await captureOutput(() => reserve(sagaState, lambdaContext()).then(() => undefined, (e: Error) => e));
    assert.equal(error?.name, "OutOfStock");
    assert.match(error?.message ?? "", /: B\.$/);
    assert.deepEqual(metricValues(lines, "StockShortages"), [1]);
  });

  it("returns the existing reservation when the reservation already exists (a retried task takes no more stock)", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed", "None", "ConditionalCheckFailed"));
    ddb.on(GetCommand).resolves({ Item: { pk: `RESERVATION#${ORDER_ID}`, orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }], status: "RESERVED", reservedAt: "t0" } });
    const { result } = await run(reserve, sagaState);
    assert.deepEqual(result, { orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }], reservedAt: "t0" });
  });

  it("refuses to reserve again after a release, and reports a conflict as the transient InventoryLocked", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("None", "None", "ConditionalCheckFailed"));
    ddb.on(GetCommand).resolves({ Item: { orderId: ORDER_ID, lines: [], status: "RELEASED", reservedAt: "t0" } });
    await assert.rejects(run(reserve, sagaState), { name: "ReservationReleased" });

    ddb.reset();
    ddb.on(TransactWriteCommand).rejects(cancelled("TransactionConflict", "None", "None"));
    await assert.rejects(run(reserve, sagaState), { name: "InventoryLocked" });
  });

  it("rejects an order without lines, naming the field, before touching DynamoDB", async () => {
    await assert.rejects(run(reserve, { ...sagaState, items: [] }), /items: must have at least 1 item/);
    assert.equal(ddb.commandCalls(TransactWriteCommand).length, 0);
  });

  it("releases a RESERVED reservation in one transaction: the status flip is conditional, each line is added back", async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: `RESERVATION#${ORDER_ID}`, orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }, { sku: "B", quantity: 1 }], status: "RESERVED", reservedAt: "t0" } });
    ddb.on(TransactWriteCommand).resolves({});
    const { result } = await run(release, { ...sagaState, error: { Error: "PaymentDeclined" } });
    assert.deepEqual(result, { orderId: ORDER_ID, released: true });

    const [flip, ...adds] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems ?? [];
    assert.equal(flip.Update?.ConditionExpression, "#status = :reserved");
    assert.deepEqual(flip.Update?.Key, { pk: `RESERVATION#${ORDER_ID}` });
    assert.equal(flip.Update?.ExpressionAttributeValues?.[":released"], "RELEASED");
    assert.deepEqual(
      adds.map((a) => [a.Update?.Key, a.Update?.UpdateExpression, a.Update?.ExpressionAttributeValues]),
      [
        [{ pk: "SKU#A" }, "ADD #available :quantity", { ":quantity": 3 }],
        [{ pk: "SKU#B" }, "ADD #available :quantity", { ":quantity": 1 }],
      ],
    );
  });

  it("releases nothing when nothing was reserved or it was released before", async () => {
    ddb.on(GetCommand).resolves({});
    assert.deepEqual((await run(release, sagaState)).result, { orderId: ORDER_ID, released: false });
    ddb.on(GetCommand).resolves({ Item: { orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }], status: "RELEASED", reservedAt: "t0" } });
    assert.deepEqual((await run(release, sagaState)).result, { orderId: ORDER_ID, released: false });
    assert.equal(ddb.commandCalls(TransactWriteCommand).length, 0);
  });

  it("releases nothing when a concurrent release flipped the status first", async () => {
    ddb.on(GetCommand).resolves({ Item: { orderId: ORDER_ID, lines: [{ sku: "A", quantity: 3 }], status: "RESERVED", reservedAt: "t0" } });
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed", "None"));
    assert.deepEqual((await run(release, sagaState)).result, { orderId: ORDER_ID, released: false });
  });
});
