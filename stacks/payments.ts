import { Function } from "../components/function";
import { Table } from "../components/table";
import { domainContext } from "./context";
import { functionDefaults, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * Payments: the payments table (one payment per order) and the saga's charge-payment (a simulated provider that
 * declines above `paymentDeclineAbove` and is sometimes unavailable) and refund-payment (its idempotent compensation).
 */
export async function paymentsStack(): Promise<Exports<"payments">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);

  const payments = new Table("payments", { partitionKey: { name: "orderId", type: "S" }, ...tableDefaults(settings) });
  const chargePayment = new Function("chargePayment", {
    handler: "payments/charge-payment.ts",
    environment: { PAYMENTS_TABLE_NAME: payments.tableName, PAYMENT_DECLINE_ABOVE: String(settings.paymentDeclineAbove) },
    ...defaults,
  });
  payments.grant(chargePayment, "dynamodb:GetItem", "dynamodb:PutItem");
  const refundPayment = new Function("refundPayment", {
    handler: "payments/refund-payment.ts",
    environment: { PAYMENTS_TABLE_NAME: payments.tableName },
    ...defaults,
  });
  payments.grant(refundPayment, "dynamodb:GetItem", "dynamodb:UpdateItem");

  return { paymentsTableName: payments.tableName, chargePaymentFunctionArn: chargePayment.arn, refundPaymentFunctionArn: refundPayment.arn };
}
