import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import { compileFilterCriteria, type CompiledFilterCriteria } from "../../matching/filter-criteria";
import type { EventSourceMappingSpec } from "./spec";
import { md5OfBody as md5 } from "../sqs/md5";
import type { LocalQueue, ReceivedMessage } from "../sqs/queue";
import type { LocalFunction } from "./function";
import { InProgressHorizon } from "./in-progress-horizon";

/** A received message being handled, and when its visibility timeout (scaled) ends. */
type InFlight = ReceivedMessage & { readonly due: number };

/** Beyond the function's timeout, the time Lambda takes to tell a timed-out invocation (local: a process killed). */
const HOLD_MARGIN_MS = 1000;

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
  private readonly inProgress = new InProgressHorizon();

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
  private async gather(signal: AbortSignal): Promise<InFlight[]> {
    const size = this.spec.batchSize;
    const batch = this.hold(await this.queue.receive({ maxNumberOfMessages: Math.min(10, size), waitTimeSeconds: 20, signal }));
    if (batch.length === 0) return batch;
    const windowEnds = this.clock.now() + this.clock.ms(this.spec.maximumBatchingWindowSeconds);
    while (batch.length < size && !signal.aborted) {
      const left = windowEnds - this.clock.now();
      if (left <= 0) break;
      const more = this.hold(await this.queue.receive({ maxNumberOfMessages: Math.min(10, size - batch.length), waitTimeSeconds: 0, signal }));
      batch.push(...more);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.min(left, 20)));
    }
    return batch;
  }

  private matches(received: ReceivedMessage): boolean {
    return this.filters.matches(this.record(received));
  }

  /**
   * Keeps received messages invisible while they are being handled. In AWS the visibility timeout, at least six times
   * the function's timeout, outlasts the invocation that took the batch: a message never comes back while it runs,
   * nor before its Powertools idempotency record (in progress until the invocation's deadline) has expired. Scaled by
   * `--time-scale`, it would (a 65 s timeout is 650 ms; the function's 10 s are real), and the retries would be
   * refused as in progress until the redrive policy moved the message to its dead-letter queue. So the scaled
   * timeout, counted from the receive as SQS counts it, applies once the invocation has answered, and a message that
   * failed comes back no sooner than its idempotency record may still be in progress (./in-progress-horizon.ts).
   */
  private hold(received: ReceivedMessage[]): InFlight[] {
    const until = this.clock.now() + this.fn.spec.timeoutSeconds * 1000 + HOLD_MARGIN_MS;
    return received.map((m) => {
      const due = m.message.visibleAt;
      this.queue.setVisibleAt(m.receiptHandle, Math.max(due, until));
      return { ...m, due };
    });
  }

  /** Lets failed messages come back when their visibility timeout ends, or once nothing of theirs can be in progress. */
  private release(messages: readonly InFlight[]): boolean {
    const now = this.clock.now();
    let held = false;
    for (const m of messages) {
      const notBefore = this.inProgress.notBefore(m.message.messageId, now);
      held = notBefore > m.due || held;
      this.queue.setVisibleAt(m.receiptHandle, Math.max(m.due, notBefore));
    }
    return held;
  }

  private async deliver(batch: InFlight[], signal: AbortSignal): Promise<void> {
    const records = batch.map((m) => this.record(m));
    // Lambda does not continue the messages' traces: the invocation starts its own, linked to each message's producer
    // (AWSTraceHeader), as X-Ray's trace linking for SQS consumers does.
    // https://docs.aws.amazon.com/xray/latest/devguide/xray-tracelinking.html
    const links = batch.flatMap((m) => (m.message.traceHeader ? [m.message.traceHeader] : []));
    const traceId = links[0];
    let result;
    const holder = this.inProgress.take(batch.map((m) => m.message.messageId), this.clock.now() + this.fn.spec.timeoutSeconds * 1000 + HOLD_MARGIN_MS);
    try {
      const duplicates = batch.some((m) => m.message.injectedDuplicate) ? { faultsOnTheWay: ["duplicate-delivery"] } : {};
      result = await this.fn.invoke({ Records: records }, { links, source: `SQS ${this.queue.spec.name}`, ...duplicates });
      this.inProgress.end(holder, { died: result.environmentDied === true, deadline: result.deadline });
    } catch (error) {
      this.inProgress.end(holder, { died: false });
      if (!(error instanceof AwsError)) throw error;
      // Throttled or failed by the service: nothing is deleted; the messages return after their visibility timeout.
      this.release(batch);
      this.activity.record({ service: "sqs", kind: "batch-returned", name: this.queue.spec.component, detail: `${batch.length} message(s) left on the queue: ${error.code}`, error: true, traceId });
      await this.clock.sleep(1, signal);
      return;
    }
    if (result.functionError) {
      const held = this.release(batch);
      this.activity.record({ service: "sqs", kind: "batch-failed", name: this.queue.spec.component, detail: `${batch.length} message(s) return after the visibility timeout${held ? ", not before their idempotency records stop being in progress (the invocation's deadline)" : ""}: the function failed`, error: true, traceId });
      return;
    }
    const failed = this.spec.reportBatchItemFailures ? batchItemFailures(result.payload, batch) : new Set<string>();
    if (failed === "all") {
      this.release(batch);
      this.activity.record({ service: "sqs", kind: "batch-failed", name: this.queue.spec.component, detail: "the batch response was not valid; the whole batch returns to the queue", error: true, traceId });
      return;
    }
    for (const m of batch) if (!failed.has(m.message.messageId)) this.queue.delete(m.receiptHandle);
    const held = this.release(batch.filter((m) => failed.has(m.message.messageId)));
    if (failed.size > 0) {
      this.activity.record({ service: "sqs", kind: "items-failed", name: this.queue.spec.component, detail: `${failed.size} of ${batch.length} message(s) reported failed; they return after the visibility timeout${held ? ", not before another invocation's idempotency records of theirs stop being in progress" : ""}`, error: true, traceId });
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
