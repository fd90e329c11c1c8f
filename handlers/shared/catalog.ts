import * as z from "zod/mini";
import { amount, currency, sku } from "./events";

// The catalog: what the shop sells and at what price. Owned by the inventory domain (it knows which SKUs exist and
// are in the assortment), read by the orders domain, which prices every order from it. A contract between two
// domains, so it lives here rather than in either domain's folder; no side effects (the stacks import it).
//
// A table of its own rather than attributes on the stock table's `SKU#<sku>` items:
// - the orders API reads the catalog on every order, so it is granted read on a table that holds prices only, not
//   on the stock levels and the reservations (which are inventory's business and change on every order);
// - a price change is a write by merchandising that must not contend with the saga's stock transactions (a
//   transaction conflicts with any write to an item it touches: a repricing would fail reservations as
//   InventoryLocked);
// - prices change rarely and are read eventually consistent; stock is decremented under conditions.

/**
 * The catalog table: partition key `sku` (S), no sort key. One item per SKU:
 *
 * | attribute | type | |
 * |---|---|---|
 * | sku | S | as the orders API accepts it |
 * | sold | BOOL | whether the SKU may be ordered now; false withdraws it without losing its prices |
 * | prices | M | currency (ISO 4217) → unit price in that currency's minor unit (N, at least 1) |
 */
export const CATALOG_TABLE_KEY = "sku";

export const catalogKey = (value: string) => ({ [CATALOG_TABLE_KEY]: value });

/** A catalog item as the table holds it. */
export const catalogItem = z.object({
  sku,
  sold: z.boolean(),
  prices: z.record(currency, amount.check(z.minimum(1))),
});
export type CatalogItem = z.infer<typeof catalogItem>;
