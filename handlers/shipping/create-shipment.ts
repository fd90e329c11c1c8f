import { makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import { documentClient, dynamoDbClient, eventBridgeClient, sqsClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { EVENTS, type OrderConfirmed, type OrderShipped } from "../shared/events";
import { eventConsumer } from "../shared/event-consumer";
import { idempotencyConfig, idempotencyStore } from "../shared/idempotency";
import type { LabelJob } from "../shared/label-job";
import { count, logger, METRIC_NAMES } from "../shared/powertools";
import { SHIPMENTS_TABLE_KEY, type ShipmentItem } from "./shipments-table";

// SQS consumer of OrderConfirmed (a bus rule delivers the events to the shipping queue): creates the order's one
// shipment, sends its label job to the labels queue (the Fargate label worker prints it) and publishes OrderShipped. Duplicates are stopped twice over: Powertools idempotency on the order id
// skips a completed order without publishing again, and the conditional put keeps one shipment even when a
// previous attempt stored it but failed before publishing (that retry then publishes the stored shipment).
// Environment: SHIPMENTS_TABLE_NAME, EVENT_BUS_NAME, IDEMPOTENCY_TABLE_NAME, LABELS_QUEUE_URL.

const env = readEnvironment({ SHIPMENTS_TABLE_NAME: nonEmpty, EVENT_BUS_NAME: nonEmpty, IDEMPOTENCY_TABLE_NAME: nonEmpty, LABELS_QUEUE_URL: nonEmpty });
const dynamo = dynamoDbClient();
const db = documentClient(dynamo);
const bus = eventBridgeClient();
const sqs = sqsClient();
const config = idempotencyConfig("orderId");

/** The carrier every simulated shipment goes with. */
export const CARRIER = "orderflow-post";

const ship = makeIdempotent(
  async (order: OrderConfirmed): Promise<{ shipmentId: string; created: boolean }> => {
    const { shipment, created } = await storeShipment(order);
    // Before OrderShipped: a failure here retries the record, and the worker prints one label per shipment however
    // often the job arrives.
    await sendLabelJob(shipment);
    await publishShipped(order, shipment);
    if (created) count(METRIC_NAMES.shipmentsCreated);
    logger.info(created ? "shipment created" : "shipment existed; published again", { shipmentId: shipment.shipmentId });
    return { shipmentId: shipment.shipmentId, created };
  },
  { persistenceStore: idempotencyStore(env.IDEMPOTENCY_TABLE_NAME, dynamo), config },
);

export const handler = eventConsumer({ accepts: ["OrderConfirmed"], idempotency: config, handle: (event) => ship(event.detail) });

async function storeShipment(order: OrderConfirmed): Promise<{ shipment: ShipmentItem; created: boolean }> {
  const shipment: ShipmentItem = {
    orderId: order.orderId,
    shipmentId: `shp-${digest(order.orderId, 16)}`,
    carrier: CARRIER,
    trackingNumber: digest(`tracking\0${order.orderId}`, 12).toUpperCase(),
    createdAt: new Date().toISOString(),
    ...(order.correlationId ? { correlationId: order.correlationId } : {}),
  };
  try {
    await db.send(
      new PutCommand({
        TableName: env.SHIPMENTS_TABLE_NAME,
        Item: shipment,
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": SHIPMENTS_TABLE_KEY },
      }),
    );
    return { shipment, created: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await db.send(new GetCommand({ TableName: env.SHIPMENTS_TABLE_NAME, Key: { [SHIPMENTS_TABLE_KEY]: order.orderId }, ConsistentRead: true }));
  return { shipment: Item as ShipmentItem, created: false };
}

async function sendLabelJob(shipment: ShipmentItem): Promise<void> {
  const job: LabelJob = {
    orderId: shipment.orderId,
    shipmentId: shipment.shipmentId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    ...(shipment.correlationId ? { correlationId: shipment.correlationId } : {}),
  };
  await sqs.send(new SendMessageCommand({ QueueUrl: env.LABELS_QUEUE_URL, MessageBody: JSON.stringify(job) }));
}

async function publishShipped(order: OrderConfirmed, shipment: ShipmentItem): Promise<void> {
  const detail: OrderShipped = {
    orderId: order.orderId,
    customerId: order.customerId,
    contact: order.contact,
    shipmentId: shipment.shipmentId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
    shippedAt: shipment.createdAt,
    ...(order.correlationId ? { correlationId: order.correlationId } : {}),
  };
  const result = await bus.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: env.EVENT_BUS_NAME,
          Source: EVENTS.OrderShipped.source,
          DetailType: EVENTS.OrderShipped.detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );
  // PutEvents answers 200 even when an entry was refused; a refused entry must fail the record so it is retried.
  if ((result.FailedEntryCount ?? 0) > 0) {
    const entry = result.Entries?.[0];
    throw new Error(`EventBridge refused OrderShipped: ${entry?.ErrorCode ?? "unknown"} ${entry?.ErrorMessage ?? ""}`.trim());
  }
}

/** Ids derived from the order id: a redelivery that gets past the idempotency layer still names the same shipment. */
function digest(text: string, length: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}
