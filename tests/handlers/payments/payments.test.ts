import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { DECLINED_CUSTOMER_ID, PROVIDER_UNAVAILABLE_CUSTOMER_ID } from "../../../handlers/payments/simulated-provider";
import { useHandlerEnvironment, captureOutput, lambdaContext, loadHandler, metricValues } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
type Task = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
const state = { orderId: ORDER_ID, customerId: "cust-1", currency: "EUR", total: 2500, items: [{ sku: "A", quantity: 5, unitPrice: 500 }], results: { ReserveStock: { Payload: {} } } };
const conditionFailed = () => new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
const stored = { orderId: ORDER_ID, paymentId: "pay-1", customerId: "cust-1", amount: 2500, currency: "EUR", status: "CHARGED", chargedAt: "t0" };

describe("handlers/payments/charge-payment and refund-payment (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  let charge: Task;
  let refund: Task;
  before(() => {
    charge = loadHandler<{ handler: Task }>("payments/charge-payment.ts", { PAYMENTS_TABLE_NAME: "payments", PAYMENT_DECLINE_ABOVE: "5000" }).handler;
    refund = loadHandler<{ handler: Task }>("payments/refund-payment.ts", { PAYMENTS_TABLE_NAME: "payments" }).handler;
  });
  beforeEach(() => ddb.reset());
  after(() => ddb.restore());
  const run = (task: Task, event: unknown) => captureOutput(() => task(event, lambdaContext()).then((r) => r, (e: Error) => e));

  it("charges an approved order once: records the payment with a conditional put", async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    const { result } = await run(charge, state);
    assert.ok(!(result instanceof Error), String(result));
    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    assert.equal(put.ConditionExpression, "attribute_not_exists(#key)");
    assert.deepEqual(put.ExpressionAttributeNames, { "#key": "orderId" });
    assert.deepEqual({ ...put.Item, paymentId: undefined, chargedAt: undefined }, {
      orderId: ORDER_ID, paymentId: undefined, customerId: "cust-1", amount: 2500, currency: "EUR", status: "CHARGED", chargedAt: undefined,
    });
    assert.deepEqual(result, { orderId: ORDER_ID, paymentId: put.Item?.paymentId, amount: 2500, currency: "EUR", chargedAt: put.Item?.chargedAt });
  });

  it("declines an amount over PAYMENT_DECLINE_ABOVE with a named PaymentDeclined and counts it", async () => {
    ddb.on(GetCommand).resolves({});
    const { result, lines } = await run(charge, { ...state, total: 5001 });
    assert.equal((result as Error).name, "PaymentDeclined");
    assert.match((result as Error).message, /amount over the limit of 5000/);
    assert.deepEqual(metricValues(lines, "PaymentsDeclined"), [1]);
    assert.equal(ddb.commandCalls(PutCommand).length, 0);

    const declined = await run(charge, { ...state, customerId: DECLINED_CUSTOMER_ID });
    assert.equal((declined.result as Error).name, "PaymentDeclined");
  });

  it("throws the transient PaymentProviderUnavailable for the outage test customer, charging nothing", async () => {
    ddb.on(GetCommand).resolves({});
    const { result, lines } = await run(charge, { ...state, customerId: PROVIDER_UNAVAILABLE_CUSTOMER_ID });
    assert.equal((result as Error).name, "PaymentProviderUnavailable");
    assert.deepEqual(metricValues(lines, "PaymentsDeclined"), []);
    assert.equal(ddb.commandCalls(PutCommand).length, 0);
  });

  it("returns the recorded payment on a retried charge, and the winner's when a concurrent put won", async () => {
    ddb.on(GetCommand).resolves({ Item: stored });
    assert.deepEqual((await run(charge, state)).result, { orderId: ORDER_ID, paymentId: "pay-1", amount: 2500, currency: "EUR", chargedAt: "t0" });
    assert.equal(ddb.commandCalls(PutCommand).length, 0);

    ddb.reset();
    ddb.on(GetCommand).resolvesOnce({}).resolves({ Item: stored });
    ddb.on(PutCommand).rejects(conditionFailed());
    assert.equal(((await run(charge, state)).result as Record<string, unknown>).paymentId, "pay-1");
  });

  it("refunds a CHARGED payment in one conditional update", async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { ...stored, status: "REFUNDED" } });
    assert.deepEqual((await run(refund, { ...state, error: { Error: "OutOfStock" } })).result, { orderId: ORDER_ID, refunded: true, paymentId: "pay-1" });
    const update = ddb.commandCalls(UpdateCommand)[0].args[0].input;
    assert.equal(update.ConditionExpression, "attribute_exists(#key) AND #status = :charged");
    assert.equal(update.ExpressionAttributeValues?.[":refunded"], "REFUNDED");
  });

  it("refunds nothing for an order never charged or already refunded", async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({});
    assert.deepEqual((await run(refund, state)).result, { orderId: ORDER_ID, refunded: false });
    ddb.on(GetCommand).resolves({ Item: { ...stored, status: "REFUNDED" } });
    assert.deepEqual((await run(refund, state)).result, { orderId: ORDER_ID, refunded: false, paymentId: "pay-1" });
  });

  it("refuses to load with a malformed PAYMENT_DECLINE_ABOVE or without PAYMENTS_TABLE_NAME, naming each", () => {
    assert.throws(
      () => loadHandler("payments/charge-payment.ts", { PAYMENTS_TABLE_NAME: undefined, PAYMENT_DECLINE_ABOVE: "ten euros" }),
      (error: Error) => {
        assert.equal(error.name, "ConfigurationError");
        assert.match(error.message, /PAYMENTS_TABLE_NAME must be a non-empty value, but it is not set/);
        assert.match(error.message, /PAYMENT_DECLINE_ABOVE must be a whole number of minor units such as "100000", but got "ten euros"/);
        return true;
      },
    );
  });
});
