import { DECLINED_CUSTOMER_ID } from "../../../handlers/payments/simulated-provider";
import { expect, type Scenario } from "./scenario";
import { available, emailed, orderBody, orderReaches, paymentsTable, skus } from "./orders";

/** A declined card: CANCELLED, the reserved stock released, nothing charged, the cancellation notified. */
export const paymentDeclined: Scenario = {
  name: "payment-declined",
  description: "a declined payment cancels the order and releases its stock",
  async run(c) {
    const { inStock } = skus(c, 3, 2);
    const before = await available(c, inStock);
    const answer = await c.step("POST /orders with a card the provider declines", () => c.placeOrder(orderBody({ customerId: DECLINED_CUSTOMER_ID, lines: [{ sku: inStock, quantity: 3 }] })));
    const orderId = String(answer.body.orderId);
    await c.step("the order ends CANCELLED", () => orderReaches(c, orderId, ["CANCELLED"]), (o) => `reason ${String(o.cancelReason)}`);
    await c.step("the reserved stock is released", async () => {
      const reservation = await c.waitFor("the released reservation", async () => {
        const item = await c.item(c.output("inventory", "stockTableName"), { pk: `RESERVATION#${orderId}` });
        return item?.status === "RELEASED" ? item : undefined;
      });
      expect(reservation.status === "RELEASED", "reservation released");
      const now = await available(c, inStock);
      expect(now === before, `expected ${inStock} back at ${before}, found ${now}`);
    });
    await c.step("nothing charged", async () => {
      const payment = await c.item(paymentsTable(c), { orderId });
      expect(payment === undefined || payment.status !== "CHARGED", `expected no charge, found ${JSON.stringify(payment)}`);
    });
    await c.step("the cancellation is emailed", () => emailed(c, orderId, "OrderCancelled"), (e) => `"${e.subject}" to ${e.to.join(", ")}`);
  },
};
