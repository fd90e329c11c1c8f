import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { DETAIL_SCHEMAS, EVENTS } from "../../../handlers/shared/events";
import { expect, type Scenario, type ScenarioContext } from "./scenario";
import { orderBody, ordersTable, shipmentsTable, skus } from "./orders";

/** An OrderConfirmed event as the saga puts it on the bus, checked against the event contract. */
export function orderConfirmedEvent(c: ScenarioContext, orderId: string, sku: string): string {
  const detail = z.parse(DETAIL_SCHEMAS.OrderConfirmed, {
    orderId,
    customerId: `customer-${orderId.slice(0, 8)}`,
    contact: { email: "customer@example.com" },
    items: [{ sku, quantity: 1, unitPrice: 1500 }],
    currency: "EUR",
    total: 1500,
    correlationId: `scenario-${orderId.slice(0, 8)}`,
  });
  return JSON.stringify({
    version: "0",
    id: randomUUID(),
    "detail-type": EVENTS.OrderConfirmed.detailType,
    source: EVENTS.OrderConfirmed.source,
    account: c.cloud.graph.cloud.account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: c.cloud.graph.cloud.region,
    resources: [],
    detail,
  });
}

/** How many events of a kind the platform's bus received for an order. */
export function busEvents(c: ScenarioContext, detailType: string, orderId: string): number {
  return [...c.cloud.events.received.values()].flat().filter((e) => e["detail-type"] === detailType && (e.detail as { orderId?: string }).orderId === orderId).length;
}

/** Duplicate delivery and a retried POST: one effect each. */
export const duplicates: Scenario = {
  name: "duplicates",
  description: "the same message delivered twice and the same POST retried have one effect each",
  async run(c) {
    const { inStock } = skus(c);
    const key = randomUUID();
    const body = orderBody({ lines: [{ sku: inStock, quantity: 1 }] });
    const first = await c.step("POST /orders with an Idempotency-Key", () => c.placeOrder(body, { key }));
    const second = await c.step("the same POST again, same key", () => c.placeOrder(body, { key }));
    await c.step("both answer the same order; the second says it was replayed", async () => {
      expect(first.status === 201 && second.status === 201, `expected 201 twice, got ${first.status} and ${second.status}`);
      expect(first.body.orderId === second.body.orderId, `expected one order id, got ${String(first.body.orderId)} and ${String(second.body.orderId)}`);
      expect(second.headers.get("idempotent-replayed") === "true", "the replay carries idempotent-replayed: true");
      expect((await c.item(ordersTable(c), { orderId: String(first.body.orderId) })) !== undefined, "the order is stored");
    });
    await c.step("one saga execution for the order", async () => {
      // A saga is several invocations in a row: on a loaded machine more than the 15 s a single hop is allowed.
      await c.waitFor("the saga to end", () => c.cloud.states.executions.find((e) => JSON.stringify(e.input).includes(String(first.body.orderId)) && e.status !== "RUNNING"), 0, 45_000);
      const runs = c.cloud.states.executions.filter((e) => JSON.stringify(e.input).includes(String(first.body.orderId))).length;
      expect(runs === 1, `expected 1 execution, found ${runs}`);
    });

    const orderId = randomUUID();
    const event = orderConfirmedEvent(c, orderId, inStock);
    const queueUrl = c.output("shipping", "shippingQueueUrl");
    await c.step("the same OrderConfirmed message delivered twice to the shipping queue", async () => {
      await c.sendToQueue(queueUrl, event);
      await c.sendToQueue(queueUrl, event);
    });
    await c.step("one shipment, one label, one OrderShipped", async () => {
      await c.waitFor("the label", async () => (await c.item(shipmentsTable(c), { orderId }))?.label, 3 * 65 + 10);
      // Both copies must be consumed (the second finds the first's result) before counting the effects.
      const queue = c.cloud.graph.queues.find((q) => q.url === queueUrl)!;
      await c.waitFor("both copies consumed", () => !c.cloud.sqs.queue(queue.arn).peek().some((m) => m.body.includes(orderId)), 3 * 65);
      const shipped = busEvents(c, EVENTS.OrderShipped.detailType, orderId);
      expect(shipped === 1, `expected 1 OrderShipped, found ${shipped}`);
      const printed = c.logLines("labelWorker", orderId, "label printed").length;
      expect(printed === 1, `expected the label printed once, found ${printed}`);
    });
  },
};
