import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, apiEvent, captureOutput, lambdaContext, loadHandler, metricValues } from "../../helpers/handlers";
import { authorizedBy, customerClaims, machineClaims } from "../../helpers/identity";

type PlaceOrder = typeof import("../../../handlers/orders/place-order");

const body = {
  customerId: "cust-1",
  contact: { email: "jane.doe@example.com", phone: "+4915112345678" },
  items: [
    { sku: "BOOK-1", quantity: 2, unitPrice: 1250 },
    { sku: "PEN-7", quantity: 1, unitPrice: 199 },
  ],
  currency: "EUR",
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
    module = loadHandler<PlaceOrder>("orders/place-order.ts", { ORDERS_TABLE_NAME: "orders" });
  });
  beforeEach(() => ddb.reset());
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
    assert.deepEqual(responseBody(result), { orderId, status: "PENDING", total: 2699, currency: "EUR" });

    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    assert.equal(put.TableName, "orders");
    assert.equal(put.ConditionExpression, "attribute_not_exists(#key)");
    assert.deepEqual(put.ExpressionAttributeNames, { "#key": "orderId" });
    assert.equal(put.Item?.status, "PENDING");
    assert.equal(put.Item?.total, 2699);
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
    const bad = { ...body, currency: "euro", items: [{ sku: "BOOK-1", quantity: 0, unitPrice: 12.5 }, { quantity: 1, unitPrice: 1 }] };
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
    const yen = await post({ body: JSON.stringify({ ...body, currency: "JPY" }) });
    assert.equal(yen.result.statusCode, 201);
  });

  it("answers 400 for a body that is not JSON, for unknown keys and for a total that does not add up", async () => {
    const cases: [string, string][] = [
      ["{not json", "(root)"],
      [JSON.stringify({ ...body, coupon: "FREE" }), "(root)"],
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
    ddb.on(GetCommand).resolves({ Item: stored });

    const { result, lines } = await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-1" } });
    assert.equal(result.statusCode, 201);
    assert.equal(result.headers?.["idempotent-replayed"], "true");
    assert.deepEqual(responseBody(result), responseBody(first.result));
    assert.deepEqual(metricValues(lines, "OrdersPlaced"), [], "a replay is not a new order");
  });

  it("answers 422 naming the header when the key was used for a different order", async () => {
    ddb.on(PutCommand).resolvesOnce({}).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    await post({ body: JSON.stringify(body), headers: { "Idempotency-Key": "k-2" } });
    ddb.on(GetCommand).resolves({ Item: ddb.commandCalls(PutCommand)[0].args[0].input.Item });

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
});
