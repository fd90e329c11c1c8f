import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import type { Delivery } from "../../kernel/delivery";
import type { DynamoDBStreamReader, DynamoDBStreamRecord, StreamBatch } from "../dynamodb/streams";
import { compileFilterCriteria, type CompiledFilterCriteria } from "../../matching/filter-criteria";
import type { PipeSpec } from "./spec";
import type { LambdaService } from "../lambda/service";
import { compilePipeInputTemplate, type CompiledPipeInputTemplate } from "./input-template";
import { chunksOf64KiB } from "../../kernel/usage";

/** Where a pipe's batch goes once enriched: the target's start call, which throws an AwsError when refused. */
export type PipeTarget = (targetArn: string, input: string, options: { traceId?: string; source: string }) => Promise<void> | void;

/**
 * One EventBridge pipe with a DynamoDB stream source: it reads the stream in batches, drops the records its filter
 * criteria reject, calls the enrichment synchronously with the batch, and hands the result to the target (for a state
 * machine with FIRE_AND_FORGET: StartExecution). A batch that fails is retried (the whole batch; with
 * AUTOMATIC_BISECT, split in halves) until its retries or its records' age run out; it then goes to the dead-letter
 * queue as a record of the batch (shard and sequence numbers, not the data), and the pipe moves on. A batch is
 * checkpointed only once its target accepted it, so nothing is skipped.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-dynamodb.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html
 */
export class LocalPipe {
  private readonly filters: CompiledFilterCriteria;
  private readonly enrichmentTemplate?: CompiledPipeInputTemplate;
  private readonly targetTemplate?: CompiledPipeInputTemplate;
  private loop?: Promise<void>;
  private readonly stopping = new AbortController();
  /** Batches delivered to the target, and records dropped by the filter, for reports. */
  delivered = 0;
  filtered = 0;
  deadLettered = 0;

  constructor(
    readonly spec: PipeSpec,
    private readonly reader: DynamoDBStreamReader,
    private readonly lambda: LambdaService,
    private readonly target: PipeTarget,
    private readonly delivery: Delivery,
    private readonly clock: Clock,
    private readonly activity: Activity,
  ) {
    this.filters = compileFilterCriteria(spec.filters, "dynamodb");
    if (spec.enrichmentInputTemplate) this.enrichmentTemplate = compilePipeInputTemplate(spec.enrichmentInputTemplate);
    if (spec.targetInputTemplate) this.targetTemplate = compilePipeInputTemplate(spec.targetInputTemplate);
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.reader.stop();
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    try {
      for await (const batch of this.reader) {
        if (this.stopping.signal.aborted) return;
        await this.process(batch);
      }
    } catch (error) {
      // The stream itself failed (not a batch): Pipes would stop with the pipe in a failed state; say so loudly.
      this.activity.record({ service: "pipes", kind: "stopped", name: this.spec.component, detail: `the pipe stopped reading its source: ${(error as Error).name}: ${(error as Error).message}`, error: true });
    }
  }

  private async process(batch: StreamBatch): Promise<void> {
    const wanted = batch.records.filter((r) => this.filters.matches(r as unknown as Record<string, unknown>));
    this.filtered += batch.records.length - wanted.length;
    if (wanted.length > 0) await this.deliverWithRetries(wanted, batch);
    batch.checkpoint();
  }

  /** Tries a batch until it succeeds, bisecting on failure when the pipe says so; what never succeeds is dead-lettered. */
  private async deliverWithRetries(records: readonly DynamoDBStreamRecord[], batch: StreamBatch): Promise<void> {
    const { maximumRetryAttempts, maximumRecordAgeSeconds, bisectOnFailure } = this.spec.source;
    let attempts = 0;
    let backoff = 1;
    for (;;) {
      if (this.stopping.signal.aborted) return;
      const failure = await this.attempt(records);
      if (!failure) return;
      attempts++;
      const oldest = Math.min(...records.map((r) => r.dynamodb.ApproximateCreationDateTime * 1000));
      const tooOld = maximumRecordAgeSeconds >= 0 && this.clock.now() - oldest > this.clock.ageLimitMs(maximumRecordAgeSeconds);
      const exhausted = maximumRetryAttempts >= 0 && attempts > maximumRetryAttempts;
      if (bisectOnFailure && records.length > 1 && !tooOld) {
        // Bisecting splits the failing batch and retries each half on its own (retries are counted per half).
        const middle = Math.ceil(records.length / 2);
        await this.deliverWithRetries(records.slice(0, middle), batch);
        await this.deliverWithRetries(records.slice(middle), batch);
        return;
      }
      if (tooOld || exhausted) return this.deadLetter(records, batch, failure, attempts, tooOld ? "RecordAgeExceeded" : "RetryAttemptsExhausted");
      this.activity.record({ service: "pipes", kind: "retry", name: this.spec.component, detail: `batch of ${records.length} failed (${failure}); retry ${attempts}`, error: true });
      await this.clock.sleep(backoff, this.stopping.signal);
      backoff = Math.min(backoff * 2, 60);
    }
  }

