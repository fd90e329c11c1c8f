import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, type GetCommandInput } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, apiEvent, captureOutput, lambdaContext, loadHandler, metricValues } from "../../helpers/handlers";
import { authorizedBy, customerClaims, machineClaims } from "../../helpers/identity";

type PlaceOrder = typeof import("../../../handlers/orders/place-order");

// The customer sends SKUs and quantities; the catalog has the prices.
const body = {
  customerId: "cust-1",
  contact: { email: "jane.doe@example.com", phone: "+4915112345678" },
  items: [
    { sku: "BOOK-1", quantity: 2 },
    { sku: "PEN-7", quantity: 1 },
  ],
  currency: "EUR",
};

/** The catalog table as DynamoDB holds it: BOOK-1 at €12.50 (¥1,800), PEN-7 at €1.99, a withdrawn SKU, a USD-only one. */
const CATALOG: Record<string, Record<string, unknown>> = {
  "BOOK-1": { sku: "BOOK-1", sold: true, prices: { EUR: 1250, JPY: 1800 } },
  "PEN-7": { sku: "PEN-7", sold: true, prices: { EUR: 199 } },
  "OLD-1": { sku: "OLD-1", sold: false, prices: { EUR: 500 } },
  "US-ONLY": { sku: "US-ONLY", sold: true, prices: { USD: 900 } },
};

