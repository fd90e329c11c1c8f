import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResult } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, apiEvent, captureOutput, lambdaContext, loadHandler } from "../../helpers/handlers";
import { authorizedBy, customerClaims, machineClaims } from "../../helpers/identity";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";

describe("handlers/orders/get-order (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  let handler: (event: unknown, context: unknown) => Promise<APIGatewayProxyResult>;
  before(() => {
    handler = loadHandler<{ handler: typeof handler }>("orders/get-order.ts", { ORDERS_TABLE_NAME: "orders" }).handler;
  });
  beforeEach(() => ddb.reset());
  after(() => ddb.restore());

  // Signed in as customer "c" unless the test says otherwise.
  const get = (id: string, claims: Record<string, string> | null = customerClaims("c")) =>
    captureOutput(() => handler(apiEvent({ pathParameters: { id }, ...(claims ? { requestContext: authorizedBy(claims) } : {}) }), lambdaContext())).then((r) => r.result);
  const stored = {
    orderId: ORDER_ID, status: "CONFIRMED", customerId: "c", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }],
    currency: "EUR", total: 5, placedAt: "t0", updatedAt: "t1", correlationId: "x", requestHash: "h", idempotencyKeyHash: "k",
  };

  it("answers 404 with a JSON error when the order does not exist", async () => {
    ddb.on(GetCommand).resolves({});
    const result = await get(ORDER_ID);
    assert.equal(result.statusCode, 404);
    assert.deepEqual(JSON.parse(result.body), { error: "OrderNotFound", message: `Order ${ORDER_ID} does not exist.` });
    assert.deepEqual(ddb.commandCalls(GetCommand)[0].args[0].input, { TableName: "orders", Key: { orderId: ORDER_ID } });
  });

  it("answers 200 with the order, without its bookkeeping hashes", async () => {
    ddb.on(GetCommand).resolves({ Item: stored });
    const result = await get(ORDER_ID);
    assert.equal(result.statusCode, 200);
    const body = JSON.parse(result.body) as Record<string, unknown>;
    assert.equal(body.status, "CONFIRMED");
    assert.ok(!("requestHash" in body) && !("idempotencyKeyHash" in body) && !("contact" in body));
  });

  it("answers 404 for another customer's order, exactly as for one that does not exist", async () => {
    ddb.on(GetCommand).resolves({ Item: stored });
    const theirs = await get(ORDER_ID, customerClaims("someone-else"));
    ddb.on(GetCommand).resolves({});
    const missing = await get(ORDER_ID, customerClaims("someone-else"));
    assert.equal(theirs.statusCode, 404);
    assert.equal(theirs.body, missing.body);
  });

  it("lets a machine client with orders/read read any order, and refuses one without it (403)", async () => {
    ddb.on(GetCommand).resolves({ Item: stored });
    assert.equal((await get(ORDER_ID, machineClaims("reader00000000000000000000"))).statusCode, 200);
    const writer = await get(ORDER_ID, machineClaims("backoffice0000000000000000", ["orders/write"]));
    assert.equal(writer.statusCode, 403);
    assert.match(JSON.parse(writer.body).message, /lacks the orders\/read scope/);
  });

  it("answers 401 when invoked without the authorizer's claims, before reading anything", async () => {
    const result = await get(ORDER_ID, null);
    assert.equal(result.statusCode, 401);
    assert.equal(ddb.commandCalls(GetCommand).length, 0);
  });

  it("answers 400 naming the path parameter when the id is not an order id", async () => {
    const result = await get("../../etc");
    assert.equal(result.statusCode, 400);
    assert.deepEqual((JSON.parse(result.body) as { fields: { path: string }[] }).fields.map((f) => f.path), ["pathParameters.id"]);
    assert.equal(ddb.commandCalls(GetCommand).length, 0);
  });
});
