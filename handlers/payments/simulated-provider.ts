import type { ChargePaymentInput } from "../shared/events";

// A stand-in for a card processor, deterministic so tests and demos can pick the outcome by the order's data.

/** Orders of this customer are always declined ("card declined"). */
export const DECLINED_CUSTOMER_ID = "test-card-declined";

/** Orders of this customer always meet an unavailable provider: the saga retries, then gives up and compensates. */
export const PROVIDER_UNAVAILABLE_CUSTOMER_ID = "test-provider-unavailable";

/** The default of PAYMENT_DECLINE_ABOVE: orders over 1000.00 (in minor units) are declined. */
export const DEFAULT_DECLINE_ABOVE = 100_000;

export type ProviderAnswer = { readonly outcome: "approved" } | { readonly outcome: "declined"; readonly reason: string } | { readonly outcome: "unavailable" };

/** What the provider says to a charge. */
export function authorize(charge: ChargePaymentInput, declineAbove: number): ProviderAnswer {
  if (charge.customerId === PROVIDER_UNAVAILABLE_CUSTOMER_ID) return { outcome: "unavailable" };
  if (charge.customerId === DECLINED_CUSTOMER_ID) return { outcome: "declined", reason: "card declined" };
  if (charge.total > declineAbove) return { outcome: "declined", reason: `amount over the limit of ${declineAbove}` };
  return { outcome: "approved" };
}
