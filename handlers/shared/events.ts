import * as z from "zod/mini";
import { isCurrencyCode } from "./money";

// The contracts between the domains: the events on the bus and the saga's task payloads. The stacks import the
// constants to build rule patterns and the saga, so this module stays free of side effects and of Powertools.
// zod/mini rather than zod: its functions tree-shake, which keeps every handler bundle ~440 KB smaller.

/** The `source` of each domain's events. */
export const EVENT_SOURCES = {
  /** OrderPlaced (the orders table's stream, through the pipe's enrichment). */
  orders: "orderflow.orders",
  /** OrderConfirmed and OrderCancelled, put on the bus by the saga. */
  checkout: "orderflow.checkout",
  /** OrderShipped, put on the bus by create-shipment. */
  shipping: "orderflow.shipping",
} as const;

/** The `detail-type` of each event. */
export const DETAIL_TYPES = {
  orderPlaced: "OrderPlaced",
  orderConfirmed: "OrderConfirmed",
  orderCancelled: "OrderCancelled",
  orderShipped: "OrderShipped",
} as const;

/** Each event's `source` and `detail-type` together, for rule patterns: `{ source: [e.source], "detail-type": [e.detailType] }`. */
export const EVENTS = {
  OrderPlaced: { source: EVENT_SOURCES.orders, detailType: DETAIL_TYPES.orderPlaced },
  OrderConfirmed: { source: EVENT_SOURCES.checkout, detailType: DETAIL_TYPES.orderConfirmed },
  OrderCancelled: { source: EVENT_SOURCES.checkout, detailType: DETAIL_TYPES.orderCancelled },
  OrderShipped: { source: EVENT_SOURCES.shipping, detailType: DETAIL_TYPES.orderShipped },
} as const;

export type EventName = keyof typeof EVENTS;

/**
 * The saga's step names, as the checkout stack should name them: results land at `$.results.<step>.Payload`.
 * No handler depends on them (each finds what it needs by order id), so renaming a step breaks nothing here.
 */
export const SAGA_STEPS = {
  reserveStock: "ReserveStock",
  chargePayment: "ChargePayment",
  confirmOrder: "ConfirmOrder",
} as const;

/**
 * The saga's `onSuccess` detail (OrderConfirmed), taken from the saga state: every field is in the execution input
 * (the OrderPlaced detail), so the event does not depend on a step's result.
 */
export const ORDER_CONFIRMED_DETAIL_PATHS = {
  orderId: "$.orderId",
  customerId: "$.customerId",
  contact: "$.contact",
  items: "$.items",
  currency: "$.currency",
  total: "$.total",
  correlationId: "$.correlationId",
} as const;

