import { Function } from "../components/function";
import { Queue } from "../components/queue";
import { Table } from "../components/table";
import { Topic } from "../components/topic";
import { EVENTS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { functionDefaults, platformBus, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * Notifications, the talk's fan-out: one rule sends OrderConfirmed, OrderCancelled and OrderShipped to the
 * notifications topic, which fans out to an email queue (every event) and an SMS queue (OrderShipped only, by a filter
 * policy on the message body), each consumed by its own function.
 */
export async function notificationsStack(): Promise<Exports<"notifications">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);
  const bus = platformBus(platform);

  // EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key: the topic owns a customer key.
  // Traced through the account's X-Ray resource policy for SNS (the account's bootstrap stack holds it).
  const topic = new Topic("notifications", {
    customerManagedKey: true,
    alarmTopicArn: platform.alarmTopicArn,
    xrayResourcePolicy: reference(id.env, "bootstrap").snsTracingPolicyName,
  });
  const notified = ["OrderConfirmed", "OrderCancelled", "OrderShipped"] as const;
  const rule = bus.subscribeTopic(
    "orderEventsToNotifications",
    { $or: notified.map((e) => ({ source: [EVENTS[e].source], "detail-type": [EVENTS[e].detailType] })) },
    topic,
    { description: "Customers hear of every order outcome and every shipment." },
  );

  // What would be sent is recorded in the functions' structured logs; the table only makes duplicates harmless.
  const idempotency = new Table("notificationsIdempotency", { partitionKey: { name: "id", type: "S" }, timeToLiveAttribute: "expiration", ...tableDefaults(settings) });

  const channel = (name: "email" | "sms", filterPolicy?: Record<string, string[]>) => {
    const fn = new Function(`send${name === "email" ? "Email" : "Sms"}`, {
      handler: `notifications/send-${name}.ts`,
      environment: { IDEMPOTENCY_TABLE_NAME: idempotency.tableName },
      ...defaults,
    });
    idempotency.grantReadWrite(fn);
    const queue = new Queue(name, { alarmTopicArn: platform.alarmTopicArn });
    // Raw delivery: the queue's messages are the EventBridge events themselves, which the handlers parse.
    topic.subscribeQueue(queue, { rawMessageDelivery: true, ...(filterPolicy ? { filterPolicy, filterPolicyScope: "MessageBody" } : {}) });
    queue.subscribe(fn, { batchSize: 10 });
    return queue;
  };
  const email = channel("email");
  const sms = channel("sms", { "detail-type": [EVENTS.OrderShipped.detailType] });

  return { notificationsTopicArn: topic.arn, notificationsRuleArn: rule.arn, emailQueueUrl: email.url, smsQueueUrl: sms.url };
}
