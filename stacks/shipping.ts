import { ContainerWorker } from "../components/container-worker";
import { Function } from "../components/function";
import { Queue } from "../components/queue";
import { Table } from "../components/table";
import { EVENTS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { functionDefaults, platformBus, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * Shipping, choreographed: a rule on OrderConfirmed feeds the shipping queue; create-shipment consumes it in batches,
 * records one shipment per order (idempotent under duplicate delivery), queues its label job and publishes
 * OrderShipped. The label worker, the talk's second compute model, is a long-running Fargate service that drains the
 * labels queue, scaled on its backlog.
 */
export async function shippingStack(): Promise<Exports<"shipping">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);
  const bus = platformBus(platform);

  const shipments = new Table("shipments", { partitionKey: { name: "orderId", type: "S" }, ...tableDefaults(settings) });
  const idempotency = new Table("shippingIdempotency", {
    partitionKey: { name: "id", type: "S" },
    timeToLiveAttribute: "expiration",
    ...tableDefaults(settings),
  });

  const labels = new Queue("labels", { alarmTopicArn: platform.alarmTopicArn });
  const createShipment = new Function("createShipment", {
    handler: "shipping/create-shipment.ts",
    environment: {
      SHIPMENTS_TABLE_NAME: shipments.tableName,
      IDEMPOTENCY_TABLE_NAME: idempotency.tableName,
      EVENT_BUS_NAME: bus.busName,
      LABELS_QUEUE_URL: labels.url,
    },
    ...defaults,
  });
  shipments.grant(createShipment, "dynamodb:GetItem", "dynamodb:PutItem");
  idempotency.grantIdempotencyStore(createShipment);
  bus.grantPutEvents(createShipment);
  labels.grantSend(createShipment);

  const labelWorker = new ContainerWorker("labelWorker", {
    queue: labels,
    table: shipments,
    // The worker reads the shipment and records its label on it (handlers/shipping/label-worker/src/labels.ts).
    tableActions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
    vpc: settings.labelWorkerVpc,
    minTasks: settings.labelWorkerTasks.min,
    maxTasks: settings.labelWorkerTasks.max,
    logRetentionInDays: settings.logRetentionDays,
    alarmTopicArn: platform.alarmTopicArn,
  });

  const queue = new Queue("shipping", { alarmTopicArn: platform.alarmTopicArn });
  queue.subscribe(createShipment, { batchSize: 10, maxBatchingWindow: 5 });
  const rule = bus.subscribeQueue("orderConfirmedToShipping", { source: [EVENTS.OrderConfirmed.source], "detail-type": [EVENTS.OrderConfirmed.detailType] }, queue, {
    description: "Every confirmed order is shipped.",
  });

  return {
    shipmentsTableName: shipments.tableName,
    shippingQueueUrl: queue.url,
    shippingRuleArn: rule.arn,
    labelsQueueUrl: labels.url,
    labelWorkerServiceName: labelWorker.serviceName,
  };
}
