import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { InvalidOrderTransition, OrderNotFound } from "../shared/errors";
import { ORDERS_TABLE_KEY, type OrderItem, type OrderStatus } from "./orders-table";

/** What a transition did: `changed` is false when the order already had the target status (a retried call). */
export interface TransitionResult {
  readonly order: OrderItem;
  readonly changed: boolean;
}

/**
 * Moves an order to `to` when its status is one of `from`, in one conditional update, so two saga steps racing
 * (a late confirm after a cancel) cannot both win. Already at `to`: nothing changes and the call succeeds, so saga
 * retries are harmless. Any other status: InvalidOrderTransition. No order: OrderNotFound.
 */
export async function transition(
  db: DynamoDBDocumentClient,
  tableName: string,
  orderId: string,
  to: OrderStatus,
  from: readonly OrderStatus[],
  set: Readonly<Record<string, string>> = {},
): Promise<TransitionResult> {
  const extra = Object.keys(set);
  try {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [ORDERS_TABLE_KEY]: orderId },
        UpdateExpression: `SET #status = :to, #updatedAt = :now${extra.map((_, i) => `, #x${i} = :x${i}`).join("")}`,
        ConditionExpression: `attribute_exists(#key) AND #status IN (${from.map((_, i) => `:from${i}`).join(", ")})`,
        ExpressionAttributeNames: {
          "#key": ORDERS_TABLE_KEY,
          "#status": "status",
          "#updatedAt": "updatedAt",
          ...Object.fromEntries(extra.map((k, i) => [`#x${i}`, k])),
        },
        ExpressionAttributeValues: {
          ":to": to,
          ":now": new Date().toISOString(),
          ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])),
          ...Object.fromEntries(extra.map((k, i) => [`:x${i}`, set[k]])),
        },
        ReturnValues: "ALL_NEW",
      }),
    );
    return { order: Attributes as OrderItem, changed: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { [ORDERS_TABLE_KEY]: orderId }, ConsistentRead: true }));
  if (Item === undefined) throw new OrderNotFound(orderId);
  const order = Item as OrderItem;
  if (order.status === to) return { order, changed: false };
  throw new InvalidOrderTransition(orderId, order.status, to);
}
