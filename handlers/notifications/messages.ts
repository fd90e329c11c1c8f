import type { ConsumedEvent } from "../shared/event-consumer";
import type { EventName } from "../shared/events";
import { formatAmount } from "../shared/money";

/** What a notification would say. */
export interface Message {
  readonly subject: string;
  readonly text: string;
}

/** The text of each event's notification; SMS sends the text only. */
export function messageFor(event: ConsumedEvent<EventName>): Message {
  switch (event.name) {
    case "OrderPlaced":
      return { subject: `Order ${event.detail.orderId} received`, text: `We received your order of ${formatAmount(event.detail.total, event.detail.currency)}.` };
    case "OrderConfirmed":
      return { subject: `Order ${event.detail.orderId} confirmed`, text: `Your order of ${formatAmount(event.detail.total, event.detail.currency)} is confirmed and paid.` };
    case "OrderCancelled":
      return { subject: `Order ${event.detail.orderId} cancelled`, text: `Your order was cancelled (${event.detail.reason}). Nothing was charged.` };
    case "OrderShipped":
      return {
        subject: `Order ${event.detail.orderId} shipped`,
        text: `Your order is on its way with ${event.detail.carrier}, tracking number ${event.detail.trackingNumber}.`,
      };
  }
}