describe("handlers/orders/place-order (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  let module: PlaceOrder;
  before(() => {
    module = loadHandler<PlaceOrder>("orders/place-order.ts", { ORDERS_TABLE_NAME: "orders", CATALOG_TABLE_NAME: "catalog", SOLD_CURRENCIES: "EUR,JPY" });
  });
  // GetItem on the catalog answers with the item of the key asked for, as DynamoDB does (an unknown key: no Item).
  const answerFromCatalog = (catalog: Record<string, Record<string, unknown>>) =>
    ddb.on(GetCommand, { TableName: "catalog" }).callsFake((input: GetCommandInput) => {
      const item = catalog[String(input.Key?.sku)];
      return item ? { Item: item } : {};
    });
  const catalogReads = () => ddb.commandCalls(GetCommand).filter((c) => c.args[0].input.TableName === "catalog");
  beforeEach(() => {
    ddb.reset();
    answerFromCatalog(CATALOG);
  });
  after(() => ddb.restore());

  // Signed in as cust-1 unless the test says otherwise, as the Cognito authorizer leaves the request.
  const post = (overrides: Partial<APIGatewayProxyEvent>, claims: Record<string, string> | null = customerClaims("cust-1")) =>
    captureOutput(
      () =>
        module.handler(
          apiEvent({ httpMethod: "POST", requestContext: claims ? authorizedBy(claims) : apiEvent().requestContext, ...overrides }),
          lambdaContext(),
        ) as Promise<APIGatewayProxyResult>,
    );
  const responseBody = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;

  it("writes a PENDING order with a conditional put and answers 201 with its id and Location", async () => {
    ddb.on(PutCommand).resolves({});
    const { result, lines } = await post({ body: JSON.stringify(body) });

    assert.equal(result.statusCode, 201);
    const { orderId } = responseBody(result) as { orderId: string };
    assert.match(orderId, /^[0-9a-f-]{36}$/);
    assert.equal(result.headers?.location, `/dev/orders/${orderId}`);
    const priced = [
      { sku: "BOOK-1", quantity: 2, unitPrice: 1250 },
      { sku: "PEN-7", quantity: 1, unitPrice: 199 },
    ];
    assert.deepEqual(responseBody(result), { orderId, status: "PENDING", items: priced, total: 2699, currency: "EUR" });

    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    assert.equal(put.TableName, "orders");
    assert.equal(put.ConditionExpression, "attribute_not_exists(#key)");
    assert.deepEqual(put.ExpressionAttributeNames, { "#key": "orderId" });
    assert.equal(put.Item?.status, "PENDING");
    assert.equal(put.Item?.total, 2699);
    assert.deepEqual(put.Item?.items, priced, "the catalog's prices at the time of ordering are recorded on the order");
    assert.deepEqual(catalogReads().map((c) => c.args[0].input.Key), [{ sku: "BOOK-1" }, { sku: "PEN-7" }]);
    assert.equal(put.Item?.correlationId, "api-request-1");
    assert.deepEqual(metricValues(lines, "OrdersPlaced"), [1]);
  });

  it("keeps the customer's address and phone out of the logs", async () => {
    ddb.on(PutCommand).resolves({});
    const { lines } = await post({ body: JSON.stringify(body) });
    const text = JSON.stringify(lines);
    assert.ok(!text.includes("jane.doe@example.com") && !text.includes("+4915112345678"), text);
  });

  it("answers 400 naming every invalid field, without a stack trace, and writes nothing", async () => {
    const bad = { ...body, currency: "euro", items: [{ sku: "BOOK-1", quantity: 0, unitPrice: 12.5 }, { quantity: 1 }] };
    const { result } = await post({ body: JSON.stringify(bad) });
    assert.equal(result.statusCode, 400);
    const parsed = responseBody(result) as { error: string; fields: { path: string }[] };
    assert.equal(parsed.error, "ValidationError");
    assert.deepEqual(parsed.fields.map((f) => f.path).sort(), ["currency", "items[0].quantity", "items[0].unitPrice", "items[1].sku"]);
    assert.ok(!result.body.includes("    at "), "no stack trace in the response");
    assert.equal(ddb.commandCalls(PutCommand).length, 0);
  });

  it("answers 400 for three capital letters that are no ISO 4217 currency, and takes a currency without minor units", async () => {
    const { result } = await post({ body: JSON.stringify({ ...body, currency: "QQQ" }) });
    assert.equal(result.statusCode, 400);
    const parsed = responseBody(result) as { fields: { path: string; message: string }[] };
    assert.deepEqual(parsed.fields.map((f) => f.path), ["currency"]);
    assert.match(parsed.fields[0].message, /is not an ISO 4217 currency code/);
    assert.equal(ddb.commandCalls(PutCommand).length, 0);
    ddb.on(PutCommand).resolves({});
    const yen = await post({ body: JSON.stringify({ ...body, items: [{ sku: "BOOK-1", quantity: 1 }], currency: "JPY" }) });
    assert.equal(yen.result.statusCode, 201);
    assert.equal(responseBody(yen.result).total, 1800, "priced in yen from the catalog");
  });

  it("answers 400 for a body that is not JSON, for unknown keys and for a total that does not add up", async () => {
    const cases: [string, string][] = [
      ["{not json", "(root)"],
      [JSON.stringify({ ...body, coupon: "FREE" }), "(root)"],
      [JSON.stringify({ ...body, items: [{ sku: "BOOK-1", quantity: 1, discount: 100 }] }), "items[0]"],
      [JSON.stringify({ ...body, total: 1 }), "total"],
      [JSON.stringify({ ...body, items: [] }), "items"],
    ];
    for (const [text, path] of cases) {
      const { result } = await post({ body: text });
      assert.equal(result.statusCode, 400, text);
      assert.deepEqual((responseBody(result) as { fields: { path: string }[] }).fields.map((f) => f.path), [path], text);
    }
  });

  it("derives the order id from the customer and Idempotency-Key, so a retry targets the same order", async () => {
    ddb.on(PutCommand).resolves({});
    const first = await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-123" } });
    const again = await post({ body: JSON.stringify(body), headers: { "idempotency-key": "k-123" } });
    const other = await post({ body: JSON.stringify({ ...body, customerId: "cust-2" }), headers: { "Idempotency-Key": "k-123" } }, customerClaims("cust-2"));
    const id = (r: APIGatewayProxyResult) => responseBody(r).orderId;
    assert.equal(id(first.result), module.orderIdFor("cust-1", "k-123"));
    assert.equal(id(again.result), id(first.result));
    assert.notEqual(id(other.result), id(first.result));
  });

  it("replays the stored order (201, same id) when the conditional put finds the same request", async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    const first = await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-1" } });
    const stored = ddb.commandCalls(PutCommand)[0].args[0].input.Item;
    ddb.on(GetCommand, { TableName: "orders" }).resolves({ Item: stored });

    const { result, lines } = await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-1" } });
    assert.equal(result.statusCode, 201);
    assert.equal(result.headers?.["idempotent-replayed"], "true");
    assert.deepEqual(responseBody(result), responseBody(first.result));
    assert.deepEqual(metricValues(lines, "OrdersPlaced"), [], "a replay is not a new order");
  });

  it("answers 422 naming the header when the key was used for a different order", async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-2" } });
    ddb.on(GetCommand, { TableName: "orders" }).resolves({ Item: ddb.commandCalls(PutCommand)[0].args[0].input.Item });

    const changed = { ...body, items: [{ sku: "BOOK-1", quantity: 3, unitPrice: 1250 }] };
    const { result } = await post({ body: JSON.stringify(changed), headers: { "Idempotency-Key": "k-2" } });
    assert.equal(result.statusCode, 422);
    assert.deepEqual((responseBody(result) as { fields: { path: string }[] }).fields.map((f) => f.path), ["headers.Idempotency-Key"]);
  });

  it("answers 400 for a malformed Idempotency-Key", async () => {
    const { result } = await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "has spaces" } });
    assert.equal(result.statusCode, 400);
    assert.deepEqual((responseBody(result) as { fields: { path: string }[] }).fields.map((f) => f.path), ["Idempotency-Key"]);
  });

  it("takes the customer from the token: a body without customerId orders in the caller's name", async () => {
    ddb.on(PutCommand).resolves({});
    const { customerId: _named, ...anonymous } = body;
    const { result } = await post({ body: JSON.stringify(anonymous) }, customerClaims("0c9a5e1e-6f00-4d6b-9a43-1f2e3d4c5b6a"));
    assert.equal(result.statusCode, 201);
    assert.equal(ddb.commandCalls(PutCommand)[0].args[0].input.Item?.customerId, "0c9a5e1e-6f00-4d6b-9a43-1f2e3d4c5b6a");
  });

  it("refuses with 403 a body naming another customer, and writes nothing", async () => {
    const { result } = await post({ body: JSON.stringify({ ...body, customerId: "cust-2" }) });
    assert.equal(result.statusCode, 403);
    assert.equal(responseBody(result).error, "Forbidden");
    assert.match(String(responseBody(result).message), /names customer cust-2, but you are signed in as cust-1/);
    assert.equal(ddb.commandCalls(PutCommand).length, 0);
  });

  it("lets a machine client with orders/write order in the customer's name it gives, and only then", async () => {
    ddb.on(PutCommand).resolves({});
    const placed = await post({ body: JSON.stringify({ ...body, customerId: "cust-9" }) }, machineClaims());
    assert.equal(placed.result.statusCode, 201);
    assert.equal(ddb.commandCalls(PutCommand)[0].args[0].input.Item?.customerId, "cust-9");

    const { customerId: _named, ...anonymous } = body;
    const unnamed = await post({ body: JSON.stringify(anonymous) }, machineClaims());
    assert.equal(unnamed.result.statusCode, 400);
    assert.deepEqual((responseBody(unnamed.result) as { fields: { path: string }[] }).fields.map((f) => f.path), ["customerId"]);

    const readOnly = await post({ body: JSON.stringify(body) }, machineClaims("reader00000000000000000000"));
    assert.equal(readOnly.result.statusCode, 403);
    assert.match(String(responseBody(readOnly.result).message), /lacks the orders\/write scope/);
    assert.equal(ddb.commandCalls(PutCommand).length, 1);
  });

  it("answers 401 when invoked without the authorizer's claims", async () => {
    const { result } = await post({ body: JSON.stringify(body) }, null);
    assert.equal(result.statusCode, 401);
    assert.equal(responseBody(result).error, "Unauthenticated");
    assert.equal(ddb.commandCalls(PutCommand).length, 0);
  });

  it("answers 500 without internals when DynamoDB fails, echoing the correlation id", async () => {
    ddb.on(PutCommand).rejects(new Error("socket hang up at 10.0.0.1"));
    const { result } = await post({ body: JSON.stringify(body), headers: { "X-Correlation-Id": "corr-42" } });
    assert.equal(result.statusCode, 500);
    assert.equal(result.headers?.["x-correlation-id"], "corr-42");
    assert.ok(!result.body.includes("10.0.0.1") && !result.body.includes(" at "), result.body);
    assert.match(result.body, /corr-42/);
  });
  describe("prices come from the catalog", () => {
    const fields = (r: APIGatewayProxyResult) => (responseBody(r) as { fields: { path: string; message: string }[] }).fields;

    it("refuses a unitPrice that differs from the catalog's (400 naming the field), writes nothing, and takes one that matches", async () => {
      ddb.on(PutCommand).resolves({});
      const tampered = { ...body, items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1 }] };
      const { result } = await post({ body: JSON.stringify(tampered) });
      assert.equal(result.statusCode, 400);
      assert.deepEqual(fields(result).map((f) => f.path), ["items[0].unitPrice"]);
      assert.match(fields(result)[0].message, /is 1, but BOOK-1 costs 1250 \(€12\.50\)/);
      assert.equal(ddb.commandCalls(PutCommand).length, 0, "nothing written, so no saga starts and nothing is charged");

      const honest = await post({ body: JSON.stringify({ ...body, items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1250 }], total: 1250 }) });
      assert.equal(honest.result.statusCode, 201);
      assert.equal(ddb.commandCalls(PutCommand)[0].args[0].input.Item?.total, 1250);
    });

    it("refuses a total that differs from the lines at the catalog's prices", async () => {
      const { result } = await post({ body: JSON.stringify({ ...body, total: 1 }) });
      assert.equal(result.statusCode, 400);
      assert.deepEqual(fields(result).map((f) => f.path), ["total"]);
      assert.match(fields(result)[0].message, /add up to 2699/);
      assert.equal(ddb.commandCalls(PutCommand).length, 0);
    });

    it("answers 400 naming each SKU that is unknown, not sold, or has no price in the currency", async () => {
      const items = [
        { sku: "BOOK-1", quantity: 1 },
        { sku: "NOPE-9", quantity: 1 },
        { sku: "OLD-1", quantity: 1 },
        { sku: "US-ONLY", quantity: 1 },
      ];
      const { result } = await post({ body: JSON.stringify({ ...body, items }) });
      assert.equal(result.statusCode, 400);
      assert.deepEqual(fields(result), [
        { path: "items[1].sku", message: "NOPE-9 is not in the catalog" },
        { path: "items[2].sku", message: "OLD-1 is not sold any more" },
        { path: "items[3].sku", message: "US-ONLY has no price in EUR (it is priced in USD)" },
      ]);
      assert.equal(ddb.commandCalls(PutCommand).length, 0);
    });

    it("takes only the currencies the environment sells", async () => {
      const { result } = await post({ body: JSON.stringify({ ...body, items: [{ sku: "US-ONLY", quantity: 1 }], currency: "USD" }) });
      assert.equal(result.statusCode, 400);
      assert.deepEqual(fields(result), [{ path: "currency", message: "USD is not a currency this shop sells in; it sells in EUR, JPY" }]);
      assert.equal(ddb.commandCalls(PutCommand).length, 0);
    });

    it("prices the back office's orders (orders/write) the same way", async () => {
      ddb.on(PutCommand).resolves({});
      const tampered = await post({ body: JSON.stringify({ ...body, customerId: "cust-9", items: [{ sku: "PEN-7", quantity: 3, unitPrice: 1 }] }) }, machineClaims());
      assert.equal(tampered.result.statusCode, 400);
      assert.deepEqual(fields(tampered.result).map((f) => f.path), ["items[0].unitPrice"]);
      const placed = await post({ body: JSON.stringify({ ...body, customerId: "cust-9", items: [{ sku: "PEN-7", quantity: 3 }] }) }, machineClaims());
      assert.equal(placed.result.statusCode, 201);
      assert.equal(ddb.commandCalls(PutCommand)[0].args[0].input.Item?.total, 597);
    });

    it("reads each SKU once, however many lines name it", async () => {
      ddb.on(PutCommand).resolves({});
      const { result } = await post({ body: JSON.stringify({ ...body, items: [{ sku: "PEN-7", quantity: 1 }, { sku: "BOOK-1", quantity: 1 }, { sku: "PEN-7", quantity: 2 }] }) });
      assert.equal(result.statusCode, 201);
      assert.deepEqual(catalogReads().map((c) => c.args[0].input.Key), [{ sku: "PEN-7" }, { sku: "BOOK-1" }]);
      assert.equal(responseBody(result).total, 3 * 199 + 1250);
    });

    it("answers 500, not 400, when a catalog item breaks the catalog's contract (the shop's fault, not the customer's)", async () => {
      answerFromCatalog({ ...CATALOG, "BOOK-1": { sku: "BOOK-1", sold: true, prices: { EUR: "12.50" } } });
      const { result } = await post({ body: JSON.stringify(body) });
      assert.equal(result.statusCode, 500);
      assert.equal(ddb.commandCalls(PutCommand).length, 0);
    });

    it("replays a retried order whose price changed since it was placed, at the price it was placed at", async () => {
      ddb.on(PutCommand).resolves({});
      const sent = { ...body, items: [{ sku: "BOOK-1", quantity: 1, unitPrice: 1250 }] };
      const first = await post({ body: JSON.stringify(sent), headers: { "Idempotency-Key": "k-price" } });
      const stored = ddb.commandCalls(PutCommand)[0].args[0].input.Item;
      ddb.on(GetCommand, { TableName: "orders" }).resolves({});
      ddb.on(GetCommand, { TableName: "orders", Key: { orderId: stored?.orderId } }).resolves({ Item: stored });
      answerFromCatalog({ ...CATALOG, "BOOK-1": { sku: "BOOK-1", sold: true, prices: { EUR: 1500 } } });
      const retry = await post({ body: JSON.stringify(sent), headers: { "Idempotency-Key": "k-price" } });
      assert.equal(retry.result.statusCode, 201);
      assert.equal(retry.result.headers?.["idempotent-replayed"], "true");
      assert.deepEqual(responseBody(retry.result), responseBody(first.result));
      const fresh = await post({ body: JSON.stringify(sent), headers: { "Idempotency-Key": "k-new" } });
      assert.equal(fresh.result.statusCode, 400, "a new order with the old price is refused");
    });
  });
});
