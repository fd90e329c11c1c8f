import type { ScenarioContext } from "./scenario";
import { ExpectationFailed } from "./scenario";

/**
 * An order body as POST /orders takes it, for SKUs the scenario picks from the seed. The customer is the caller (the
 * token's sub): a `customerId` names the customer a machine client orders for, or a customer ordering in their name.
 */
export function orderBody(options: { customerId?: string; phone?: boolean; lines: readonly { sku: string; quantity: number; unitPrice: number }[]; currency?: string }): Record<string, unknown> {
  return {
    ...(options.customerId !== undefined ? { customerId: options.customerId } : {}),
    contact: { email: "customer@example.com", ...(options.phone ? { phone: "+15555550100" } : {}) },
    items: options.lines,
    currency: options.currency ?? "EUR",
  };
}

/**
 * A SKU the seed stocks with at least `quantity`, and one it holds none of. Scenarios run at the same time; one that
 * asserts stock levels asks for its own `slot` (1, 2, ...), a SKU no other scenario orders; slot 0 is shared.
 */
export function skus(context: ScenarioContext, quantity = 1, slot = 0): { inStock: string; outOfStock: string } {
  const entries = Object.entries(context.cloud.seed.stock);
  const stocked = entries.filter(([, n]) => n >= quantity).map(([sku]) => sku);
  const inStock = stocked[slot];
  const outOfStock = entries.find(([, n]) => n === 0)?.[0];
  if (!inStock || !outOfStock) {
    throw new ExpectationFailed(`the seed must stock ${slot + 1} SKU(s) with at least ${quantity} each and hold none of another (see ops/local/seed/default.json)`);
  }
  return { inStock, outOfStock };
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
  );
}

/** The available quantity of a SKU now. */
export async function available(context: ScenarioContext, sku: string): Promise<number> {
  const item = await context.item(stockTable(context), { pk: `SKU#${sku}` });
  return Number(item?.available ?? 0);
}

/** Whether a notification function logged handling this order's event. */
export function notified(context: ScenarioContext, component: "sendEmail" | "sendSms", orderId: string, event: string): boolean {
  return context.logLines(component, orderId, event).some((line) => /"message":"(email|sms) recorded"/.test(line));
}
