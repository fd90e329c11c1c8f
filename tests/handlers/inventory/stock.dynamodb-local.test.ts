import { GetCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { strict as assert } from "node:assert";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { captureOutput, lambdaContext, loadHandler, metricValues, useHandlerEnvironment } from "../../helpers/handlers";

type Task = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const order = (orderId: string, items: { sku: string; quantity: number }[]) => ({
  orderId, customerId: "cust-1", currency: "EUR", total: 100, items: items.map((i) => ({ ...i, unitPrice: 10 })),
});

// reserve-stock's TransactWriteItems and release-stock's, with their conditions, cancellation reasons and
// all-or-nothing writes, as DynamoDB itself evaluates them (DynamoDB Local), not as a mock is told to answer.
describe("handlers/inventory/reserve-stock and release-stock against DynamoDB Local", () => {
  useHandlerEnvironment();
  const dynamo = useDynamoDBLocal({ stock: "pk" });
  let reserve: Task;
  let release: Task;
  before(() => {
    reserve = loadHandler<{ handler: Task }>("inventory/reserve-stock.ts", { STOCK_TABLE_NAME: "stock" }).handler;
    release = loadHandler<{ handler: Task }>("inventory/release-stock.ts", { STOCK_TABLE_NAME: "stock" }).handler;
  });
  const run = (task: Task, event: unknown) => captureOutput(() => task(event, lambdaContext()));
  const seed = (stock: Record<string, number>) =>
    Promise.all(Object.entries(stock).map(([sku, available]) => dynamo.current.db.send(new PutCommand({ TableName: "stock", Item: { pk: `SKU#${sku}`, sku, available } }))));
  const available = async (sku: string) =>
    ((await dynamo.current.db.send(new GetCommand({ TableName: "stock", Key: { pk: `SKU#${sku}` }, ConsistentRead: true }))).Item as { available: number } | undefined)?.available;
  const reservation = async (orderId: string) =>
    (await dynamo.current.db.send(new GetCommand({ TableName: "stock", Key: { pk: `RESERVATION#${orderId}` }, ConsistentRead: true }))).Item;

  it("reserves every line at once: each SKU's stock goes down (repeated SKUs summed) and the reservation is stored", async () => {
    await seed({ "R1-A": 5, "R1-B": 2 });
    const orderId = "a1a1a1a1-0000-4000-8000-000000000001";
    const { result } = await run(reserve, order(orderId, [{ sku: "R1-A", quantity: 2 }, { sku: "R1-B", quantity: 2 }, { sku: "R1-A", quantity: 1 }]));
    assert.deepEqual(result.lines, [{ sku: "R1-A", quantity: 3 }, { sku: "R1-B", quantity: 2 }]);
    assert.equal(await available("R1-A"), 2);
    assert.equal(await available("R1-B"), 0, "the whole stock may be taken");
    assert.equal((await reservation(orderId))?.status, "RESERVED");
  });

  it("a partial shortage cancels the whole transaction: OutOfStock names the short SKU, and nothing is written", async () => {
    await seed({ "R2-A": 10, "R2-B": 1 });
    const orderId = "a1a1a1a1-0000-4000-8000-000000000002";
    const attempt = run(reserve, order(orderId, [{ sku: "R2-A", quantity: 4 }, { sku: "R2-B", quantity: 2 }, { sku: "R2-UNKNOWN", quantity: 1 }]));
    await assert.rejects(attempt, (error: Error & { skus?: string[] }) => {
      assert.equal(error.name, "OutOfStock");
      assert.match(error.message, /R2-B/);
      assert.match(error.message, /R2-UNKNOWN/, "an SKU without stock is out of stock");
      assert.doesNotMatch(error.message, /R2-A/, "the SKU with enough stock is not blamed");
      return true;
    });
    assert.equal(await available("R2-A"), 10, "the line that fitted was not taken either");
    assert.equal(await available("R2-B"), 1);
    assert.equal(await available("R2-UNKNOWN"), undefined, "no stock item was created");
    assert.equal(await reservation(orderId), undefined, "no reservation was stored");
  });

  it("reserving the same order twice takes the stock once and answers the first reservation", async () => {
    await seed({ "R3-A": 3 });
    const orderId = "a1a1a1a1-0000-4000-8000-000000000003";
    const first = await run(reserve, order(orderId, [{ sku: "R3-A", quantity: 2 }]));
    const again = await run(reserve, order(orderId, [{ sku: "R3-A", quantity: 2 }]));
    assert.deepEqual(again.result, first.result);
    assert.equal(await available("R3-A"), 1);
  });

  it("the retry of a reservation whose stock ran out since still answers the reservation it made", async () => {
    await seed({ "R4-A": 2 });
    const orderId = "a1a1a1a1-0000-4000-8000-000000000004";
    const first = await run(reserve, order(orderId, [{ sku: "R4-A", quantity: 2 }]));
    assert.equal(await available("R4-A"), 0);
    // Both conditions fail now (no stock, the reservation exists): the reservation's answer wins over OutOfStock.
    const again = await run(reserve, order(orderId, [{ sku: "R4-A", quantity: 2 }]));
    assert.deepEqual(again.result, first.result);
    assert.deepEqual(metricValues(again.lines, "StockShortages"), []);
  });

  it("release puts every line back once, and a later reservation of the released order is refused", async () => {
    await seed({ "R5-A": 4, "R5-B": 1 });
    const orderId = "a1a1a1a1-0000-4000-8000-000000000005";
    await run(reserve, order(orderId, [{ sku: "R5-A", quantity: 3 }, { sku: "R5-B", quantity: 1 }]));
    assert.equal((await run(release, { orderId })).result.released, true);
    assert.equal((await run(release, { orderId })).result.released, false, "a second release releases nothing");
    assert.equal(await available("R5-A"), 4);
    assert.equal(await available("R5-B"), 1);
    assert.equal((await reservation(orderId))?.status, "RELEASED");
    await assert.rejects(run(reserve, order(orderId, [{ sku: "R5-A", quantity: 1 }])), { name: "ReservationReleased" });
    assert.equal(await available("R5-A"), 4, "the refused reservation took nothing");
  });

  it("two orders racing for the last units: exactly one gets them", async () => {
    await seed({ "R6-A": 3 });
    const ids = ["a1a1a1a1-0000-4000-8000-000000000006", "a1a1a1a1-0000-4000-8000-000000000007"];
    // One capture around both: the handlers' logs interleave.
    const { result: outcomes } = await captureOutput(() =>
      Promise.allSettled(ids.map((id) => reserve(order(id, [{ sku: "R6-A", quantity: 2 }]), lambdaContext()))),
    );
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ["fulfilled", "rejected"]);
    assert.equal(await available("R6-A"), 1);
    const reservations = ((await dynamo.current.db.send(new ScanCommand({ TableName: "stock" }))).Items ?? []).filter((i) => ids.includes(i.orderId));
    assert.equal(reservations.length, 1);
  });
});
