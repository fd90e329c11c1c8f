import { randomUUID } from "node:crypto";
import { EVENTS } from "../../../handlers/shared/events";
import { expect, type Scenario } from "./scenario";
import { orderConfirmedEvent, busEvents } from "./duplicates";
import { shipmentsTable, skus } from "./orders";

/** A poison message on the shipping queue reaches its DLQ after maxReceiveCount; the rest of its batch is processed. */
export const poisonMessage: Scenario = {
  name: "poison-message",
  description: "a malformed message ends in the dead-letter queue, its batch-mates are shipped",
  async run(c) {
    const queueUrl = c.output("shipping", "shippingQueueUrl");
    const queue = c.cloud.graph.queues.find((q) => q.url === queueUrl)!;
    expect(queue.redrive, "the shipping queue has a redrive policy");
    const dlq = c.cloud.graph.queues.find((q) => q.arn === queue.redrive!.deadLetterTargetArn)!;
    const { inStock } = skus(c);
    const orderId = randomUUID();
    const poisonId = await c.step("a poison message and a good one sent together", async () => {
      const id = await c.sendToQueue(queueUrl, `{"not": "an event", "marker": "${randomUUID()}"}`);
      await c.sendToQueue(queueUrl, orderConfirmedEvent(c, orderId, inStock));
      return id;
    });
    await c.step("the good message is processed", () => c.waitFor("its shipment", () => c.item(shipmentsTable(c), { orderId }), 10));
    await c.step("and shipped once", () => c.waitFor("its OrderShipped", () => busEvents(c, EVENTS.OrderShipped.detailType, orderId) === 1));
    const receives = queue.redrive!.maxReceiveCount;
    await c.step(`the poison message reaches ${dlq.component} after ${receives} receives`, () =>
      c.waitFor("the poison message in the DLQ", () => c.cloud.sqs.queue(dlq.arn).peek().find((m) => m.messageId === poisonId), (receives + 1) * (queue.visibilityTimeoutSeconds + 5)),
    (m) => `moved from ${m.deadLetterSourceArn?.split(":").pop()}`);
    await c.step("the DLQ alarm's condition is met", async () => {
      const alarm = c.cloud.alarms().find((a) => a.alarm.dimensions.QueueName === dlq.name);
      expect(alarm, `no alarm watches ${dlq.name}`);
      expect(alarm.state === "ALARM", `expected ALARM, got ${alarm.state} (${alarm.reason})`);
      return alarm;
    }, (a) => `${a.alarm.name}: ALARM (${a.reason})`);
  },
};
