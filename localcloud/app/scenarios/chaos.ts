import { randomUUID } from "node:crypto";
import { FaultDice } from "../../faults/fault-dice";
import type { FaultKind } from "../../faults/fault-injector";
import { CHAOS_PLAN } from "./chaos-plan";
import { deadLetterQueues, waitingInDeadLetterQueue, type DeadLetterWait } from "./dead-letters";
import { catalogPrice, CONTACT, ordersTable, paymentsTable, shipmentsTable, skus, stockTable } from "./orders";
import { expect, type Scenario, type ScenarioContext } from "./scenario";

/** Orders the scenario places when `--orders` does not say: what `npm test` runs. */
export const CHAOS_DEFAULT_ORDERS = 6;
/** POSTs in flight at once: a storefront's worth, not a load test. */
const PLACING_AT_ONCE = 6;
/** Attempts of one POST /orders (the client retries 429, 5xx and failed connections with the same Idempotency-Key). */
const POST_ATTEMPTS = 40;

interface PlacedOrder {
  readonly orderId: string;
  readonly total: number;
  readonly skus: readonly { readonly sku: string; readonly quantity: number }[];
}

/** What became of an order once everything settled. */
interface Outcome {
  readonly order: PlacedOrder;
  readonly status: string;
  readonly cancelReason?: string;
  /** The dead-letter queues that hold a message about the order. */
  readonly deadLettered: readonly DeadLetterWait[];
}

/**
 * Many orders under random faults (./chaos-plan.ts, or the `--faults` file), then the architecture's promises, each
 * printed with its counts: every order ends CONFIRMED or CANCELLED, or its message waits in a dead-letter queue whose
 * alarm is in ALARM; the stock adds up; nobody is charged for a cancelled order; every confirmed order is charged once,
 * shipped once and labelled, and its customer emailed. The seed (`--fault-seed`) makes the faults and the orders the
 * same again. It runs after the other scenarios, alone; its faults touch only its own orders' calls all the same (a
 * fault file's apply to everything).
 */
export const chaos: Scenario = {
  name: "chaos",
  description: "many orders under random faults end as the architecture promises",
  alone: true,
  async run(c) {
    const size = c.options.orders ?? CHAOS_DEFAULT_ORDERS;
    const dice = new FaultDice(c.options.seed ?? (c.cloud.faults.active ? c.cloud.faults.seed : undefined));
    const marker = `chaos-${dice.seed}-${randomUUID().slice(0, 4)}`;
    const ours = new Set<string>();
    const fromFile = c.cloud.faults.active;
    const before = new Map(c.cloud.faults.injected);
    if (!fromFile) c.cloud.faults.use(CHAOS_PLAN, { seed: dice.seed, scope: (payload) => concernsOnly(payload, marker, ours) });
    let outcomes: Outcome[];
    try {
      const placed = await c.step(`${size} orders placed under random faults (seed ${dice.seed}${fromFile ? ", the --faults plan" : ""})`, () => placeOrders(c, dice, size, marker, ours), (p) => `${p.length} orders; repeat with --fault-seed ${dice.seed}`);
      outcomes = await c.step("every order settles", () => settle(c, placed), (o) => tally(o));
    } finally {
      if (!fromFile) c.cloud.faults.clear();
    }
    await invariants(c, outcomes);
    await c.step("faults injected", async () => injectedSince(c, before), (s) => s);
  },
};

/** The simulated provider declines a charge above this many cents (dev's `paymentDeclineAbove`, Pulumi.dev.payments.yaml). */
const PAYMENT_LIMIT = 50_000;

