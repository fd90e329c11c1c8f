import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import * as z from "zod/mini";
import { ValidationError } from "../shared/errors";
import type { OrderPlaced } from "../shared/events";
import { inOrderSubsegment, logger, withPowertools } from "../shared/powertools";
import { fieldIssues, parse, safeParse } from "../shared/validation";
import { orderItem, toOrderPlaced } from "./orders-table";

// The checkout pipe's enrichment: the orders table's stream records in, one OrderPlaced detail per new order out;
// the pipe starts one saga execution per element. The pipe's filter already keeps inserts only; anything else that
// slips through (a MODIFY when the filter is changed) is dropped here rather than starting a second saga.
// No environment variables: it reads nothing but its input.

/** A DynamoDB stream record as EventBridge Pipes passes it to an enrichment (a JSON array of these). */
const streamRecord = z.object({
  eventID: z.optional(z.string()),
  eventName: z.string(),
  dynamodb: z.object({ NewImage: z.optional(z.record(z.string(), z.unknown())) }),
});

const batch = z.array(streamRecord);

export const handler = withPowertools(async (event: unknown): Promise<OrderPlaced[]> => {
  const records = parse(batch, event, "stream batch");
  const placed: OrderPlaced[] = [];
  records.forEach((record, index) => {
    if (record.eventName !== "INSERT" || record.dynamodb.NewImage === undefined) {
      logger.debug("skipped stream record", { eventID: record.eventID, eventName: record.eventName });
      return;
    }
    const image = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    const result = safeParse(orderItem, image);
    if (!result.success) {
      // place-order is the only writer, so this is a bug there: fail the batch (the pipe retries, then dead-letters)
      // with every path, from the batch's root, rather than start a saga on half an order.
      throw new ValidationError("stream batch", fieldIssues(result.error.issues, image, [index, "dynamodb", "NewImage"]));
    }
    inOrderSubsegment("### OrderPlaced", result.data.orderId, () => placed.push(toOrderPlaced(result.data)));
  });
  logger.info("enriched stream batch", { records: records.length, ordersPlaced: placed.length });
  return placed;
});
