import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { InventoryLocked } from "../shared/errors";
import { releaseStockInput, type ReleaseStockOutput } from "../shared/events";
import { logger } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { cancellationCodes, reservationKey, stockKey, type ReservationItem } from "./stock-table";

// Saga compensation of reserve-stock: puts the reserved quantities back and marks the reservation RELEASED, in one
// transaction conditioned on the reservation still being RESERVED, so releasing twice releases once. Nothing
// reserved (reserve-stock failed) is nothing to release. Environment: STOCK_TABLE_NAME.

const env = readEnvironment({ STOCK_TABLE_NAME: nonEmpty });
const db = documentClient();

export const handler = sagaTask("release-stock", releaseStockInput, async (input): Promise<ReleaseStockOutput> => {
  const { Item } = await db.send(new GetCommand({ TableName: env.STOCK_TABLE_NAME, Key: reservationKey(input.orderId), ConsistentRead: true }));
  const reservation = Item as ReservationItem | undefined;
  if (reservation?.status !== "RESERVED") {
    logger.info(reservation ? "stock was already released" : "no stock was reserved for this order");
    return { orderId: input.orderId, released: false };
  }
  try {
    await db.send(new TransactWriteCommand({ TransactItems: releaseItems(env.STOCK_TABLE_NAME, reservation, new Date().toISOString()) }));
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = cancellationCodes(error);
    // A concurrent release won between our read and our write: it put the stock back, so this one must not.
    if (codes[0] === "ConditionalCheckFailed") return { orderId: input.orderId, released: false };
    if (codes.includes("TransactionConflict")) throw new InventoryLocked(input.orderId);
    throw error;
  }
  logger.info("stock released", { lines: reservation.lines.length });
  return { orderId: input.orderId, released: true };
});

/** The transaction: the reservation's RESERVED → RELEASED first, then one increment per line. */
export function releaseItems(tableName: string, reservation: ReservationItem, releasedAt: string) {
  return [
    {
      Update: {
        TableName: tableName,
        Key: reservationKey(reservation.orderId),
        UpdateExpression: "SET #status = :released, #releasedAt = :releasedAt",
        ConditionExpression: "#status = :reserved",
        ExpressionAttributeNames: { "#status": "status", "#releasedAt": "releasedAt" },
        ExpressionAttributeValues: { ":released": "RELEASED", ":reserved": "RESERVED", ":releasedAt": releasedAt },
      },
    },
    ...reservation.lines.map((line) => ({
      Update: {
        TableName: tableName,
        Key: stockKey(line.sku),
        // ADD rather than SET: if the stock item was removed meanwhile, the stock comes back instead of failing.
        UpdateExpression: "ADD #available :quantity",
        ExpressionAttributeNames: { "#available": "available" },
        ExpressionAttributeValues: { ":quantity": line.quantity },
      },
    })),
  ];
}