  /** One try: enrichment, then target. Resolves to why it failed, or undefined. */
  private async attempt(records: readonly DynamoDBStreamRecord[]): Promise<string | undefined> {
    const source = `pipe ${this.spec.component}`;
    let payload: unknown = records;
    if (this.spec.enrichmentArn) {
      // A template applies to each event of the batch (Pipes input transformation); the batch stays an array.
      const input = this.enrichmentTemplate ? records.map((r) => renderedValue(this.enrichmentTemplate!.render(r, this.context(), "dynamodb"))) : records;
      try {
        // The pipe's role calls Invoke on its enrichment.
        const result = await this.lambda.invoke(this.spec.enrichmentArn, input, { source, caller: { principal: this.spec.roleArn, sourceArn: this.spec.arn } });
        if (result.functionError) return `enrichment failed: ${JSON.stringify(result.payload)}`;
        payload = result.payload;
      } catch (error) {
        if (error instanceof AwsError) return `enrichment refused: ${error.code}: ${error.message}`;
        throw error;
      }
      if (isEmptyResult(payload)) {
        // "Event enrichment in EventBridge Pipes": an enrichment filters by returning an empty response ("", {} or
        // []): the target is not invoked. https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html
        this.filtered += records.length;
        this.activity.record({ service: "pipes", kind: "filter", name: this.spec.component, detail: `${records.length} record(s) filtered out by the enrichment (empty result ${JSON.stringify(payload)}); the target is not invoked` });
        return undefined;
      }
    }
    const input = this.targetTemplate ? this.targetInput(Array.isArray(payload) ? payload : [payload]) : JSON.stringify(payload);
    try {
      await this.target(this.spec.targetArn, input, { source });
    } catch (error) {
      if (error instanceof AwsError) return `target refused: ${error.code}: ${error.message}`;
      throw error;
    }
    this.delivered++;
    // A pipe's request is its batch after filtering, one per 64 KB chunk (https://aws.amazon.com/eventbridge/pricing/).
    this.activity.meter({ "pipes.requests": chunksOf64KiB(Buffer.byteLength(JSON.stringify(records))) });
    this.activity.record({ service: "pipes", kind: "deliver", name: this.spec.component, detail: `${records.length} record(s) to ${this.spec.targetArn.split(":").pop()}` });
    return undefined;
  }

  /**
   * The target's input when it has a template: each event rendered through it. A template may render free text
   * ("They can be free text, a JSON path to the event payload, or a JSON object", Pipes input transformation,
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html, "Static string"):
   * one event's text goes to the target as it is; a batch goes as a JSON array, texts as JSON strings in it.
   */
  private targetInput(events: readonly unknown[]): string {
    const rendered = events.map((e) => this.targetTemplate!.render(e, this.context()));
    if (rendered.length === 1 && !isJson(rendered[0])) return rendered[0];
    return JSON.stringify(rendered.map(renderedValue));
  }

  private context() {
    return { pipeName: this.spec.name, pipeArn: this.spec.arn, sourceArn: this.spec.sourceArn, targetArn: this.spec.targetArn, ingestionTime: new Date(), ...(this.spec.enrichmentArn ? { enrichmentArn: this.spec.enrichmentArn } : {}) };
  }

  /**
   * A record of the failed batch on the dead-letter queue, in the shape stream sources report discarded batches
   * (Lambda developer guide, "Retaining discarded batches for a DynamoDB event source"): the shard and sequence
   * numbers to read the records back from the stream, not the records themselves.
   */
  private async deadLetter(records: readonly DynamoDBStreamRecord[], batch: StreamBatch, reason: string, attempts: number, condition: string): Promise<void> {
    this.deadLettered++;
    const dlq = this.spec.source.deadLetterArn;
    this.activity.record({ service: "pipes", kind: "dead-letter", name: this.spec.component, detail: `batch of ${records.length} abandoned after ${attempts} attempt(s) (${reason}); ${dlq ? `recorded on ${dlq.split(":").pop()}` : "dropped (no dead-letter queue)"}`, error: true });
    if (!dlq) return;
    const record = {
      requestContext: { requestId: batch.firstSequenceNumber, functionArn: this.spec.arn, condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 500, executedVersion: null, functionError: reason },
      version: "1.0",
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: batch.shardId,
        startSequenceNumber: records[0].dynamodb.SequenceNumber,
        endSequenceNumber: records[records.length - 1].dynamodb.SequenceNumber,
        approximateArrivalOfFirstRecord: new Date(records[0].dynamodb.ApproximateCreationDateTime * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date(records[records.length - 1].dynamodb.ApproximateCreationDateTime * 1000).toISOString(),
        batchSize: records.length,
        streamArn: this.spec.sourceArn,
      },
    };
    const failed = await this.delivery.deliver(dlq, JSON.stringify(record), { source: `pipe ${this.spec.component} (dead letter)`, principal: this.spec.roleArn, sourceArn: this.spec.arn });
    if (failed) this.activity.record({ service: "pipes", kind: "lost", name: this.spec.component, detail: `dead-letter record refused: ${failed.code}`, error: true });
  }
}

/** What an enrichment returns to filter its batch out: "", {} or [] (and their JSON texts). */
function isEmptyResult(payload: unknown): boolean {
  if (payload === "" || (Array.isArray(payload) && payload.length === 0)) return true;
  return typeof payload === "object" && payload !== null && !Array.isArray(payload) && Object.keys(payload).length === 0;
}

/** A rendered template as a value: the JSON it renders, else its text. */
function renderedValue(rendered: string): unknown {
  return isJson(rendered) ? (JSON.parse(rendered) as unknown) : rendered;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