/** The saga's `onFailure` detail (OrderCancelled): the input's fields, and the failed step's error name as the reason. */
export const ORDER_CANCELLED_DETAIL_PATHS = {
  orderId: "$.orderId",
  customerId: "$.customerId",
  contact: "$.contact",
  reason: "$.error.Error",
  correlationId: "$.correlationId",
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Building blocks

/** Order ids are UUIDs (place-order makes them). */
export const orderId = z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be a lowercase UUID"));

/** Customer ids: 1 to 64 letters, digits, `-` or `_`. */
export const customerId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '-' or '_'"));

/** Stock keeping units: 1 to 64 letters, digits, `-` or `_`. */
export const sku = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '-' or '_'"));

/**
 * An ISO 4217 currency code (`"EUR"`): three capital letters (the shape API Gateway's model checks too) that name a
 * currency the runtime knows (`Intl.supportedValuesOf("currency")`), so `"QQQ"` is refused.
 */
export const currency = z
  .string()
  .check(
    // A malformed code is reported once, as malformed.
    z.regex(/^[A-Z]{3}$/, { error: "must be a three-letter ISO 4217 code such as \"EUR\"", abort: true }),
    z.refine(isCurrencyCode, "is not an ISO 4217 currency code (such as \"EUR\", \"USD\" or \"JPY\")"),
  );

/** Money in the currency's minor unit (cents for EUR, yen for JPY; handlers/shared/money.ts): an integer, so sums are exact. */
export const amount = z.int().check(z.minimum(0), z.maximum(100_000_000));

/** Correlates the logs of one order across every service: the API request's id, carried in every payload. */
export const correlationId = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1 to 128 letters, digits, '.', '_', ':' or '-'"));

/** How many of a SKU one line orders. */
export const quantity = z.int().check(z.minimum(1), z.maximum(1000));

/** A price of one unit, in minor units: nothing is given away. */
export const unitPrice = amount.check(z.minimum(1));

/** One order line as placed: `unitPrice` is the catalog's price at the time of ordering (place-order sets it), in minor units. */
export const orderLine = z.object({ sku, quantity, unitPrice });
export type OrderLine = z.infer<typeof orderLine>;

/** At most 50 lines: reserve-stock writes every line and the reservation in one transaction (100 items at most). */
export const MAX_ORDER_LINES = 50;
export const orderLines = z.array(orderLine).check(z.minLength(1), z.maxLength(MAX_ORDER_LINES));

/** How notifications reach the customer. Personal data: handlers mask it before logging. */
export const contact = z.object({
  email: z.string().check(z.maxLength(254), z.regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address")),
  phone: z.optional(z.string().check(z.regex(/^\+[1-9][0-9]{6,14}$/, "must be an E.164 number such as \"+4915112345678\""))),
});
export type Contact = z.infer<typeof contact>;

// ---------------------------------------------------------------------------------------------------------------
// Events (the `detail` of each)

/** A new order was accepted (status PENDING). Also the saga's execution input, field for field. */
export const orderPlaced = z.object({
  orderId,
  customerId,
  contact,
  items: orderLines,
  currency,
  /** Sum of quantity × unitPrice, in minor units. */
  total: amount,
  /** ISO 8601. */
  placedAt: z.string(),
  correlationId,
});
export type OrderPlaced = z.infer<typeof orderPlaced>;

/** Stock was reserved and payment taken; the order is CONFIRMED. Shipping ships it. */
export const orderConfirmed = z.object({
  orderId,
  customerId,
  contact,
  items: orderLines,
  currency,
  total: amount,
  correlationId: z.optional(correlationId),
});
export type OrderConfirmed = z.infer<typeof orderConfirmed>;

/** The saga failed and was compensated; the order is CANCELLED. `reason` is the failed step's error name. */
export const orderCancelled = z.object({
  orderId,
  customerId,
  contact,
  reason: z.string().check(z.maxLength(256)),
  correlationId: z.optional(correlationId),
});
export type OrderCancelled = z.infer<typeof orderCancelled>;

/** A shipment was created for a confirmed order. */
export const orderShipped = z.object({
  orderId,
  customerId,
  contact,
  shipmentId: z.string(),
  carrier: z.string(),
  trackingNumber: z.string(),
  /** ISO 8601. */
  shippedAt: z.string(),
  correlationId: z.optional(correlationId),
});
export type OrderShipped = z.infer<typeof orderShipped>;

/** The detail schema of each event, by name. */
export const DETAIL_SCHEMAS = {
  OrderPlaced: orderPlaced,
  OrderConfirmed: orderConfirmed,
  OrderCancelled: orderCancelled,
  OrderShipped: orderShipped,
} as const;

/** An EventBridge event as a rule delivers it to SQS, or SNS with raw message delivery: the message body. */
export const eventEnvelope = z.object({
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  time: z.optional(z.string()),
  detail: z.unknown(),
});
export type EventEnvelope = z.infer<typeof eventEnvelope>;

// ---------------------------------------------------------------------------------------------------------------
// Saga tasks. Each is invoked with the whole saga state: the OrderPlaced detail at the top level, earlier steps'
// results under `results`, the caught error under `error`. The inputs name only what the task reads; other keys are
// ignored (zod objects strip unknown keys).

/** The error Step Functions caught, as a compensation sees it at `$.error`. */
export const sagaError = z.object({ Error: z.string(), Cause: z.optional(z.string()) });

export const reserveStockInput = z.object({ orderId, items: orderLines, correlationId: z.optional(correlationId) });
export type ReserveStockInput = z.infer<typeof reserveStockInput>;
export const reserveStockOutput = z.object({
  orderId,
  /** The lines reserved, one per SKU (repeated SKUs summed). */
  lines: z.array(z.object({ sku, quantity: z.int() })),
  /** ISO 8601. */
  reservedAt: z.string(),
});
export type ReserveStockOutput = z.infer<typeof reserveStockOutput>;

export const releaseStockInput = z.object({ orderId, correlationId: z.optional(correlationId), error: z.optional(sagaError) });
export type ReleaseStockInput = z.infer<typeof releaseStockInput>;
/** `released` is false when there was nothing to release: never reserved, or released before. */
export const releaseStockOutput = z.object({ orderId, released: z.boolean() });
export type ReleaseStockOutput = z.infer<typeof releaseStockOutput>;

export const chargePaymentInput = z.object({ orderId, customerId, currency, total: amount, correlationId: z.optional(correlationId) });
export type ChargePaymentInput = z.infer<typeof chargePaymentInput>;
export const chargePaymentOutput = z.object({
  orderId,
  paymentId: z.string(),
  amount,
  currency,
  /** ISO 8601. */
  chargedAt: z.string(),
});
export type ChargePaymentOutput = z.infer<typeof chargePaymentOutput>;

export const refundPaymentInput = z.object({ orderId, correlationId: z.optional(correlationId), error: z.optional(sagaError) });
export type RefundPaymentInput = z.infer<typeof refundPaymentInput>;
/** `refunded` is false when there was nothing to refund: never charged, or refunded before. */
export const refundPaymentOutput = z.object({ orderId, refunded: z.boolean(), paymentId: z.optional(z.string()) });
export type RefundPaymentOutput = z.infer<typeof refundPaymentOutput>;

/** confirm-order returns the OrderConfirmed detail. */
export const confirmOrderInput = z.object({ orderId, correlationId: z.optional(correlationId) });
export type ConfirmOrderInput = z.infer<typeof confirmOrderInput>;

/** cancel-order returns the OrderCancelled detail; the reason is `error.Error`, or "Cancelled" without one. */
export const cancelOrderInput = z.object({ orderId, correlationId: z.optional(correlationId), error: z.optional(sagaError) });
export type CancelOrderInput = z.infer<typeof cancelOrderInput>;
