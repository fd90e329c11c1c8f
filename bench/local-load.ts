import { randomUUID } from "node:crypto";
import os from "node:os";
import { LocalCloud } from "../localcloud/cloud";
import { available, orderBody, paymentsTable, shipmentsTable, skus } from "../localcloud/app/scenarios/orders";
import { ScenarioContext } from "../localcloud/app/scenarios/scenario";

export interface LoadBenchmark {
  readonly orders: number;
  readonly timeScale: number;
  /** Orders whose label was written (their final state on the happy path). */
  readonly labelled: number;
  /** Orders that never got there within the wait: lost, or stuck. */
  readonly lost: number;
  /** Effects that happened more than once: stock reserved, payments, confirmation and shipment emails beyond one per order. */
  readonly duplicated: { readonly stock: number; readonly payments: number; readonly confirmationEmails: number; readonly shippedEmails: number };
  /** POSTs answered 429 and retried (the dev stage's and the storefront plan's throttle). */
  readonly throttled: number;
  readonly ordersPerSecond: number;
  /** From the first POST of an order to its label in the shipments table. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/**
 * `orders` orders placed at once on dev, each by its own customer through the API (429s retried with the same
 * Idempotency-Key, as a client should), one unit of one SKU each; then every effect counted: each order labelled once,
 * stock taken once, one payment, one confirmation and one shipment email.
 */
export async function benchmarkLocalLoad(orders = 200, timeScale = 0.01): Promise<LoadBenchmark> {
  const cloud = await LocalCloud.start({ env: "dev", port: 0, timeScale });
  try {
    const c = new ScenarioContext(cloud);
    const { inStock: sku } = skus(c, orders);
    const stockBefore = await available(c, sku);
    const startedAt = new Map<string, number>();
    let throttled = 0;

    const first = Date.now();
    const placed = await Promise.all(
      Array.from({ length: orders }, async (_, i) => {
        const started = Date.now();
        const key = randomUUID();
        const body = orderBody({ lines: [{ sku, quantity: 1 }] });
        const as = c.customer(`customer-load-${i}`);
        // Retried as a client should: the same Idempotency-Key, exponential backoff with jitter.
        let answer = await c.request("POST", "/orders", body, { "Idempotency-Key": key }, as);
        for (let attempt = 0; answer.status === 429 && attempt < 50; attempt++) {
          throttled++;
          await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
          answer = await c.request("POST", "/orders", body, { "Idempotency-Key": key }, as);
        }
        if (answer.status !== 201) throw new Error(`POST /orders answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        const orderId = String(answer.body.orderId);
        startedAt.set(orderId, started);
        return orderId;
      }),
    );

    const labelledAt = new Map<string, number>();
    const deadline = Date.now() + 180_000;
    while (labelledAt.size < placed.length && Date.now() < deadline) {
      for (const orderId of placed.filter((id) => !labelledAt.has(id))) {
        if ((await c.item(shipmentsTable(c), { orderId }))?.label) labelledAt.set(orderId, Date.now());
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const stockTaken = stockBefore - (await available(c, sku));
    let payments = 0;
    for (const orderId of placed) if ((await c.item(paymentsTable(c), { orderId }))?.status === "CHARGED") payments++;
    const emailsOf = (event: string) => placed.reduce((n, orderId) => n + cloud.outbox.emails.filter((m) => m.tags.orderId === orderId && m.tags.event === event).length, 0);
    const latencies = [...labelledAt].map(([orderId, at]) => at - startedAt.get(orderId)!).sort((a, b) => a - b);
    const last = Math.max(...labelledAt.values());
    return {
      orders,
      timeScale,
      labelled: labelledAt.size,
      lost: placed.length - labelledAt.size,
      duplicated: {
        stock: Math.max(0, stockTaken - orders),
        payments: Math.max(0, payments - orders),
        confirmationEmails: Math.max(0, emailsOf("OrderConfirmed") - orders),
        shippedEmails: Math.max(0, emailsOf("OrderShipped") - orders),
      },
      throttled,
      ordersPerSecond: labelledAt.size / ((last - first) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    await cloud.stop();
  }
}

export function formatLoadBenchmark(r: LoadBenchmark): string {
  const d = r.duplicated;
  return [
    `| ${r.orders} orders at once, time scale ${r.timeScale} | value |`,
    "|---|---:|",
    `| labelled (final state) | ${r.labelled} |`,
    `| lost or stuck | ${r.lost} |`,
    `| duplicated effects (stock, payments, confirmation emails, shipment emails) | ${d.stock}, ${d.payments}, ${d.confirmationEmails}, ${d.shippedEmails} |`,
    `| POSTs throttled (429) and retried | ${r.throttled} |`,
    `| orders per second, first POST to last label | ${r.ordersPerSecond.toFixed(1)} |`,
    `| POST to label, p50 ms | ${r.p50Ms} |`,
    `| POST to label, p99 ms | ${r.p99Ms} |`,
    "",
    `${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(", ")}. The dev stage and the storefront's usage plan allow 20 requests per second (burst 40), so the POSTs alone take 10 s or more.`,
  ].join("\n");
}
