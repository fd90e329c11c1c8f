/**
 * The shipments table, owned by the shipping domain. Partition key `orderId` (S), no sort key: one shipment per
 * order, whatever number of times OrderConfirmed is delivered.
 *
 * `{ orderId: S, shipmentId: S, carrier: S, trackingNumber: S, createdAt: S, correlationId?: S }`
 */
export const SHIPMENTS_TABLE_KEY = "orderId";

export interface ShipmentItem {
  readonly orderId: string;
  readonly shipmentId: string;
  readonly carrier: string;
  readonly trackingNumber: string;
  readonly createdAt: string;
  readonly correlationId?: string;
}
