import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import { compileFilterCriteria, type CompiledFilterCriteria } from "../../matching/filter-criteria";
import type { EventSourceMappingSpec } from "./spec";
import { md5OfBody as md5 } from "../sqs/md5";
import type { LocalQueue, ReceivedMessage } from "../sqs/queue";
import type { LocalFunction } from "./function";

/** Lambda's pollers start with five concurrent batches on a standard queue (Lambda developer guide, "Scaling behavior"). */
const INITIAL_POLLERS = 5;

/**
 * An SQS event source mapping: pollers that long-poll the queue, gather up to `batchSize` messages within the batching
 * window, invoke the function synchronously with the batch, and delete what succeeded. A function error leaves the whole
 * batch (or, with ReportBatchItemFailures, the items reported) to come back after the visibility timeout, counting a
 * receive each time, so the redrive policy moves a message that keeps failing to the dead-letter queue. A throttled
 * invocation leaves the batch too, which is why a mapping must not outrun its function's reserved concurrency: set
 * `maximumConcurrency` within it. Messages that match none of the filters are deleted without an invocation.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export class SqsEventSource {
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly filters: CompiledFilterCriteria;

  constructor(
    readonly spec: EventSourceMappingSpec,
    private readonly queue: LocalQueue,
    private readonly fn: LocalFunction,
    private readonly clock: Clock,
    private readonly activity: Activity,
    private readonly region: string,
  ) {
    this.filters = compileFilterCriteria(spec.filters as Record<string, unknown>[], "sqs");
  }

  start(): void {
    if (!this.spec.enabled) return;
    const pollers = this.spec.maximumConcurrency ?? INITIAL_POLLERS;
    for (let i = 0; i < pollers; i++) this.loops.push(this.poll());
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
  }

  private async poll(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      const batch = await this.gather(signal);
      if (batch.length === 0 || signal.aborted) continue;
      const wanted = batch.filter((m) => this.matches(m));
      for (const dropped of batch.filter((m) => !wanted.includes(m))) this.queue.delete(dropped.receiptHandle);
      if (wanted.length === 0) continue;
      await this.deliver(wanted, signal);
    }
  }

  /** Up to `batchSize` messages: the first long poll, then more until the batch is full or the window ends. */
  private async gather(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const size = this.spec.batchSize;
    const batch = await this.queue.receive({ maxNumberOfMessages: Math.min(10, size), waitTimeSeconds: 20, signal });
    if (batch.length === 0) return batch;
    const windowEnds = this.clock.now() + this.clock.ms(this.spec.maximumBatchingWindowSeconds);
    while (batch.length < size && !signal.aborted) {
      const left = windowEnds - this.clock.now();
      if (left <= 0) break;
      const more = await this.queue.receive({ maxNumberOfMessages: Math.min(10, size - batch.length), waitTimeSeconds: 0, signal });
      batch.push(...more);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(left, 20)));
    }
    return batch;
  }

  private matches(received: ReceivedMessage): boolean {
    return this.filters.matches(this.record(received));
  }

  private async deliver(batch: ReceivedMessage[], signal: AbortSignal): Promise<void> {
    const records = batch.map((m) => this.record(m));
    // Lambda does not continue the messages' traces: the invocation starts its own, linked to each message's producer
    // (AWSTraceHeader), as X-Ray's trace linking for SQS consumers does.
    // https://docs.aws.amazon.com/xray/latest/devguide/xray-tracelinking.html
    const links = batch.flatMap((m) => (m.message.traceHeader ? [m.message.traceHeader] : []));
    const traceId = links[0];
    let result;
    try {
      result = await this.fn.invoke({ Records: records }, { links, source: `SQS ${this.queue.spec.name}` });
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      // Throttled or failed by the service: nothing is deleted; the messages return after their visibility timeout.
      this.activity.record({ service: "sqs", kind: "batch-returned", name: this.queue.spec.component, detail: `${batch.length} message(s) left on the queue: ${error.code}`, error: true, traceId });
      await this.clock.sleep(1, signal);
      return;
    }
    if (result.functionError) {
      this.activity.record({ service: "sqs", kind: "batch-failed", name: this.queue.spec.component, detail: `${batch.length} message(s) return after the visibility timeout: the function failed`, error: true, traceId });
      return;
    }
    const failed = this.spec.reportBatchItemFailures ? batchItemFailures(result.payload, batch) : new Set<string>();
    if (failed === "all") {
      this.activity.record({ service: "sqs", kind: "batch-failed", name: this.queue.spec.component, detail: "the batch response was not valid; the whole batch returns to the queue", error: true, traceId });
      return;
    }
    for (const m of batch) if (!failed.has(m.message.messageId)) this.queue.delete(m.receiptHandle);
    if (failed.size > 0) {
      this.activity.record({ service: "sqs", kind: "items-failed", name: this.queue.spec.component, detail: `${failed.size} of ${batch.length} message(s) reported failed; they return after the visibility timeout`, error: true, traceId });
    }
  }

  /** One record of the event Lambda sends for SQS (Lambda developer guide, "Example standard queue message event"). */
  private record(received: ReceivedMessage) {
    const m = received.message;
    return {
      messageId: m.messageId,
      receiptHandle: received.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentTimestamp),
        SenderId: m.senderId,
        ApproximateFirstReceiveTimestamp: String(m.firstReceiveTimestamp ?? m.sentTimestamp),
        ...(m.traceHeader ? { AWSTraceHeader: m.traceHeader } : {}),
        ...(m.sequenceNumber ? { SequenceNumber: m.sequenceNumber } : {}),
        ...(m.messageGroupId ? { MessageGroupId: m.messageGroupId } : {}),
        ...(m.messageDeduplicationId ? { MessageDeduplicationId: m.messageDeduplicationId } : {}),
      },
      messageAttributes: Object.fromEntries(
        Object.entries(m.messageAttributes).map(([name, v]) => [
          name,
          { ...(v.StringValue !== undefined ? { stringValue: v.StringValue } : {}), ...(v.BinaryValue !== undefined ? { binaryValue: v.BinaryValue } : {}), stringListValues: [], binaryListValues: [], dataType: v.DataType },
        ]),
      ),
      md5OfBody: md5(m.body),
      eventSource: "aws:sqs",
      eventSourceARN: this.queue.spec.arn,
      awsRegion: this.region,
    };
  }
}

/**
 * The message ids a ReportBatchItemFailures response names, or "all" when the response is not valid (Lambda then
 * treats the whole batch as failed: a null or empty identifier, or one not in the batch).
 */
function batchItemFailures(payload: unknown, batch: readonly ReceivedMessage[]): Set<string> | "all" {
  if (payload === null || payload === undefined || typeof payload !== "object") return new Set();
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return "all";
  const ids = new Set(batch.map((m) => m.message.messageId));
  const out = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || id.length === 0 || !ids.has(id)) return "all";
    out.add(id);
  }
  return out;
}
