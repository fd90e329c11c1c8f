import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";

/**
 * The stock table, owned by the inventory domain. Partition key `pk` (S), no sort key. Two kinds of item:
 *
 * - stock, `pk = "SKU#<sku>"`: `{ pk, sku: S, available: N }`; `available` never goes below 0 (every decrement is
 *   conditional). Seeded by operations; an unknown SKU is out of stock.
 * - reservation, `pk = "RESERVATION#<orderId>"`: `{ pk, orderId: S, lines: L of M { sku: S, quantity: N },
 *   status: "RESERVED" | "RELEASED", reservedAt: S, releasedAt?: S }`; one per order, so reserving twice reserves
 *   once, and it records what release-stock must put back.
 */
export const STOCK_TABLE_KEY = "pk";

export const stockKey = (sku: string) => ({ [STOCK_TABLE_KEY]: `SKU#${sku}` });
export const reservationKey = (orderId: string) => ({ [STOCK_TABLE_KEY]: `RESERVATION#${orderId}` });

export interface StockItem {
  readonly pk: string;
  readonly sku: string;
  readonly available: number;
}

export interface ReservationItem {
  readonly pk: string;
  readonly orderId: string;
  readonly lines: readonly { readonly sku: string; readonly quantity: number }[];
  readonly status: "RESERVED" | "RELEASED";
  readonly reservedAt: string;
  readonly releasedAt?: string;
}

/** The cancellation code DynamoDB gives each item of a cancelled transaction ("None" for those that were fine). */
export function cancellationCodes(error: TransactionCanceledException): string[] {
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? "None");
}