/** The orders: mostly in stock and payable, some for a SKU without stock, some over the payment limit. */
async function placeOrders(c: ScenarioContext, dice: FaultDice, size: number, marker: string, ours: Set<string>): Promise<PlacedOrder[]> {
  // Slot 3: a SKU only this scenario orders, so its stock can be checked while other scenarios run.
  const { inStock, outOfStock } = skus(c, 1, 3);
  const placed: PlacedOrder[] = [];
  let next = 0;
  const worker = async () => {
    while (next < size) {
      const i = next++;
      const kind = dice.next(`order/${i}/kind`);
      const quantity = dice.between(`order/${i}/quantity`, 1, 3);
      // Prices are the catalog's (the client sends none): an order over the payment limit is one of enough units.
      const price = catalogPrice(c, inStock);
      const lines =
        kind < 0.1
          ? [{ sku: outOfStock, quantity: 1, unitPrice: catalogPrice(c, outOfStock) }]
          : kind < 0.2
            ? [{ sku: inStock, quantity: Math.floor(PAYMENT_LIMIT / price) + 1, unitPrice: price }]
            : [{ sku: inStock, quantity, unitPrice: price }];
      const customerId = `customer-${marker}-${i}`;
      const items = lines.map((l) => ({ sku: l.sku, quantity: l.quantity }));
      const body = { contact: { email: CONTACT.email, ...(dice.next(`order/${i}/phone`) < 0.5 ? { phone: CONTACT.phone } : {}) }, items, currency: "EUR" };
      const orderId = await post(c, body, customerId);
      ours.add(orderId);
      placed.push({ orderId, total: lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0), skus: lines.map((l) => ({ sku: l.sku, quantity: l.quantity })) });
    }
  };
  await Promise.all(Array.from({ length: PLACING_AT_ONCE }, worker));
  return placed;
}

/** One POST /orders as a careful client sends it: throttled or failed answers are sent again with the same key. */
async function post(c: ScenarioContext, body: Record<string, unknown>, customerId: string): Promise<string> {
  const key = randomUUID();
  let last = "";
  for (let attempt = 0; attempt < POST_ATTEMPTS; attempt++) {
    let answer;
    try {
      answer = await c.request("POST", "/orders", body, { "Idempotency-Key": key }, c.customer(customerId));
    } catch (error) {
      // A connection that failed (reset, refused): the client does not know whether the order was placed, so it asks
      // again with the same key, as it does after a 5xx.
      last = `${(error as Error).message}${(error as Error).cause ? ` (${String((error as { cause?: unknown }).cause)})` : ""}`;
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 50 * 2 ** attempt)));
      continue;
    }
    if (answer.status === 201 && typeof answer.body.orderId === "string") {
      c.orders.push(answer.body.orderId);
      return answer.body.orderId;
    }
    last = `${answer.status} ${JSON.stringify(answer.body)}`;
    if (answer.status !== 429 && answer.status < 500) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 50 * 2 ** attempt)));
  }
  throw new Error(`POST /orders for ${customerId} did not succeed after retries: ${last}`);
}

/**
 * Waits until every order has reached the end of its road: cancelled with its saga finished, confirmed with its
 * shipment labelled and its confirmation emailed, or a message about it in a dead-letter queue. Fails naming the
 * orders still on their way when the time is up.
 */
