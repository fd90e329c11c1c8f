import type { ConsumedEvent } from "../shared/event-consumer";
import { ERROR_NAMES } from "../shared/errors";
import type { OrderLine } from "../shared/events";
import { formatAmount } from "../shared/money";

export { formatAmount } from "../shared/money";

/** The events customers hear of. */
export type NotifiedEvent = ConsumedEvent<"OrderConfirmed" | "OrderCancelled" | "OrderShipped">;

type Detail<N extends NotifiedEvent["name"]> = ConsumedEvent<N>["detail"];

/** One email: a subject, and the same content as plain text and as HTML (mail clients show the one they can). */
export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The email of each event. */
export function emailFor(event: NotifiedEvent): EmailContent {
  switch (event.name) {
    case "OrderConfirmed":
      return orderConfirmed(event.detail);
    case "OrderCancelled":
      return orderCancelled(event.detail);
    case "OrderShipped":
      return orderShipped(event.detail);
  }
}

/** The text message of a shipment: one short line, within one SMS segment for ordinary carrier names. */
export function textFor(event: ConsumedEvent<"OrderShipped">): string {
  const { orderId, carrier, trackingNumber } = event.detail;
  return `orderflow: order ${orderId} has shipped with ${carrier}, tracking number ${trackingNumber}.`;
}

function orderConfirmed(detail: Detail<"OrderConfirmed">): EmailContent {
  const { orderId, items, currency, total } = detail;
  const price = (minor: number) => formatAmount(minor, currency);
  const line = (l: OrderLine) => ({ quantity: l.quantity, sku: l.sku, unit: price(l.unitPrice), amount: price(l.unitPrice * l.quantity) });
  const lines = items.map(line);
  return {
    subject: `Your order ${orderId} is confirmed: ${price(total)}`,
    text: [
      "Thank you for your order.",
      "",
      `Order ${orderId} is confirmed and paid.`,
      "",
      ...lines.map((l) => `  ${l.quantity} x ${l.sku} at ${l.unit}: ${l.amount}`),
      `Total: ${price(total)}`,
      "",
      "We will write again when it ships.",
    ].join("\n"),
    html: page(`Order ${orderId} is confirmed`, [
      `<p>Thank you for your order.</p>`,
      `<p>Order <strong>${escape(orderId)}</strong> is confirmed and paid.</p>`,
      `<table role="presentation" cellpadding="4">`,
      ...lines.map(
        (l) => `<tr><td>${l.quantity} &times; ${escape(l.sku)}</td><td>at ${escape(l.unit)}</td><td align="right">${escape(l.amount)}</td></tr>`,
      ),
      `<tr><td colspan="2"><strong>Total</strong></td><td align="right"><strong>${escape(price(total))}</strong></td></tr>`,
      `</table>`,
      `<p>We will write again when it ships.</p>`,
    ]),
  };
}

function orderCancelled(detail: Detail<"OrderCancelled">): EmailContent {
  const { orderId, reason } = detail;
  const because = cancellationReason(reason);
  const refund = "You have not been charged; any payment taken for it has been refunded.";
  return {
    subject: `Your order ${orderId} was cancelled`,
    text: [`We are sorry: order ${orderId} was cancelled because ${because}.`, "", refund].join("\n"),
    html: page(`Order ${orderId} was cancelled`, [
      `<p>We are sorry: order <strong>${escape(orderId)}</strong> was cancelled because ${escape(because)}.</p>`,
      `<p>${escape(refund)}</p>`,
    ]),
  };
}

function orderShipped(detail: Detail<"OrderShipped">): EmailContent {
  const { orderId, carrier, trackingNumber } = detail;
  return {
    subject: `Your order ${orderId} has shipped`,
    text: [`Order ${orderId} is on its way with ${carrier}.`, "", `Tracking number: ${trackingNumber}`].join("\n"),
    html: page(`Order ${orderId} has shipped`, [
      `<p>Order <strong>${escape(orderId)}</strong> is on its way with ${escape(carrier)}.</p>`,
      `<p>Tracking number: <strong>${escape(trackingNumber)}</strong></p>`,
    ]),
  };
}

// The saga's reason is the failed step's error name; customers get a sentence, never an error name.
function cancellationReason(reason: string): string {
  switch (reason) {
    case ERROR_NAMES.outOfStock:
      return "some of its items are out of stock";
    case ERROR_NAMES.paymentDeclined:
      return "the payment was declined";
    default:
      return "we could not complete it";
  }
}

function page(title: string, body: readonly string[]): string {
  return [
    `<!doctype html>`,
    `<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`,
    `<body style="font-family: sans-serif; line-height: 1.5">`,
    ...body,
    `</body></html>`,
  ].join("\n");
}

// Every value from an event goes through here: an SKU or a carrier name must not become markup.
function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
