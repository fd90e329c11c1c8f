import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyResult } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { useHandlerEnvironment, apiEvent, captureOutput, lambdaContext, loadHandler } from "../../helpers/handlers";

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

  const get = (id: string) => captureOutput(() => handler(apiEvent({ pathParameters: { id } }), lambdaContext())).then((r) => r.result);

  it("answers 404 with a JSON error when the order does not exist", async () => {
    ddb.on(GetCommand).resolves({});
    const result = await get(ORDER_ID);
    assert.equal(result.statusCode, 404);
    assert.deepEqual(JSON.parse(result.body), { error: "OrderNotFound", message: `Order ${ORDER_ID} does not exist.` });
    assert.deepEqual(ddb.commandCalls(GetCommand)[0].args[0].input, { TableName: "orders", Key: { orderId: ORDER_ID } });
  });

  it("answers 200 with the order, without its bookkeeping hashes", async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        orderId: ORDER_ID, status: "CONFIRMED", customerId: "c", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }],
        currency: "EUR", total: 5, placedAt: "t0", updatedAt: "t1", correlationId: "x", requestHash: "h", idempotencyKeyHash: "k",
      },
    });
    const result = await get(ORDER_ID);
    assert.equal(result.statusCode, 200);
    const body = JSON.parse(result.body) as Record<string, unknown>;
    assert.equal(body.status, "CONFIRMED");
    assert.ok(!("requestHash" in body) && !("idempotencyKeyHash" in body) && !("contact" in body));
  });

  it("answers 400 naming the path parameter when the id is not an order id", async () => {
    const result = await get("../../etc");
    assert.equal(result.statusCode, 400);
    assert.deepEqual((JSON.parse(result.body) as { fields: { path: string }[] }).fields.map((f) => f.path), ["pathParameters.id"]);
    assert.equal(ddb.commandCalls(GetCommand).length, 0);
  });
});
