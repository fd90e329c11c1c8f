import { CUSTOMERS } from "../../../handlers/notifications/recipients";
import type { OutboxEmail, OutboxText } from "../../kernel/outbox";
import type { ScenarioContext } from "./scenario";
import { expect, ExpectationFailed } from "./scenario";

/** The contact scenario orders give. */
export const CONTACT = { email: "customer@example.com", phone: "+15555550100" } as const;

/**
 * An order body as POST /orders takes it, for SKUs the scenario picks from the seed: SKUs and quantities, priced by
 * the server from the catalog. A line may carry a `unitPrice` (the price a storefront showed), which the server
 * checks against the catalog's. The customer is the caller (the token's sub): a `customerId` names the customer a
 * machine client orders for, or a customer ordering in their name.
 */
export function orderBody(options: { customerId?: string; phone?: boolean; lines: readonly { sku: string; quantity: number; unitPrice?: number }[]; currency?: string; total?: number }): Record<string, unknown> {
  return {
    ...(options.customerId !== undefined ? { customerId: options.customerId } : {}),
    contact: { email: CONTACT.email, ...(options.phone ? { phone: CONTACT.phone } : {}) },
    items: options.lines,
    currency: options.currency ?? SCENARIO_CURRENCY,
    ...(options.total !== undefined ? { total: options.total } : {}),
  };
}

/** The currency scenarios order in. */
export const SCENARIO_CURRENCY = "EUR";

/**
 * A SKU the seed sells and stocks with at least `quantity`, and one it sells but holds none of, both priced in the
 * scenarios' currency. Scenarios run at the same time; one that asserts stock levels asks for its own `slot` (1, 2,
 * ...), a SKU no other scenario orders; slot 0 is shared.
 */
export function skus(context: ScenarioContext, quantity = 1, slot = 0): { inStock: string; outOfStock: string } {
  const entries = Object.entries(context.cloud.seed.catalog).filter(([, e]) => (e.sold ?? true) && e.prices[SCENARIO_CURRENCY] !== undefined);
  const stocked = entries.filter(([, e]) => e.stock >= quantity).map(([sku]) => sku);
  const inStock = stocked[slot];
  const outOfStock = entries.find(([, e]) => e.stock === 0)?.[0];
  if (!inStock || !outOfStock) {
    throw new ExpectationFailed(`the seed must sell ${slot + 1} SKU(s) priced in ${SCENARIO_CURRENCY} with at least ${quantity} in stock each, and one with none in stock (see localcloud/app/seed/default.json)`);
  }
  return { inStock, outOfStock };
}

/** The catalog's unit price of a SKU in the scenarios' currency, as the cloud was seeded. */
export function catalogPrice(context: ScenarioContext, sku: string, currency = SCENARIO_CURRENCY): number {
  const price = context.cloud.seed.catalog[sku]?.prices[currency];
  if (price === undefined) throw new ExpectationFailed(`the seed has no ${currency} price for ${sku}`);
  return price;
}

export const ordersTable = (c: ScenarioContext) => c.output("orders", "ordersTableName");
export const stockTable = (c: ScenarioContext) => c.output("inventory", "stockTableName");
export const paymentsTable = (c: ScenarioContext) => c.output("payments", "paymentsTableName");
export const shipmentsTable = (c: ScenarioContext) => c.output("shipping", "shipmentsTableName");

/** The order's item once its status is one of the given ones. */
export async function orderReaches(context: ScenarioContext, orderId: string, statuses: readonly string[], configuredWaitSeconds = 0): Promise<Record<string, unknown>> {
  return context.waitFor(
    `order ${orderId} to reach ${statuses.join(" or ")}`,
    async () => {
      const item = await context.item(ordersTable(context), { orderId });
      return item && statuses.includes(String(item.status)) ? item : undefined;
    },
    configuredWaitSeconds,
    // A saga is several invocations in a row (a cancelled one compensates every step it reached): on a loaded
    // machine each takes seconds, more than the 15 s a single hop is allowed.
    45_000,
  );
}

/** The available quantity of a SKU now. */
export async function available(context: ScenarioContext, sku: string): Promise<number> {
  const item = await context.item(stockTable(context), { pk: `SKU#${sku}` });
  return Number(item?.available ?? 0);
}

/** The recipient a notification function sends to: its settings' recipients (a simulator), or the order's contact. */
export function recipientFor(context: ScenarioContext, channel: "email" | "sms", contact: string): string {
  const [component, variable] = channel === "email" ? ["sendEmail", "EMAIL_RECIPIENTS"] : ["sendSms", "SMS_RECIPIENTS"];
  const setting = context.cloud.graph.functions.find((f) => f.component === component)?.environment[variable];
  if (setting === undefined) throw new ExpectationFailed(`function ${component} has no ${variable} in the graph`);
  return setting === CUSTOMERS ? contact : setting;
}

/**
 * The email the notifications sent about an order's event, once it is in the local SES outbox (send-email tags each
 * email with its event and order), checked to have gone to the recipient the environment's settings name.
 */
export async function emailed(context: ScenarioContext, orderId: string, event: string, contact = CONTACT.email): Promise<OutboxEmail> {
  const email = await context.waitFor(`the ${event} email of order ${orderId} in the outbox`, () =>
    context.cloud.outbox.emails.find((m) => m.tags.orderId === orderId && m.tags.event === event),
  );
  const recipient = recipientFor(context, "email", contact);
  expect(email.to.length === 1 && email.to[0] === recipient, `expected the ${event} email to go to ${recipient}, it went to ${email.to.join(", ")}`);
  expect(email.text?.includes(orderId) && email.html?.includes(orderId), `expected the ${event} email's text and HTML to name order ${orderId}`);
  return email;
}

/** The text the notifications sent about an order's event (send-sms puts them in its Context), to the settings' recipient. */
export async function texted(context: ScenarioContext, orderId: string, event: string, contact = CONTACT.phone): Promise<OutboxText> {
  const text = await context.waitFor(`the ${event} text of order ${orderId} in the outbox`, () =>
    context.cloud.outbox.texts.find((m) => m.context.orderId === orderId && m.context.event === event),
  );
  const recipient = recipientFor(context, "sms", contact);
  expect(text.destinationPhoneNumber === recipient, `expected the ${event} text to go to ${recipient}, it went to ${text.destinationPhoneNumber}`);
  expect(text.messageBody.includes(orderId), `expected the ${event} text to name order ${orderId}: "${text.messageBody}"`);
  return text;
}
