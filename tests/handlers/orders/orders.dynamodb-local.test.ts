import { GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResult } from "aws-lambda";
import { strict as assert } from "node:assert";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { useHandlerEnvironment, apiEvent, captureOutput, lambdaContext, loadHandler } from "../../helpers/handlers";
import { authorizedBy, customerClaims } from "../../helpers/identity";

type Handler<R = unknown> = (event: unknown, context: unknown) => Promise<R>;
const body = {
  customerId: "cust-1",
  contact: { email: "jane.doe@example.com" },
  items: [{ sku: "BOOK-1", quantity: 2 }],
  currency: "EUR",
};
const book = { sku: "BOOK-1", sold: true, prices: { EUR: 1250, USD: 1400 } };

describe("handlers/orders against DynamoDB Local", () => {
  useHandlerEnvironment();
  const dynamo = useDynamoDBLocal({ orders: "orderId", catalog: "sku" });
  const env = { ORDERS_TABLE_NAME: "orders", CATALOG_TABLE_NAME: "catalog", SOLD_CURRENCIES: "EUR,USD" };
  const setPrice = (item: typeof book) => dynamo.current.db.send(new PutCommand({ TableName: "catalog", Item: item }));
  beforeEach(() => setPrice(book));
  let placeOrder: Handler<APIGatewayProxyResult>;
  let getOrder: Handler<APIGatewayProxyResult>;
  let confirm: Handler<Record<string, unknown>>;
  let cancel: Handler<Record<string, unknown>>;
  let enrich: Handler<unknown[]>;
  before(() => {
    placeOrder = loadHandler<{ handler: typeof placeOrder }>("orders/place-order.ts", env).handler;
    getOrder = loadHandler<{ handler: typeof getOrder }>("orders/get-order.ts", env).handler;
    confirm = loadHandler<{ handler: typeof confirm }>("orders/confirm-order.ts", env).handler;
    cancel = loadHandler<{ handler: typeof cancel }>("orders/cancel-order.ts", env).handler;
    enrich = loadHandler<{ handler: typeof enrich }>("orders/order-placed-from-stream.ts", env).handler;
  });

  const call = <R>(handler: Handler<R>, event: unknown) => captureOutput(() => handler(event, lambdaContext())).then((r) => r.result);
  const place = async (key?: string, payload: unknown = body) => {
    const response = await call(
      placeOrder,
      apiEvent({ httpMethod: "POST", body: JSON.stringify(payload), headers: key ? { "Idempotency-Key": key } : {}, requestContext: authorizedBy(customerClaims("cust-1")) }),
    );
    return { response, orderId: (JSON.parse(response.body) as { orderId?: string }).orderId ?? "" };
  };
  const statusOf = async (orderId: string) =>
    ((await dynamo.current.db.send(new GetCommand({ TableName: "orders", Key: { orderId } }))).Item as { status: string } | undefined)?.status;

  it("a retried POST with the same Idempotency-Key returns the same order and stores one", async () => {
    const first = await place("retry-1");
    const second = await place("retry-1");
    assert.equal(first.response.statusCode, 201);
    assert.equal(second.response.statusCode, 201);
    assert.equal(second.orderId, first.orderId);
    assert.equal(second.response.headers?.["idempotent-replayed"], "true");

    const reused = await place("retry-1", { ...body, currency: "USD" });
    assert.equal(reused.response.statusCode, 422, "the conditional put refused to overwrite the first order");
    assert.equal(
      ((await dynamo.current.db.send(new GetCommand({ TableName: "orders", Key: { orderId: first.orderId } }))).Item as { currency: string }).currency,
      "EUR",
    );
  });

  it("GET answers 404 for an unknown order and 200 for a placed one", async () => {
    const asCustomer = { requestContext: authorizedBy(customerClaims("cust-1")) };
    const missing = await call(getOrder, apiEvent({ pathParameters: { id: "00000000-0000-4000-8000-000000000000" }, ...asCustomer }));
    assert.equal(missing.statusCode, 404);
    const { orderId } = await place();
    const found = await call(getOrder, apiEvent({ pathParameters: { id: orderId }, ...asCustomer }));
    const someoneElse = await call(getOrder, apiEvent({ pathParameters: { id: orderId }, requestContext: authorizedBy(customerClaims("cust-2")) }));
    assert.equal(someoneElse.statusCode, 404, "another customer's order is hidden");
    assert.equal(found.statusCode, 200);
    assert.equal((JSON.parse(found.body) as { status: string }).status, "PENDING");
  });

  it("a confirm arriving after the cancel is refused, and the order stays CANCELLED", async () => {
    const { orderId } = await place();
    await call(cancel, { orderId, error: { Error: "PaymentDeclined" } });
    await assert.rejects(call(confirm, { orderId }), { name: "InvalidOrderTransition" });
    assert.equal(await statusOf(orderId), "CANCELLED");
  });

  it("a cancel arriving after the confirm cancels (the saga compensating), and repeats change nothing", async () => {
    const { orderId } = await place();
    await call(confirm, { orderId });
    await call(confirm, { orderId });
    assert.equal(await statusOf(orderId), "CONFIRMED");
    const cancelled = await call(cancel, { orderId, error: { Error: "States.Runtime" } });
    const again = await call(cancel, { orderId, error: { Error: "Other" } });
    assert.equal(await statusOf(orderId), "CANCELLED");
    assert.equal(cancelled.reason, "States.Runtime");
    assert.equal(again.reason, "States.Runtime");
  });

  it("confirming or cancelling an order that does not exist throws OrderNotFound and creates nothing", async () => {
    const orderId = "11111111-1111-4111-8111-111111111111";
    await assert.rejects(call(confirm, { orderId }), { name: "OrderNotFound" });
    assert.equal(await statusOf(orderId), undefined);
  });

  it("the stream enrichment turns the stored item, as the stream carries it, into the saga's input", async () => {
    const { orderId } = await place();
    const { Item } = await dynamo.current.client.send(new GetItemCommand({ TableName: "orders", Key: { orderId: { S: orderId } } }));
    const [placed] = (await call(enrich, [{ eventID: "1", eventName: "INSERT", dynamodb: { NewImage: Item } }])) as { orderId: string; total: number }[];
    assert.equal(placed.orderId, orderId);
    assert.equal(placed.total, 2500);
  });
  it("records the catalog's price at the time of ordering: a later price change does not change a placed order", async () => {
    const { orderId, response } = await place();
    assert.equal(response.statusCode, 201);
    await setPrice({ ...book, prices: { EUR: 9999, USD: 9999 } });
    const asCustomer = { requestContext: authorizedBy(customerClaims("cust-1")) };
    const found = JSON.parse((await call(getOrder, apiEvent({ pathParameters: { id: orderId }, ...asCustomer }))).body) as { items: unknown; total: number };
    assert.deepEqual(found.items, [{ sku: "BOOK-1", quantity: 2, unitPrice: 1250 }]);
    assert.equal(found.total, 2500);
    const later = await place();
    assert.equal((JSON.parse(later.response.body) as { total: number }).total, 19998, "a new order takes the new price");
  });

  it("refuses a client's price that differs from the catalog's and stores nothing", async () => {
    const { response } = await place("tamper-1", { ...body, items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1 }] });
    assert.equal(response.statusCode, 400);
    assert.deepEqual((JSON.parse(response.body) as { fields: { path: string }[] }).fields.map((f) => f.path), ["items[0].unitPrice"]);
    const { Count } = await dynamo.current.client.send(new ScanCommand({ TableName: "orders", Select: "COUNT" }));
    const before = Count ?? 0;
    await place("tamper-2", { ...body, items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1 }] });
    const after = (await dynamo.current.client.send(new ScanCommand({ TableName: "orders", Select: "COUNT" }))).Count ?? 0;
    assert.equal(after, before);
  });
});
