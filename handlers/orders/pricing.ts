import { ValidationError, type FieldIssue } from "../shared/errors";
import type { CatalogItem } from "../shared/catalog";
import type { OrderLine } from "../shared/events";
import { formatAmount } from "../shared/money";
import type { PlaceOrderRequest } from "./place-order-request";

/** The most one order may add up to, in minor units (the `amount` schema's bound, which the saga's payloads share). */
export const MAX_ORDER_TOTAL = 100_000_000;

/** An order's lines at the catalog's prices, and their sum: what is recorded on the order and charged. */
export interface PricedOrder {
  readonly items: OrderLine[];
  readonly total: number;
}

/**
 * Prices a request from the catalog, as it is now: each line's `unitPrice` is the catalog's price of its SKU in the
 * request's currency, and the total their sum. Nothing the client sent about money is used; what it sent is checked:
 * every problem is collected, then thrown as one ValidationError (400), each naming its field and, for a SKU, the SKU.
 *
 * - `currency` must be one of `soldCurrencies` (the environment's `orderflow:currencies`);
 * - each SKU must be in the catalog, sold, and priced in that currency;
 * - a `unitPrice` sent must equal the catalog's price, a `total` sent the sum at the catalog's prices.
 */
export function priceOrder(
  request: Pick<PlaceOrderRequest, "items" | "currency" | "total">,
  catalog: ReadonlyMap<string, CatalogItem>,
  soldCurrencies: readonly string[],
): PricedOrder {
  if (!soldCurrencies.includes(request.currency)) {
    throw new ValidationError("request body", [
      { path: "currency", message: `${request.currency} is not a currency this shop sells in; it sells in ${soldCurrencies.join(", ")}` },
    ]);
  }
  const issues: FieldIssue[] = [];
  const items: OrderLine[] = [];
  request.items.forEach((line, i) => {
    const price = catalogPrice(catalog.get(line.sku), line.sku, request.currency);
    if (typeof price === "string") {
      issues.push({ path: `items[${i}].sku`, message: price });
      return;
    }
    if (line.unitPrice !== undefined && line.unitPrice !== price) {
      issues.push({
        path: `items[${i}].unitPrice`,
        message: `is ${line.unitPrice}, but ${line.sku} costs ${price} (${formatAmount(price, request.currency)}); send the catalog's price or leave unitPrice out`,
      });
    }
    items.push({ sku: line.sku, quantity: line.quantity, unitPrice: price });
  });
  if (issues.length > 0) throw new ValidationError("request body", issues);

  const total = items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  if (request.total !== undefined && request.total !== total) {
    throw new ValidationError("request body", [
      { path: "total", message: `is ${request.total}, but the lines at the catalog's prices add up to ${total} (${formatAmount(total, request.currency)}); send that or leave total out` },
    ]);
  }
  if (total > MAX_ORDER_TOTAL) {
    throw new ValidationError("request body", [{ path: "items", message: `add up to ${total}, more than the limit of ${MAX_ORDER_TOTAL} minor units` }]);
  }
  return { items, total };
}

/** The SKU's price in the currency, or why it cannot be ordered (a message naming the SKU). */
function catalogPrice(item: CatalogItem | undefined, sku: string, currency: string): number | string {
  if (item === undefined) return `${sku} is not in the catalog`;
  if (!item.sold) return `${sku} is not sold any more`;
  const price = item.prices[currency];
  if (price === undefined) {
    const priced = Object.keys(item.prices);
    return `${sku} has no price in ${currency}${priced.length > 0 ? ` (it is priced in ${priced.join(", ")})` : ""}`;
  }
  return price;
}
