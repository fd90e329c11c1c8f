import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { InventoryLocked, OutOfStock, ReservationReleased } from "../shared/errors";
import { reserveStockInput, type OrderLine, type ReserveStockOutput } from "../shared/events";
import { count, logger, METRIC_NAMES } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { STOCK_TABLE_KEY, cancellationCodes, reservationKey, stockKey, type ReservationItem } from "./stock-table";

// Saga task: takes every line's quantity off the stock and records the reservation, all in one transaction, so an
// order is reserved completely or not at all. Throws OutOfStock (the saga cancels the order) or InventoryLocked
// (transient: the saga retries). Environment: STOCK_TABLE_NAME.

const env = readEnvironment({ STOCK_TABLE_NAME: nonEmpty });
const db = documentClient();

export const handler = sagaTask("reserve-stock", reserveStockInput, async (input): Promise<ReserveStockOutput> => {
  const lines = bySku(input.items);
  const reservation: ReservationItem = {
    ...(reservationKey(input.orderId) as { pk: string }),
    orderId: input.orderId,
    lines,
    status: "RESERVED",
    reservedAt: new Date().toISOString(),
  };
  try {
    await db.send(new TransactWriteCommand({ TransactItems: reserveItems(env.STOCK_TABLE_NAME, lines, reservation) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    return explain(error, input.orderId, lines);
  }
  logger.info("stock reserved", { lines: lines.length });
  return { orderId: input.orderId, lines, reservedAt: reservation.reservedAt };
});

/**
 * The transaction: one conditional decrement per SKU, then the reservation, which must not exist yet (a retried
 * call must not take the stock twice). Exported for the tests, which check it against what DynamoDB is sent.
 */
export function reserveItems(tableName: string, lines: readonly { sku: string; quantity: number }[], reservation: ReservationItem) {
  return [
    ...lines.map((line) => ({
      Update: {
        TableName: tableName,
        Key: stockKey(line.sku),
        UpdateExpression: "SET #available = #available - :quantity",
        ConditionExpression: "attribute_exists(#pk) AND #available >= :quantity",
        ExpressionAttributeNames: { "#pk": STOCK_TABLE_KEY, "#available": "available" },
        ExpressionAttributeValues: { ":quantity": line.quantity },
      },
    })),
    {
      Put: {
        TableName: tableName,
        Item: reservation,
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": STOCK_TABLE_KEY },
      },
    },
  ];
}

/** One line per SKU: a transaction may touch an item only once, and two lines of one SKU need their sum in stock. */
export function bySku(items: readonly OrderLine[]): { sku: string; quantity: number }[] {
  const quantities = new Map<string, number>();
  for (const item of items) quantities.set(item.sku, (quantities.get(item.sku) ?? 0) + item.quantity);
  return [...quantities].map(([sku, quantity]) => ({ sku, quantity }));
}

async function explain(
  error: TransactionCanceledException,
  orderId: string,
  lines: readonly { sku: string; quantity: number }[],
): Promise<ReserveStockOutput> {
  const codes = cancellationCodes(error);
  if (codes[lines.length] === "ConditionalCheckFailed") {
    // The reservation exists: an earlier attempt of this task succeeded, and its answer is the answer.
    const { Item } = await db.send(new GetCommand({ TableName: env.STOCK_TABLE_NAME, Key: reservationKey(orderId), ConsistentRead: true }));
    const existing = Item as ReservationItem | undefined;
    if (existing?.status === "RESERVED") {
      logger.info("stock was already reserved for this order");
      return { orderId, lines: [...existing.lines], reservedAt: existing.reservedAt };
    }
    if (existing?.status === "RELEASED") throw new ReservationReleased(orderId);
  }
  const short = lines.filter((_, i) => codes[i] === "ConditionalCheckFailed").map((line) => line.sku);
  if (short.length > 0) {
    count(METRIC_NAMES.stockShortages);
    logger.info("out of stock", { skus: short });
    throw new OutOfStock(orderId, short);
  }
  if (codes.includes("TransactionConflict")) throw new InventoryLocked(orderId);
  throw error;
}
