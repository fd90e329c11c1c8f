import { randomUUID } from "node:crypto";
import { ORDERS_SCOPES } from "../../../handlers/orders/scopes";
import { expect, type HttpAnswer, type Scenario } from "./scenario";
import { available, catalogPrice, orderBody, orderReaches, ordersTable, paymentsTable, skus } from "./orders";

/** The fields a 400 names. */
function fieldsOf(answer: HttpAnswer): { path: string; message: string }[] {
  return (answer.body.fields as { path: string; message: string }[] | undefined) ?? [];
}

/**
 * A client that sets its own price: refused with 400 naming the field, and nothing happens (no order, no saga, no stock
 * taken, no charge). The same Idempotency-Key then places the honest order, at the catalog's price: had the refused
 * request stored anything under that key, the honest one would be refused as a reused key (422).
 */
export const priceTampering: Scenario = {
  name: "price-tampering",
  description: "a client price that differs from the catalog's is refused; nothing is written or charged",
  async run(c) {
    // Slot 4: a SKU no other scenario orders, so its stock level tells whether anything was reserved.
    const { inStock: sku } = skus(c, 2, 4);
    const price = catalogPrice(c, sku);
    const stockBefore = await available(c, sku);
    const key = randomUUID();

    await c.step(`POST /orders with ${sku} at 1 instead of ${price} answers 400 naming items[0].unitPrice`, async () => {
      const answer = await c.placeOrder(orderBody({ lines: [{ sku, quantity: 2, unitPrice: 1 }] }), { key, expectStatus: 400 });
      const fields = fieldsOf(answer);
      expect(fields.length === 1 && fields[0].path === "items[0].unitPrice", `expected one issue at items[0].unitPrice, got ${JSON.stringify(fields)}`);
      expect(fields[0].message.includes(sku) && fields[0].message.includes(String(price)), `expected the message to name ${sku} and its price ${price}: "${fields[0].message}"`);
      return fields[0];
    }, (f) => f.message);
    await c.step("a total that is not the catalog's sum answers 400 naming total", async () => {
      const answer = await c.placeOrder(orderBody({ lines: [{ sku, quantity: 2 }], total: 2 }), { expectStatus: 400 });
      expect(fieldsOf(answer).map((f) => f.path).join() === "total", `expected one issue at total, got ${JSON.stringify(fieldsOf(answer))}`);
    });
    await c.step("the back office (orders/write) is held to the catalog too", async () => {
      const answer = await c.placeOrder(orderBody({ customerId: c.customerId, lines: [{ sku, quantity: 2, unitPrice: 1 }] }), { expectStatus: 400, as: c.machine([ORDERS_SCOPES.write]) });
      expect(fieldsOf(answer).map((f) => f.path).join() === "items[0].unitPrice", `expected one issue at items[0].unitPrice, got ${JSON.stringify(fieldsOf(answer))}`);
    });
    await c.step("nothing was written: no order of this customer, no payment, the stock untouched", async () => {
      // Long enough for the stream, the pipe and the saga to have acted on an order, had one been written.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const orders = await c.itemsWhere(ordersTable(c), "customerId", c.customerId);
      expect(orders.length === 0, `expected no order, found ${JSON.stringify(orders)}`);
      const payments = await c.itemsWhere(paymentsTable(c), "customerId", c.customerId);
      expect(payments.length === 0, `expected no payment, found ${JSON.stringify(payments)}`);
      const stock = await available(c, sku);
      expect(stock === stockBefore, `expected ${sku} to stay at ${stockBefore}, found ${stock}`);
    });
    const placed = await c.step("the same Idempotency-Key with the catalog's price places the order (201, not 422)", async () => {
      const answer = await c.placeOrder(orderBody({ lines: [{ sku, quantity: 2, unitPrice: price }] }), { key });
      expect(answer.body.total === 2 * price, `expected total ${2 * price}, got ${JSON.stringify(answer.body)}`);
      expect(answer.headers.get("idempotent-replayed") === null, "a new order, not a replay");
      return answer.body;
    }, (b) => `order ${String(b.orderId)}, total ${String(b.total)}`);
    const orderId = String(placed.orderId);
    await c.step("it is confirmed and charged the catalog's price", async () => {
      await orderReaches(c, orderId, ["CONFIRMED"]);
      const payment = await c.waitFor("the payment", () => c.item(paymentsTable(c), { orderId }));
      expect(payment.status === "CHARGED" && payment.amount === 2 * price, `expected a CHARGED payment of ${2 * price}, got ${JSON.stringify(payment)}`);
    });
  },
};
