import * as z from "zod/mini";
import { correlationId, orderId } from "./events";

// The message create-shipment sends to the labels queue once a shipment is stored; the label worker (a Fargate
// service in shipping) prints its label. One job per shipment; a redelivered or repeated job prints nothing new.

/** Shipment ids: 1 to 64 letters, digits, `-` or `_` (create-shipment makes `shp-<16 hex>`). */
export const shipmentId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '-' or '_'"));

/** The labels queue's message body, as JSON. */
export const labelJob = z.object({
  orderId,
  shipmentId,
  carrier: z.string().check(z.minLength(1), z.maxLength(64)),
  trackingNumber: z.string().check(z.minLength(1), z.maxLength(64)),
  correlationId: z.optional(correlationId),
});
export type LabelJob = z.infer<typeof labelJob>;
