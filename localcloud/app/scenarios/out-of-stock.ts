import { expect, type Scenario } from "./scenario";
import { available, emailed, orderBody, orderReaches, paymentsTable, skus } from "./orders";

/** An order for a SKU with no stock: CANCELLED, nothing reserved or charged, the cancellation notified. */
export const outOfStock: Scenario = {
  name: "out-of-stock",
  description: "an order for a SKU without stock is cancelled and nothing is charged",
  async run(c) {
    const { inStock, outOfStock } = skus(c, 1, 1);
    const before = await available(c, inStock);
    const answer = await c.step("POST /orders for an in-stock and an out-of-stock SKU", () => c.placeOrder(orderBody({ lines: [{ sku: inStock, quantity: 1 }, { sku: outOfStock, quantity: 1 }] })));
    const orderId = String(answer.body.orderId);
    const order = await c.step("the order ends CANCELLED", () => orderReaches(c, orderId, ["CANCELLED"]), (o) => `reason ${String(o.cancelReason)}`);
    expect(String(order.cancelReason ?? "").length > 0, "a cancelled order records why");
    await c.step("no stock reserved (the whole reservation was refused)", async () => {
      const now = await available(c, inStock);
      expect(now === before, `expected ${inStock} to stay at ${before}, found ${now}`);
    });
    await c.step("nothing charged", async () => {
      const payment = await c.item(paymentsTable(c), { orderId });
      expect(payment === undefined, `expected no payment, found ${JSON.stringify(payment)}`);
    });
    await c.step("the cancellation is emailed", () => emailed(c, orderId, "OrderCancelled"), (e) => `"${e.subject}" to ${e.to.join(", ")}`);
  },
};
