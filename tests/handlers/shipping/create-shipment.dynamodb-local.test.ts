import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse } from "aws-lambda";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { EVENTS } from "../../../handlers/shared/events";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { busEvent, captureOutput, lambdaContext, loadHandler, metricValues, sqsEvent, useHandlerEnvironment } from "../../helpers/handlers";

const confirmed = (orderId: string) =>
  busEvent(EVENTS.OrderConfirmed.detailType, EVENTS.OrderConfirmed.source, {
    orderId, customerId: "cust-1", contact: { email: "a@b.co" }, items: [{ sku: "A", quantity: 1, unitPrice: 5 }], currency: "EUR", total: 5,
  });
type Consumer = (event: unknown, context: unknown) => Promise<SQSBatchResponse>;
const LABELS_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/labels";

describe("handlers/shipping/create-shipment against DynamoDB Local", () => {
  useHandlerEnvironment();
  // DynamoDB is DynamoDB Local (shipments and the Powertools idempotency table); only EventBridge is mocked.
  const dynamo = useDynamoDBLocal({ shipments: "orderId", idempotency: "id" });
  // Installed when the file runs, not when mocha loads it, so it never leaks into another file's tests.
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
    }).handler;
  });
  beforeEach(() => {
    bus.reset();
    bus.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: "m" });
  });
  after(() => {
    bus.restore();
    sqs.restore();
  });
  const run = (event: unknown) => captureOutput(() => handler(event, lambdaContext("create-shipment")));
  const shipments = async (orderId: string) =>
    ((await dynamo.current.db.send(new ScanCommand({ TableName: "shipments" }))).Items ?? []).filter((i) => i.orderId === orderId);

  it("the same batch delivered twice creates one shipment and publishes one OrderShipped", async () => {
    const orderId = "77777777-7777-4777-8777-777777777777";
    // The batch itself holds a duplicate too: EventBridge and SQS both deliver at least once.
    const batch = sqsEvent([confirmed(orderId), confirmed(orderId)]);
    const first = await run(batch);
    const second = await run(batch);
    assert.deepEqual(first.result, { batchItemFailures: [] });
    assert.deepEqual(second.result, { batchItemFailures: [] });
    assert.equal((await shipments(orderId)).length, 1);
    assert.equal(bus.commandCalls(PutEventsCommand).length, 1);
    assert.equal(sqs.commandCalls(SendMessageCommand).length, 1, "one label job per shipment");
    assert.deepEqual([...metricValues(first.lines, "ShipmentsCreated"), ...metricValues(second.lines, "ShipmentsCreated")], [1]);
    const idempotency = (await dynamo.current.db.send(new ScanCommand({ TableName: "idempotency" }))).Items ?? [];
    assert.ok(idempotency.some((r) => r.status === "COMPLETED" && typeof r.expiration === "number"), JSON.stringify(idempotency));
  });

  it("a delivery whose publish failed is retried: the retry publishes the stored shipment, still one shipment", async () => {
    const orderId = "88888888-8888-4888-8888-888888888888";
    bus.on(PutEventsCommand).rejectsOnce(new Error("throttled")).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e" }] });
    const batch = sqsEvent([confirmed(orderId)]);
    assert.deepEqual((await run(batch)).result.batchItemFailures, [{ itemIdentifier: "msg-0" }]);
    assert.deepEqual((await run(batch)).result.batchItemFailures, []);
    const [shipment] = await shipments(orderId);
    const published = bus.commandCalls(PutEventsCommand).map((c) => JSON.parse(c.args[0].input.Entries?.[0].Detail ?? "") as { shipmentId: string });
    assert.equal(published.length, 2);
    assert.equal(published[1].shipmentId, shipment.shipmentId);
    assert.equal((await shipments(orderId)).length, 1);
  });

  it("different orders in one batch each get their shipment", async () => {
    const ids = ["99999999-9999-4999-8999-999999999991", "99999999-9999-4999-8999-999999999992"];
    await run(sqsEvent(ids.map(confirmed)));
    for (const id of ids) assert.equal((await shipments(id)).length, 1);
  });
});
