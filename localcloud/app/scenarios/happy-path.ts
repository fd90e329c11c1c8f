import { expect, type Scenario } from "./scenario";
import { formatAmount } from "../../../handlers/shared/money";
import { catalogPrice, emailed, orderBody, orderReaches, paymentsTable, shipmentsTable, skus, texted } from "./orders";

/** POST /orders → CONFIRMED → shipment → label → email and SMS; GET shows the final state. */
export const happyPath: Scenario = {
  name: "happy-path",
  description: "an order is confirmed, shipped, labelled and notified",
  async run(c) {
    const { inStock } = skus(c, 2);
    const body = orderBody({ phone: true, lines: [{ sku: inStock, quantity: 2 }] });
    // The client sends SKUs and quantities; the server prices them from the catalog.
    const total = 2 * catalogPrice(c, inStock);
    const placed = await c.step("POST /orders answers 201 PENDING, priced from the catalog", async () => {
      const answer = await c.placeOrder(body);
      expect(answer.status === 201, `expected 201, got ${answer.status}: ${JSON.stringify(answer.body)}`);
      expect(answer.body.status === "PENDING" && answer.body.total === total, `expected PENDING with total ${total}, got ${JSON.stringify(answer.body)}`);
      return answer.body;
    }, (b) => `order ${String(b.orderId)}, total ${String(b.total)}`);
    const orderId = String(placed.orderId);
    // The saga's own waits are none on this path; shipping's batching window (5 s) is the longest configured wait.
    await c.step("the saga confirms it", () => orderReaches(c, orderId, ["CONFIRMED"]));
    await c.step("payment charged", async () => {
      const payment = await c.item(paymentsTable(c), { orderId });
      expect(payment?.status === "CHARGED" && payment.amount === total, `expected a CHARGED payment of ${total}, got ${JSON.stringify(payment)}`);
    });
    const shipment = await c.step("a shipment is recorded", () => c.waitFor("the shipment", () => c.item(shipmentsTable(c), { orderId }), 10), (s) => `shipment ${String(s.shipmentId)}`);
    await c.step("the label worker writes its label", () => c.waitFor("the label", async () => (await c.item(shipmentsTable(c), { orderId }))?.label, 30), (l) => `label ${String((l as { labelId?: string }).labelId)}`);
    expect(shipment.orderId === orderId, "the shipment belongs to the order");
    await c.step("the confirmation email names the order and its amount", async () => {
      const email = await emailed(c, orderId, "OrderConfirmed");
      const amount = formatAmount(Number(placed.total), String(body.currency));
      expect(email.subject.includes(orderId) && email.subject.includes(amount), `expected the subject to name ${orderId} and ${amount}: "${email.subject}"`);
      expect(email.text?.includes(amount), `expected the text to show the total ${amount}`);
      return email;
    }, (e) => `"${e.subject}" to ${e.to.join(", ")}`);
    const { trackingNumber } = (await c.item(shipmentsTable(c), { orderId })) ?? {};
    await c.step("the shipment is emailed and texted with its tracking number", async () => {
      const email = await emailed(c, orderId, "OrderShipped");
      const text = await texted(c, orderId, "OrderShipped");
      const tracking = String(trackingNumber);
      expect(email.text?.includes(tracking) && text.messageBody.includes(tracking), `expected the shipped email and text to give tracking number ${tracking}`);
      return text;
    }, (t) => `text to ${t.destinationPhoneNumber}`);
    await c.step("GET /orders/{id} shows it CONFIRMED", async () => {
      const answer = await c.request("GET", `/orders/${orderId}`);
      expect(answer.status === 200 && answer.body.status === "CONFIRMED", `expected 200 CONFIRMED, got ${answer.status} ${JSON.stringify(answer.body)}`);
    });
  },
};