async function settle(c: ScenarioContext, placed: readonly PlacedOrder[]): Promise<Outcome[]> {
  const dlqs = deadLetterQueues(c.cloud.graph);
  const paths = pathsOf(c);
  // The longest road: the saga's retries, five receives of a message (each after a visibility timeout or, after a
  // crash, the dead invocation's timeout), the label worker replaced; and this machine's speed for the rest (the pipe
  // reads its stream one batch at a time, each enriched by a function).
  const deadline = Date.now() + c.cloud.clock.ms(5 * 6 * 65) + 120_000 + placed.length * 2_000;
  for (;;) {
    const outcomes = await outcomesOf(c, placed, dlqs);
    const shipments = new Map((await c.scan(shipmentsTable(c))).map((i) => [String(i.orderId), i]));
    const executions = executionsByOrder(c);
    const open = outcomes.filter(
      (o) =>
        !(o.status === "CANCELLED" && (executions.get(o.order.orderId) ?? []).every((e) => e.status !== "RUNNING")) &&
        !(o.status === "CONFIRMED" && (shipments.get(o.order.orderId)?.label !== undefined || waitsOn(o, paths.shipping)) && (confirmationEmails(c, o.order.orderId) > 0 || waitsOn(o, paths.email))) &&
        !(o.status !== "CONFIRMED" && o.status !== "CANCELLED" && o.deadLettered.length > 0),
    );
    if (open.length === 0) return outcomes;
    if (Date.now() > deadline) {
      throw new Error(`${count(open, "order")} did not settle in time: ${names(open, (o) => `${o.order.orderId} ${o.status}${o.status === "CONFIRMED" ? ` (label ${shipments.get(o.order.orderId)?.label ? "written" : "missing"}, ${confirmationEmails(c, o.order.orderId)} confirmation email(s))` : ""}`)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Each order's status now and the dead-letter queues holding a message about it. */
async function outcomesOf(c: ScenarioContext, placed: readonly PlacedOrder[], dlqs: ReturnType<typeof deadLetterQueues>): Promise<Outcome[]> {
  const items = new Map((await c.scan(ordersTable(c))).map((i) => [String(i.orderId), i]));
  return placed.map((order) => {
    const item = items.get(order.orderId);
    return { order, status: String(item?.status ?? "MISSING"), ...(item?.cancelReason ? { cancelReason: String(item.cancelReason) } : {}), deadLettered: waitingInDeadLetterQueue(c.cloud, dlqs, order.orderId) };
  });
}

/** The saga executions of each order (the pipe starts one per new order). */
function executionsByOrder(c: ScenarioContext): Map<string, { status: string }[]> {
  const by = new Map<string, { status: string }[]>();
  for (const e of c.cloud.states.executions) {
    const orderId = /"orderId"\s*:\s*"([^"]+)"/.exec(JSON.stringify(e.input))?.[1];
    if (orderId) by.set(orderId, [...(by.get(orderId) ?? []), e]);
  }
  return by;
}

/** The invariants, one step each; a step fails naming the orders that break it (the first few) and how many do. */
async function invariants(c: ScenarioContext, outcomes: readonly Outcome[]): Promise<void> {
  const paths = pathsOf(c);
  const confirmed = outcomes.filter((o) => o.status === "CONFIRMED");
  const cancelled = outcomes.filter((o) => o.status === "CANCELLED");

  await c.step("every order ends CONFIRMED or CANCELLED, or waits in a dead-letter queue in ALARM", async () => {
    const open = outcomes.filter((o) => o.status !== "CONFIRMED" && o.status !== "CANCELLED");
    const lost = open.filter((o) => o.deadLettered.length === 0);
    const unwatched = outcomes.flatMap((o) => o.deadLettered.filter((w) => w.alarmState !== "ALARM").map((w) => ({ o, w })));
    expect(lost.length === 0, `${count(lost, "order")} neither ended nor wait in a dead-letter queue: ${names(lost, (o) => `${o.order.orderId} ${o.status}`)}`);
    expect(unwatched.length === 0, `${count(unwatched, "message")} wait in a dead-letter queue whose alarm is not in ALARM: ${names(unwatched, ({ o, w }) => `${o.order.orderId} in ${w.queue} (${w.alarm ?? "no alarm"} ${w.alarmState})`)}`);
    return open;
  }, (open) => `${confirmed.length} CONFIRMED, ${cancelled.length} CANCELLED (${reasons(cancelled)}), ${open.length} waiting in a dead-letter queue${waits(outcomes)}`);

  await c.step("stock: available + reserved = seed", async () => {
    const items = await c.scan(stockTable(c));
    const checked = [...new Set(outcomes.flatMap((o) => o.order.skus.map((s) => s.sku)))].map((sku) => {
      const available = Number(items.find((i) => i.pk === `SKU#${sku}`)?.available ?? 0);
      const reserved = items
        .filter((i) => String(i.pk).startsWith("RESERVATION#") && i.status === "RESERVED")
        .flatMap((i) => (i.lines as { sku: string; quantity: number }[]).filter((l) => l.sku === sku))
        .reduce((n, l) => n + Number(l.quantity), 0);
      return { sku, available, reserved, seed: c.cloud.seed.catalog[sku]?.stock ?? 0 };
    });
    const wrong = checked.filter((s) => s.available + s.reserved !== s.seed);
    expect(wrong.length === 0, wrong.map((s) => `${s.sku}: ${s.available} available + ${s.reserved} reserved = ${s.available + s.reserved}, but the seed is ${s.seed}`).join("; "));
    return checked;
  }, (checked) => checked.map((s) => `${s.sku} ${s.available} + ${s.reserved} = ${s.seed}`).join("; "));

  await c.step("nobody is charged for a cancelled order", async () => {
    const payments = await paymentsOf(c, cancelled);
    const charged = cancelled.filter((o) => payments.get(o.order.orderId)?.status === "CHARGED");
    expect(charged.length === 0, `${count(charged, "cancelled order")} charged and not refunded: ${names(charged, (o) => `${o.order.orderId} (${o.cancelReason ?? "no reason"})`)}`);
    return { refunded: cancelled.filter((o) => payments.get(o.order.orderId)?.status === "REFUNDED").length };
  }, (r) => `${cancelled.length} cancelled: ${r.refunded} refunded, ${cancelled.length - r.refunded} never charged`);

  await c.step("every confirmed order is charged once, shipped once and labelled", async () => {
    // The tables keep one payment and one shipment per order (conditional writes); what could happen twice is the work
    // behind them, which the functions log once when they do it: a second "payment charged" would be a second charge,
    // a second "label printed" a second label. A process killed between its write and its log line logs none.
    const payments = await paymentsOf(c, confirmed);
    const shipments = new Map((await c.scan(shipmentsTable(c))).map((i) => [String(i.orderId), i]));
    const problems: string[] = [];
    for (const o of confirmed) {
      const id = o.order.orderId;
      const payment = payments.get(id);
      const charges = c.logLines("chargePayment", id, "payment charged").length;
      if (payment?.status !== "CHARGED" || payment.amount !== o.order.total || charges > 1) problems.push(`${id}: payment ${payment?.status ?? "none"} of ${String(payment?.amount)} for a total of ${o.order.total}, charged ${charges} times`);
      if (waitsOn(o, paths.shipping)) continue;
      const shipment = shipments.get(id);
      const created = c.logLines("createShipment", id, "shipment created").length;
      const printed = c.logLines("labelWorker", id, "label printed").length;
      if (!shipment || created > 1 || !shipment.label || printed > 1) problems.push(`${id}: ${shipment ? "a shipment" : "no shipment"} (created ${created} times), ${shipment?.label ? "labelled" : "no label"} (printed ${printed} times)`);
    }
    expect(problems.length === 0, `${problems.length} problem(s): ${problems.slice(0, 5).join("; ")}`);
    return confirmed.reduce((n, o) => n + Math.max(0, busEventsOf(c, "OrderShipped", o.order.orderId) - 1), 0);
  }, (republished) => `${confirmed.length} charged once; ${confirmed.filter((o) => !waitsOn(o, paths.shipping)).length} shipped once and labelled${republished > 0 ? ` (OrderShipped published again ${republished} time(s) by a retry, as at-least-once allows)` : ""}`);

  await c.step("every confirmed order's customer got its confirmation email", async () => {
    const missing = confirmed.filter((o) => !waitsOn(o, paths.email) && confirmationEmails(c, o.order.orderId) === 0);
    expect(missing.length === 0, `${count(missing, "confirmed order")} without a confirmation email: ${names(missing, (o) => o.order.orderId)}`);
    return confirmed.filter((o) => confirmationEmails(c, o.order.orderId) > 1).length;
  }, (twice) => `${confirmed.filter((o) => confirmationEmails(c, o.order.orderId) > 0).length} emailed${twice > 0 ? `, ${twice} more than once (at least once is the promise)` : ""}`);
}

