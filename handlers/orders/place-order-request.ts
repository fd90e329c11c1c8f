import * as z from "zod/mini";
import { amount, contact, currency, customerId, orderLines } from "../shared/events";

// The POST /orders contract, apart from the handler so the orders stack can turn it into the API Gateway model
// (importing the handler would run its module-level environment checks).

/** The header that makes a retried request return the order the first attempt created. */
export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/**
 * The request body. The customer is the signed-in caller: a customer's `customerId`, if sent, must be their own; a
 * machine client (the storefront's back end) must name the customer. `total` is optional; when sent, it must equal the
 * sum of the lines. Unknown keys are refused.
 */
export const placeOrderRequest = z.strictObject({
  customerId: z.optional(customerId),
  contact,
  items: orderLines,
  currency,
  total: z.optional(amount),
});
export type PlaceOrderRequest = z.infer<typeof placeOrderRequest>;
