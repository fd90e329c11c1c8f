import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { PaymentDeclined, PaymentProviderUnavailable } from "../shared/errors";
import { chargePaymentInput, type ChargePaymentOutput } from "../shared/events";
import { count, logger, METRIC_NAMES } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { PAYMENTS_TABLE_KEY, type PaymentItem } from "./payments-table";
import { DEFAULT_DECLINE_ABOVE, authorize } from "./simulated-provider";

// Saga task: charges the order's total through the simulated provider and records the payment. Throws
// PaymentDeclined (the saga compensates) or PaymentProviderUnavailable (transient: the saga retries). A retried
// call returns the recorded payment instead of charging again.
// Environment: PAYMENTS_TABLE_NAME; PAYMENT_DECLINE_ABOVE (optional, minor units, default 100000).

const env = readEnvironment({
  PAYMENTS_TABLE_NAME: nonEmpty,
  PAYMENT_DECLINE_ABOVE: z.pipe(
    z.optional(z.string().check(z.regex(/^[0-9]{1,9}$/, "a whole number of minor units such as \"100000\""))),
    z.transform((value) => (value === undefined ? DEFAULT_DECLINE_ABOVE : Number(value))),
  ),
});
const db = documentClient();

export const handler = sagaTask("charge-payment", chargePaymentInput, async (input): Promise<ChargePaymentOutput> => {
  const existing = await paymentOf(input.orderId);
  if (existing) {
    logger.info("order was already charged");
    return toOutput(existing);
  }

  const answer = authorize(input, env.PAYMENT_DECLINE_ABOVE);
  if (answer.outcome === "unavailable") {
    logger.warn("payment provider unavailable");
    throw new PaymentProviderUnavailable(input.orderId);
  }
  if (answer.outcome === "declined") {
    count(METRIC_NAMES.paymentsDeclined);
    logger.info("payment declined", { reason: answer.reason, amount: input.total, currency: input.currency });
    throw new PaymentDeclined(input.orderId, answer.reason);
  }

  const payment: PaymentItem = {
    orderId: input.orderId,
    paymentId: randomUUID(),
    customerId: input.customerId,
    amount: input.total,
    currency: input.currency,
    status: "CHARGED",
    chargedAt: new Date().toISOString(),
  };
  try {
    await db.send(
      new PutCommand({
        TableName: env.PAYMENTS_TABLE_NAME,
        Item: payment,
        ConditionExpression: "attribute_not_exists(#key)",
        ExpressionAttributeNames: { "#key": PAYMENTS_TABLE_KEY },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // A concurrent attempt recorded its payment first; there is one payment per order, and it is that one.
    const winner = await paymentOf(input.orderId);
    if (!winner) throw error;
    return toOutput(winner);
  }
  logger.info("payment charged", { paymentId: payment.paymentId, amount: payment.amount, currency: payment.currency });
  return toOutput(payment);
});

async function paymentOf(orderId: string): Promise<PaymentItem | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: env.PAYMENTS_TABLE_NAME, Key: { [PAYMENTS_TABLE_KEY]: orderId }, ConsistentRead: true }));
  return Item as PaymentItem | undefined;
}

function toOutput(payment: PaymentItem): ChargePaymentOutput {
  return { orderId: payment.orderId, paymentId: payment.paymentId, amount: payment.amount, currency: payment.currency, chargedAt: payment.chargedAt };
}
