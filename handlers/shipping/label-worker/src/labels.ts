import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHash } from "node:crypto";
import type { LabelJob } from "../../../shared/label-job";
import { SHIPMENTS_TABLE_KEY, type ShipmentItem } from "../../shipments-table";

// A shipment's label lives on the shipment's own item: the shipments table is keyed on the order id alone (one
// shipment per order), so a label is one per shipment by construction, and a separate item would need a key of its
// own that the table does not have. Writing it is idempotent: the update only applies while the item has no label.

/** The label printed for a shipment, stored as the `label` attribute of its item. */
export interface ShippingLabel {
  /** Derived from the shipment id: a repeated job names the same label. */
  readonly labelId: string;
  readonly format: "ZPL";
  readonly carrier: string;
  readonly trackingNumber: string;
  /** ISO 8601. */
  readonly printedAt: string;
}

/** A shipment item with its label. */
export type LabelledShipment = ShipmentItem & { readonly label?: ShippingLabel };

/** The job cannot be done as sent: no shipment for the order, or another shipment than the job's. Retried, then DLQ. */
export class LabelJobRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LabelJobRejected";
  }
}

/** What writing a label did: `printed` false means the shipment already had it (a duplicate job). */
export interface LabelResult {
  readonly label: ShippingLabel;
  readonly printed: boolean;
}

export function labelFor(job: LabelJob, now: Date): ShippingLabel {
  return {
    labelId: `lbl-${createHash("sha256").update(job.shipmentId).digest("hex").slice(0, 16)}`,
    format: "ZPL",
    carrier: job.carrier,
    trackingNumber: job.trackingNumber,
    printedAt: now.toISOString(),
  };
}

/**
 * Stores the job's label on its shipment unless the shipment has one. A duplicate is a success; a job for a missing
 * or different shipment throws LabelJobRejected.
 */
export async function storeLabel(db: DynamoDBDocumentClient, tableName: string, job: LabelJob, now = new Date()): Promise<LabelResult> {
  const label = labelFor(job, now);
  try {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [SHIPMENTS_TABLE_KEY]: job.orderId },
        UpdateExpression: "SET #label = :label",
        // Comparing the shipment id also requires the item to exist: an update must not create a label-only item.
        ConditionExpression: "#shipmentId = :shipmentId AND attribute_not_exists(#label)",
        ExpressionAttributeNames: { "#label": "label", "#shipmentId": "shipmentId" },
        ExpressionAttributeValues: { ":label": label, ":shipmentId": job.shipmentId },
      }),
    );
    return { label, printed: true };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  // The condition failed: read the item (strongly consistent) to tell a duplicate from a job that cannot apply.
  const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: { [SHIPMENTS_TABLE_KEY]: job.orderId }, ConsistentRead: true }));
  const shipment = Item as LabelledShipment | undefined;
  if (!shipment) throw new LabelJobRejected(`order ${job.orderId} has no shipment, so shipment ${job.shipmentId} cannot get a label`);
  if (shipment.shipmentId !== job.shipmentId) {
    throw new LabelJobRejected(`order ${job.orderId} is shipped as ${shipment.shipmentId}, not ${job.shipmentId}`);
  }
  if (!shipment.label) throw new LabelJobRejected(`shipment ${job.shipmentId} changed while its label was written`);
  return { label: shipment.label, printed: false };
}
