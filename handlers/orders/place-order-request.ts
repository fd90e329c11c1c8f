import * as z from "zod/mini";
import { amount, contact, currency, customerId, MAX_ORDER_LINES, quantity, sku, unitPrice } from "../shared/events";

// The POST /orders contract, apart from the handler so the orders stack can turn it into the API Gateway model
// (importing the handler would run its module-level environment checks).

/** The header that makes a retried request return the order the first attempt created. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/**
 * One line of the request: a SKU and how many. The price is the catalog's, never the client's: a `unitPrice`, if
 * sent, is the price the client showed the customer, and the order is refused (400 naming the field) unless it equals
 * the catalog's, so nobody is charged a price they did not see, and no client sets one.
 */
export const requestLine = z.strictObject({ sku, quantity, unitPrice: z.optional(unitPrice) });

/**
 * The request body. The customer is the signed-in caller: a customer's `customerId`, if sent, must be their own; a
 * machine client (the storefront's back end) must name the customer. `currency` must be one the environment sells.
 * `unitPrice` and `total` are optional and, when sent, must equal the catalog's price and the sum of the lines at the
 * catalog's prices (checked, never used). Unknown keys are refused.
 */
export const placeOrderRequest = z.strictObject({
  customerId: z.optional(customerId),
  contact,
  items: z.array(requestLine).check(z.minLength(1), z.maxLength(MAX_ORDER_LINES)),
  currency,
  total: z.optional(amount),
});
export type PlaceOrderRequest = z.infer<typeof placeOrderRequest>;
export type RequestLine = z.infer<typeof requestLine>;
