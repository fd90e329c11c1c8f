import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { refundPaymentInput, type RefundPaymentOutput } from "../shared/events";
import { logger } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { PAYMENTS_TABLE_KEY, type PaymentItem } from "./payments-table";

// Saga compensation of charge-payment: CHARGED → REFUNDED in one conditional update, so refunding twice refunds
// once; no payment (the charge failed) is nothing to refund. Environment: PAYMENTS_TABLE_NAME.

const env = readEnvironment({ PAYMENTS_TABLE_NAME: nonEmpty });
const db = documentClient();

export const handler = sagaTask("refund-payment", refundPaymentInput, async (input): Promise<RefundPaymentOutput> => {
  try {
    const { Attributes } = await db.send(
      new UpdateCommand({
        TableName: env.PAYMENTS_TABLE_NAME,
        Key: { [PAYMENTS_TABLE_KEY]: input.orderId },
        UpdateExpression: "SET #status = :refunded, #refundedAt = :now",
        ConditionExpression: "attribute_exists(#key) AND #status = :charged",
        ExpressionAttributeNames: { "#key": PAYMENTS_TABLE_KEY, "#status": "status", "#refundedAt": "refundedAt" },
        ExpressionAttributeValues: { ":refunded": "REFUNDED", ":charged": "CHARGED", ":now": new Date().toISOString() },
        ReturnValues: "ALL_NEW",
      }),
    );
    const payment = Attributes as PaymentItem;
    logger.info("payment refunded", { paymentId: payment.paymentId, amount: payment.amount, currency: payment.currency });
    return { orderId: input.orderId, refunded: true, paymentId: payment.paymentId };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const { Item } = await db.send(new GetCommand({ TableName: env.PAYMENTS_TABLE_NAME, Key: { [PAYMENTS_TABLE_KEY]: input.orderId }, ConsistentRead: true }));
  const payment = Item as PaymentItem | undefined;
  logger.info(payment ? "payment was already refunded" : "no payment to refund");
  return { orderId: input.orderId, refunded: false, ...(payment ? { paymentId: payment.paymentId } : {}) };
});
