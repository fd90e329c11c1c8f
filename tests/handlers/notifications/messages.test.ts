import { strict as assert } from "node:assert";
import { emailFor, formatAmount, textFor } from "../../../handlers/notifications/messages";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const contact = { email: "jane.doe@example.com" };

describe("handlers/notifications/messages", () => {
  it("formats amounts in each currency's own minor unit: cents, yen, fils", () => {
    assert.equal(formatAmount(1999, "EUR"), "€19.99");
    assert.equal(formatAmount(1999, "USD"), "$19.99");
    assert.equal(formatAmount(1999, "JPY"), "¥1,999");
    assert.equal(formatAmount(1999, "KWD"), "KWD 1.999");
    assert.equal(formatAmount(0, "EUR"), "€0.00");
  });

  it("the confirmation names the order, each line and the total, in text and in HTML", () => {
    const email = emailFor({
      name: "OrderConfirmed",
      eventId: "e1",
      detail: { orderId: ORDER_ID, customerId: "c1", contact, currency: "JPY", total: 3500, items: [{ sku: "TEA-1", quantity: 2, unitPrice: 1500 }, { sku: "CUP", quantity: 1, unitPrice: 500 }] },
    });
    assert.equal(email.subject, `Your order ${ORDER_ID} is confirmed: ¥3,500`);
    assert.match(email.text, /2 x TEA-1 at ¥1,500: ¥3,000/);
    assert.match(email.text, /1 x CUP at ¥500: ¥500/);
    assert.match(email.text, /Total: ¥3,500/);
    assert.match(email.html, new RegExp(`Order <strong>${ORDER_ID}</strong> is confirmed and paid`));
    assert.match(email.html, /<strong>¥3,500<\/strong>/);
    assert.match(email.html, /^<!doctype html>/);
  });

  it("a cancellation says why in words, never the saga's error name, and that nothing stays charged", () => {
    const cancelled = (reason: string) => emailFor({ name: "OrderCancelled", eventId: "e1", detail: { orderId: ORDER_ID, customerId: "c1", contact, reason } });
    assert.match(cancelled("OutOfStock").text, /because some of its items are out of stock\./);
    assert.match(cancelled("PaymentDeclined").text, /because the payment was declined\./);
    const other = cancelled("States.Timeout");
    assert.match(other.text, /because we could not complete it\./);
    assert.ok(!other.text.includes("States.Timeout") && !other.html.includes("States.Timeout"));
    assert.match(other.text, /any payment taken for it has been refunded/);
  });

  it("a shipment email and text name the carrier and the tracking number; event values cannot become markup", () => {
    const event = {
      name: "OrderShipped" as const,
      eventId: "e1",
      detail: { orderId: ORDER_ID, customerId: "c1", contact, shipmentId: "s1", carrier: "<b>post</b> & co", trackingNumber: "ABC123", shippedAt: "t0" },
    };
    const email = emailFor(event);
    assert.match(email.text, /on its way with <b>post<\/b> & co\.\n\nTracking number: ABC123/);
    assert.match(email.html, /with &lt;b&gt;post&lt;\/b&gt; &amp; co\./);
    assert.ok(!email.html.includes("<b>post"));
    assert.equal(textFor(event), `orderflow: order ${ORDER_ID} has shipped with <b>post</b> & co, tracking number ABC123.`);
  });
});
