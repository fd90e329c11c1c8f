import * as z from "zod/mini";
import { contact, correlationId, currency, customerId, orderId, orderLines, amount, type OrderPlaced } from "../shared/events";

/**
 * The orders table, owned by the orders domain (place-order writes it; the stream feeds the saga).
 *
 * Partition key `orderId` (S), no sort key; stream view NEW_IMAGE (or NEW_AND_OLD_IMAGES). One item per order:
 *
 * | attribute | type | |
 * |---|---|---|
 * | orderId | S | lowercase UUID |
 * | status | S | PENDING → CONFIRMED or CANCELLED; CONFIRMED → CANCELLED (a saga compensating after confirming) |
 * | customerId | S | |
 * | contact | M | `{ email: S, phone?: S }` |
 * | items | L | of M `{ sku: S, quantity: N, unitPrice: N }` (minor units) |
 * | currency | S | ISO 4217 |
 * | total | N | minor units, sum of quantity × unitPrice |
 * | placedAt, updatedAt | S | ISO 8601 |
 * | correlationId | S | the API request's correlation id |
 * | requestHash | S | sha256 of the canonical request; tells a retry from a different order under the same key |
 * | idempotencyKeyHash | S | present when the client sent an Idempotency-Key (its hash, not the key) |
 * | cancelReason | S | once CANCELLED |
 *
 * Only inserts start a saga: the checkout pipe filters the stream on `eventName: INSERT`.
 */
export const ORDERS_TABLE_KEY = "orderId";

export const ORDER_STATUSES = ["PENDING", "CONFIRMED", "CANCELLED"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const orderItem = z.object({
  orderId,
  status: z.enum(ORDER_STATUSES),
  customerId,
  contact,
  items: orderLines,
  currency,
  total: amount,
  placedAt: z.string(),
  updatedAt: z.string(),
  correlationId,
  requestHash: z.string(),
  idempotencyKeyHash: z.optional(z.string()),
  cancelReason: z.optional(z.string()),
});
export type OrderItem = z.infer<typeof orderItem>;

/** The OrderPlaced detail of a stored order. */
export function toOrderPlaced(item: OrderItem): OrderPlaced {
  return {
    orderId: item.orderId,
    customerId: item.customerId,
    contact: item.contact,
    items: item.items,
    currency: item.currency,
    total: item.total,
    placedAt: item.placedAt,
    correlationId: item.correlationId,
  };
}

/** What GET /orders/{id} shows of an order: everything but the bookkeeping hashes. */
export function toOrderView(item: OrderItem) {
  return {
    orderId: item.orderId,
    status: item.status,
    customerId: item.customerId,
    items: item.items,
    currency: item.currency,
    total: item.total,
    placedAt: item.placedAt,
    updatedAt: item.updatedAt,
    ...(item.cancelReason !== undefined ? { cancelReason: item.cancelReason } : {}),
  };
}
