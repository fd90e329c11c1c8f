import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse } from "aws-lambda";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { EVENTS, orderShipped } from "../../../handlers/shared/events";
import { labelJob } from "../../../handlers/shared/label-job";
import { useHandlerEnvironment, busEvent, captureOutput, lambdaContext, loadHandler, metricValues, sqsEvent } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const confirmed = {
  orderId: ORDER_ID, customerId: "cust-1", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }],
  currency: "EUR", total: 5, correlationId: "corr-1",
};
const confirmedEvent = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, confirmed);
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;
const LABELS_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/labels";

describe("handlers/shipping/create-shipment (unit)", () => {
  useHandlerEnvironment();
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
  const ddbMock = () => mockClient(DynamoDBDocumentClient);
  let ddb: ReturnType<typeof ddbMock>;
  before(() => {
    ddb = ddbMock();
  });
  const busMock = () => mockClient(EventBridgeClient);
  let bus: ReturnType<typeof busMock>;
  before(() => {
    bus = busMock();
  });
  const sqsMock = () => mockClient(SQSClient);
  let sqs: ReturnType<typeof sqsMock>;
  before(() => {
    sqs = sqsMock();
  });
  let handler: Consumer;
  before(() => {
    handler = loadHandler<{ handler: Consumer }>("shipping/create-shipment.ts", {
      SHIPMENTS_TABLE_NAME: "shipments", EVENT_BUS_NAME: "orders", IDEMPOTENCY_TABLE_NAME: "idempotency", LABELS_QUEUE_URL: LABELS_QUEUE_URL,
      // Idempotency has its own tests against DynamoDB Local; here each branch runs every time.
      POWERTOOLS_IDEMPOTENCY_DISABLED: "true",
    }).handler;
  });
  beforeEach(() => {
    ddb.reset();
    bus.reset();
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e1" }] });
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: "m1" });
  });
  after(() => {
    ddb.restore();
    bus.restore();
    sqs.restore();
  });
  const run = (event: unknown) => captureOutput(() => handler(event, lambdaContext()));

  it("stores one shipment per order with a conditional put and publishes OrderShipped to the bus", async () => {
    ddb.on(PutCommand).resolves({});
    const { result, lines } = await run(sqsEvent([confirmedEvent]));
    assert.deepEqual(result, { batchItemFailures: [] });

    const put = ddb.commandCalls(PutCommand)[0].args[0].input;
    assert.equal(put.TableName, "shipments");
    assert.equal(put.ConditionExpression, "attribute_not_exists(#key)");
    const [entry] = bus.commandCalls(PutEventsCommand)[0].args[0].input.Entries ?? [];
    assert.equal(entry.EventBusName, "orders");
    assert.equal(entry.Source, "orderflow.shipping");
    assert.equal(entry.DetailType, "OrderShipped");
    const detail = JSON.parse(entry.Detail ?? "") as Record<string, unknown>;
    assert.ok(orderShipped.safeParse(detail).success, entry.Detail);
    assert.equal(detail.shipmentId, put.Item?.shipmentId);
    assert.equal(detail.correlationId, "corr-1");
    assert.deepEqual(metricValues(lines, "ShipmentsCreated"), [1]);
    assert.ok(lines.some((l) => l.message === "shipment created" && l.correlation_id === "corr-1"), "logs carry the order's correlation id");
    const send = sqs.commandCalls(SendMessageCommand)[0].args[0].input;
    assert.equal(send.QueueUrl, LABELS_QUEUE_URL);
    const job = JSON.parse(send.MessageBody ?? "");
    assert.ok(labelJob.safeParse(job).success, send.MessageBody);
    assert.deepEqual(
      { orderId: job.orderId, shipmentId: job.shipmentId, trackingNumber: job.trackingNumber },
      { orderId: ORDER_ID, shipmentId: put.Item?.shipmentId, trackingNumber: put.Item?.trackingNumber },
    );
  });

  it("fails the record, before announcing the shipment, when the label job cannot be sent", async () => {
    ddb.on(PutCommand).resolves({});
    sqs.on(SendMessageCommand).rejects(new Error("queue unavailable"));
    const { result } = await run(sqsEvent([confirmedEvent]));
    assert.equal(result.batchItemFailures.length, 1);
    assert.equal(bus.commandCalls(PutEventsCommand).length, 0, "no OrderShipped for a shipment whose label was not queued");
  });

  it("publishes the stored shipment, without counting a new one, when the order already has one", async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
    ddb.on(GetCommand).resolves({ Item: { orderId: ORDER_ID, shipmentId: "shp-old", carrier: "c", trackingNumber: "T1", createdAt: "t0" } });
    const { result, lines } = await run(sqsEvent([confirmedEvent]));
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.equal((JSON.parse(bus.commandCalls(PutEventsCommand)[0].args[0].input.Entries?.[0].Detail ?? "") as { shipmentId: string }).shipmentId, "shp-old");
    assert.deepEqual(metricValues(lines, "ShipmentsCreated"), []);
  });

  it("fails only the malformed or unexpected records of a batch", async () => {
    ddb.on(PutCommand).resolves({});
    const cancelledEvent = busEvent(EVENTS.OrderCancelled.detailType, EVENTS.OrderCancelled.source, { ...confirmed, reason: "x" });
    const missingItems = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, { ...confirmed, items: undefined });
    const { result, lines } = await run(sqsEvent(["not json", confirmedEvent, cancelledEvent, missingItems]));
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }, { itemIdentifier: "msg-2" }, { itemIdentifier: "msg-3" }]);
    assert.equal(bus.commandCalls(PutEventsCommand).length, 1);
    const reasons = lines.filter((l) => l.message === "rejected malformed message").map((l) => l.reason);
    assert.ok(reasons.some((r) => /detail\.items: is required/.test(String(r))), JSON.stringify(reasons));
  });

  it("logs each record under its own order and correlation id", async () => {
    ddb.on(PutCommand).resolves({});
    const other = "1b1c2d3e-4f50-4617-8899-aabbccddeeff";
    const second = busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, { ...confirmed, orderId: other, correlationId: "corr-2" });
    const { lines } = await run(sqsEvent([confirmedEvent, second]));
    const created = lines.filter((l) => l.message === "shipment created").map((l) => [l.orderId, l.correlation_id]);
    assert.deepEqual(created, [[ORDER_ID, "corr-1"], [other, "corr-2"]]);
  });

  it("fails the record when EventBridge refuses the entry, so the message is retried", async () => {
    ddb.on(PutCommand).resolves({});
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InternalFailure", ErrorMessage: "try again" }] });
    const { result } = await run(sqsEvent([confirmedEvent]));
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
  });
});
