import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod/mini";
import { DETAIL_SCHEMAS, EVENTS, eventEnvelope, type EventName } from "./events";
import { ValidationError } from "./errors";
import { inOrderSubsegment, logger, setCorrelationId, withPowertools } from "./powertools";
import { parse, parseJson } from "./validation";

/** One event taken off the queue, its detail validated against its contract. */
export type ConsumedEvent<N extends EventName> = {
  [K in N]: {
    readonly name: K;
    /** The EventBridge event id: equal on every delivery of the same event. */
    readonly eventId: string;
    readonly detail: z.infer<(typeof DETAIL_SCHEMAS)[K]>;
  };
}[N];

/**
 * A Lambda handler for an SQS queue fed with EventBridge events, directly by a rule or through SNS with raw message
 * delivery (either way the body is the event's JSON). Each record is handled on its own: one that is malformed, or
 * whose handling throws, fails alone (reported in `batchItemFailures`) and returns to the queue, then to its DLQ.
 *
 * `handle` must be idempotent under redelivery; wrap it with Powertools' `makeIdempotent` and pass its config, so
 * the config learns the remaining time of each invocation.
 */
export function eventConsumer<N extends EventName>(options: {
  readonly accepts: readonly N[];
  readonly handle: (event: ConsumedEvent<N>) => Promise<unknown>;
  readonly idempotency: IdempotencyConfig;
}) {
  const processor = new BatchProcessor(EventType.SQS);

  async function handleRecord(record: SQSRecord): Promise<void> {
    logger.appendKeys({ messageId: record.messageId });
    try {
      logger.debug("processing record", { messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount });
      const event = toConsumedEvent(record.body, options.accepts);
      setCorrelationId(event.detail.correlationId);
      logger.appendKeys({ orderId: event.detail.orderId, eventType: event.name });
      await inOrderSubsegment(`### ${event.name}`, event.detail.orderId, () => options.handle(event));
    } catch (error) {
      if (error instanceof ValidationError) logger.warn("rejected malformed message", { reason: error.message });
      else logger.error("record failed", error as Error);
      throw error;
    } finally {
      logger.removeKeys(["messageId", "orderId", "eventType", "correlation_id"]);
    }
  }

  return withPowertools(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    options.idempotency.registerLambdaContext(context);
    const records = parse(z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) }), event, "SQS event");
    logger.info("processing batch", { records: records.Records.length });
    // One record at a time: the logger's keys (correlation id, order id) are per process, so records handled
    // concurrently would log under each other's ids; and a duplicate within the batch then finds the first one
    // completed instead of in progress, and is skipped rather than failed.
    return processPartialResponse(event, handleRecord, processor, { context, throwOnFullBatchFailure: false, processInParallel: false });
  });
}

/** Parses an SQS body holding an EventBridge event of one of the accepted kinds, detail included. */
export function toConsumedEvent<N extends EventName>(body: string, accepts: readonly N[]): ConsumedEvent<N> {
  const envelope = parseJson(eventEnvelope, body, "message body");
  const name = accepts.find((n) => EVENTS[n].detailType === envelope["detail-type"] && EVENTS[n].source === envelope.source);
  if (name === undefined) {
    const expected = accepts.map((n) => `${EVENTS[n].source}/${EVENTS[n].detailType}`).join(", ");
    throw new ValidationError("message body", [
      { path: "detail-type", message: `must be one of ${expected}, but the event is ${envelope.source}/${envelope["detail-type"]}` },
    ]);
  }
  // Wrapped so the field paths start at `detail`, as the producer's team reads them.
  const schema: z.ZodMiniType = z.object({ detail: DETAIL_SCHEMAS[name] });
  const { detail } = parse(schema, envelope, `${name} message body`) as { detail: unknown };
  return { name, eventId: envelope.id, detail } as ConsumedEvent<N>;
}