/** True when every record of an SQS-style batch, or else the payload as a whole, concerns one of this run's orders. */
export function concernsOnly(payload: unknown, marker: string, orderIds: ReadonlySet<string>): boolean {
  const concerns = (value: unknown) => {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    if (text.includes(marker)) return true;
    for (const id of text.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []) if (orderIds.has(id)) return true;
    return false;
  };
  const records = (payload as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 ? records.every(concerns) : concerns(payload);
}

/** How many events of a detail type about the order were put on a bus. */
function busEventsOf(c: ScenarioContext, detailType: string, orderId: string): number {
  return [...c.cloud.events.received.values()].flat().filter((e) => e["detail-type"] === detailType && (e.detail as { orderId?: string }).orderId === orderId).length;
}

function confirmationEmails(c: ScenarioContext, orderId: string): number {
  return c.cloud.outbox.emails.filter((m) => m.tags.orderId === orderId && m.tags.event === "OrderConfirmed").length;
}

async function paymentsOf(c: ScenarioContext, outcomes: readonly Outcome[]): Promise<Map<string, Record<string, unknown>>> {
  const wanted = new Set(outcomes.map((o) => o.order.orderId));
  return new Map((await c.scan(paymentsTable(c))).filter((p) => wanted.has(String(p.orderId))).map((p) => [String(p.orderId), p]));
}

function injectedSince(c: ScenarioContext, before: ReadonlyMap<FaultKind, number>): string {
  const parts = [...c.cloud.faults.injected].map(([kind, n]) => [kind, n - (before.get(kind) ?? 0)] as const).filter(([, n]) => n > 0);
  return parts.length > 0 ? parts.map(([kind, n]) => `${n} ${kind}`).join(", ") : "none";
}

function tally(outcomes: readonly Outcome[]): string {
  const by = new Map<string, number>();
  for (const o of outcomes) by.set(o.status, (by.get(o.status) ?? 0) + 1);
  const waiting = outcomes.filter((o) => o.deadLettered.length > 0).length;
  return `${[...by].map(([k, n]) => `${n} ${k}`).join(", ")}${waiting > 0 ? `; ${waiting} with a message in a dead-letter queue` : ""}`;
}

/** The queues an order's shipment and its confirmation email go through (a message moved from them is the order's). */
function pathsOf(c: ScenarioContext): { shipping: ReadonlySet<string>; email: ReadonlySet<string> } {
  const component = (url: string) => c.cloud.graph.queues.find((q) => q.url === url)?.component ?? url;
  return {
    shipping: new Set([component(c.output("shipping", "shippingQueueUrl")), component(c.output("shipping", "labelsQueueUrl"))]),
    email: new Set([component(c.output("notifications", "emailQueueUrl"))]),
  };
}

/** Whether a message about the order, moved from one of these queues, waits in a dead-letter queue. */
function waitsOn(o: Outcome, queues: ReadonlySet<string>): boolean {
  return o.deadLettered.some((w) => w.from !== undefined && queues.has(w.from));
}

function reasons(cancelled: readonly Outcome[]): string {
  const by = new Map<string, number>();
  for (const o of cancelled) by.set(o.cancelReason ?? "no reason", (by.get(o.cancelReason ?? "no reason") ?? 0) + 1);
  return [...by].map(([k, n]) => `${n} ${k}`).join(", ") || "none";
}

function waits(outcomes: readonly Outcome[]): string {
  const by = new Map<string, DeadLetterWait & { n: number }>();
  for (const w of outcomes.flatMap((o) => o.deadLettered)) by.set(w.queue, { ...w, n: (by.get(w.queue)?.n ?? 0) + 1 });
  return by.size === 0 ? "" : `: ${[...by.values()].map((w) => `${w.n} in ${w.queue}, alarm ${w.alarm ?? "(none)"} ${w.alarmState}`).join("; ")}`;
}

function count<T>(items: readonly T[], noun: string): string {
  return `${items.length} ${noun}${items.length === 1 ? "" : "s"}`;
}

function names<T>(items: readonly T[], name: (item: T) => string): string {
  return `${items.slice(0, 5).map(name).join(", ")}${items.length > 5 ? `, and ${items.length - 5} more` : ""}`;
}
