/**
 * The payments table, owned by the payments domain. Partition key `orderId` (S), no sort key: one payment per
 * order, so a retried charge finds the first one instead of charging twice.
 *
 * `{ orderId: S, paymentId: S, customerId: S, amount: N (minor units), currency: S, status: "CHARGED" | "REFUNDED",
 *    chargedAt: S, refundedAt?: S }`
 */
export const PAYMENTS_TABLE_KEY = "orderId";

export interface PaymentItem {
  readonly orderId: string;
  readonly paymentId: string;
  readonly customerId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: "CHARGED" | "REFUNDED";
  readonly chargedAt: string;
  readonly refundedAt?: string;
}
