import { randomUUID } from "node:crypto";
import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import { sleepMs, type Clock } from "../../kernel/clock";
import type { FaultInjector } from "../../faults/fault-injector";
import type { FunctionSpec } from "./spec";
import type { XRayService } from "../xray/service";
import type { LogSink } from "./environment";
import { LocalFunction, type InvokeOptions, type InvokeResult } from "./function";
import { lambdaErrors } from "./errors";

/** Sends a destination record (an asynchronous invocation's outcome) to a queue, topic, function or bus by ARN. */
export type DestinationSink = (destinationArn: string, record: string, traceId?: string) => Promise<void>;

export interface LambdaServiceOptions {
  readonly clock: Clock;
  readonly activity: Activity;
  /** Each function's runtime environment: its variables plus Lambda's own (credentials, region, endpoint). */
  readonly variablesOf: (spec: FunctionSpec) => Record<string, string>;
  readonly logOf: (spec: FunctionSpec) => LogSink;
  readonly destinations: DestinationSink;
  /** Environments per function without a reservation. @default 4 */
  readonly localConcurrency?: number;
  /** Authorizes an invocation's caller (lambda:InvokeFunction); throws the AwsError Invoke answers with. */
  /** The local X-Ray, which records the Lambda service's segments. */
  readonly xray?: XRayService;
  readonly authorizeInvoke?: (functionArn: string, caller: NonNullable<InvokeOptions["caller"]>, options: InvokeOptions) => Promise<void>;
  /** The fault plan in force, consulted per invocation. */
  readonly faults?: FaultInjector;
}

interface AsyncEvent {
  readonly id: string;
  readonly event: unknown;
  readonly traceId?: string;
  readonly source?: string;
  readonly receivedAt: number;
  attempts: number;
}

/**
 * Lambda for the environment's functions: synchronous invocations (API Gateway, Step Functions, Pipes, event source
 * mappings) and asynchronous ones (EventBridge, SNS), the latter through Lambda's own event queue with its retries
 * and destinations: a function error is retried after one minute, then after two; a throttled event is retried with
 * backoff from 1 s to 5 minutes until its maximum age; what still fails goes to the on-failure destination with the
 * invocation record.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
export class LambdaService {
  private readonly functions: LocalFunction[];
  private readonly faults = new Map<string, { error: AwsError; when: (event: unknown) => boolean }[]>();
  private readonly pendingAsync = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    specs: readonly FunctionSpec[],
    private readonly options: LambdaServiceOptions,
  ) {
    const faults = {
      take: (name: string, event: unknown) => {
        const list = this.faults.get(name) ?? [];
        const index = list.findIndex((f) => f.when(event));
        return index < 0 ? undefined : list.splice(index, 1)[0].error;
      },
    };
    this.functions = specs.map(
      (spec) => new LocalFunction(spec, options.variablesOf(spec), options.activity, options.logOf(spec), options.localConcurrency ?? 4, faults, options.xray, options.faults),
    );
  }

  get all(): readonly LocalFunction[] {
    return this.functions;
  }

  /** The function a name, ARN or qualified ARN refers to; ResourceNotFoundException otherwise, as Invoke answers. */
  function(ref: string): LocalFunction {
    const fn = this.functions.find((f) => f.spec.name === ref || f.spec.arn === ref || ref === `${f.spec.arn}:$LATEST`);
    if (!fn) throw lambdaErrors.ResourceNotFoundException(`Function not found: ${ref}`);
    return fn;
  }

  /**
   * Starts every function's first environment in parallel; rejects naming each function whose archive did not load.
   * Called again, it returns the same start (the cloud begins it while it builds the other services).
   */
  warmAll(): Promise<void> {
    this.warming ??= this.startEveryEnvironment();
    return this.warming;
  }

  private warming?: Promise<void>;

  private async startEveryEnvironment(): Promise<void> {
    const results = await Promise.allSettled(this.functions.map((f) => f.warm()));
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [`${this.functions[i].spec.component} (${this.functions[i].spec.codeDir}): ${(r.reason as Error).message}`] : []));
    if (failed.length > 0) throw new Error(`The archive of ${failed.length === 1 ? "a function" : `${failed.length} functions`} did not load: ${failed.join("; ")}`);
  }

  async invoke(ref: string, event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const fn = this.function(ref);
    if (options.caller && this.options.authorizeInvoke) await this.options.authorizeInvoke(ref.startsWith("arn:") ? ref : fn.spec.arn, options.caller, options);
    return fn.invoke(event, options);
  }

  /**
   * An asynchronous (Event) invocation: accepted at once (202), run from Lambda's queue. Resolves when accepted, not
   * when run; `drain()` waits for every accepted event.
   */
  invokeAsync(ref: string, event: unknown, options: InvokeOptions = {}): { requestId: string } {
    const fn = this.function(ref);
    const item: AsyncEvent = { id: randomUUID(), event, traceId: options.traceId, source: options.source, receivedAt: this.options.clock.now(), attempts: 0 };
    const run = this.runAsync(fn, item).finally(() => this.pendingAsync.delete(run));
    this.pendingAsync.add(run);
    return { requestId: item.id };
  }

  /**
   * Makes the Lambda service answer the next `times` invocations of a function whose event passes `when` with an error
   * instead of running it, as a service fault (scenarios).
   */
  injectFault(functionRef: string, error: AwsError, times = 1, when: (event: unknown) => boolean = () => true): void {
    const fn = this.function(functionRef);
    const list = this.faults.get(fn.spec.name) ?? [];
    for (let i = 0; i < times; i++) list.push({ error, when });
    this.faults.set(fn.spec.name, list);
  }

  /** Waits until every asynchronous event accepted so far has run or reached its destination. */
  async drain(): Promise<void> {
    while (this.pendingAsync.size > 0) await Promise.allSettled([...this.pendingAsync]);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.functions.map((f) => f.stop()));
  }

  private async runAsync(fn: LocalFunction, item: AsyncEvent): Promise<void> {
    const { clock, activity } = this.options;
    const config = fn.spec.asyncInvoke;
    const maxAgeMs = clock.ms(config.maximumEventAgeSeconds);
    let throttleDelay = 1;
    for (;;) {
      if (this.stopping.signal.aborted) return;
      if (clock.now() - item.receivedAt > maxAgeMs) return this.fail(fn, item, "EventAgeExceeded", undefined);
      let result: InvokeResult;
      try {
        result = await fn.invoke(item.event, { traceId: item.traceId, source: item.source });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        // Throttles and service errors go back to the queue, retried with a growing interval (1 s up to 5 minutes).
        await clock.sleep(throttleDelay, this.stopping.signal);
        throttleDelay = Math.min(throttleDelay * 2, 300);
        continue;
      }
      item.attempts++;
      if (!result.functionError) {
        if (config.onSuccess) await this.sendRecord(fn, config.onSuccess, item, "Success", result);
        return;
      }
      if (item.attempts > config.maximumRetryAttempts) return this.fail(fn, item, "RetriesExhausted", result);
      const wait = item.attempts === 1 ? 60 : 120;
      // Lambda's one and two minutes are longer than our functions' timeouts, so in AWS a retry never meets the
      // previous attempt's idempotency record still in progress. Scaled, they would: a retry of an attempt whose
      // environment died (the record left in progress until its deadline) waits for that deadline too.
      const held = result.environmentDied ? Math.max(0, result.deadline - clock.now()) : 0;
      activity.record({ service: "lambda", kind: "retry", name: fn.spec.component, detail: `asynchronous invocation failed (attempt ${item.attempts}); retrying in ${wait} s (scaled)${held > clock.ms(wait) ? `, not before the failed attempt's timeout (${held} ms)` : ""}`, error: true, traceId: item.traceId });
      await sleepMs(Math.max(clock.ms(wait), held), this.stopping.signal);
    }
  }

  private async fail(fn: LocalFunction, item: AsyncEvent, condition: string, result: InvokeResult | undefined): Promise<void> {
    const destination = fn.spec.asyncInvoke.onFailure;
    this.options.activity.record({
      service: "lambda",
      kind: "async-failed",
      name: fn.spec.component,
      detail: `${condition} after ${item.attempts} attempt(s); ${destination ? `record sent to ${destination.split(":").pop()}` : "event discarded (no on-failure destination)"}`,
      error: true,
      traceId: item.traceId,
    });
    if (destination) await this.sendRecord(fn, destination, item, condition, result);
  }

  /** The invocation record Lambda sends to a destination (Lambda developer guide, "Capturing records of asynchronous invocations"). */
  private async sendRecord(fn: LocalFunction, destination: string, item: AsyncEvent, condition: string, result: InvokeResult | undefined): Promise<void> {
    const record = {
      version: "1.0",
      timestamp: new Date().toISOString(),
      requestContext: { requestId: item.id, functionArn: `${fn.spec.arn}:$LATEST`, condition, approximateInvokeCount: item.attempts },
      requestPayload: item.event,
      ...(result
        ? { responseContext: { statusCode: result.statusCode, executedVersion: "$LATEST", ...(result.functionError ? { functionError: result.functionError } : {}) }, responsePayload: result.payload }
        : {}),
    };
    const payload = destination.split(":")[2] === "events" ? busEvent(record, fn.spec.arn, destination, condition) : record;
    try {
      await this.options.destinations(destination, JSON.stringify(payload), item.traceId);
    } catch (error) {
      this.options.activity.record({ service: "lambda", kind: "destination-failed", name: fn.spec.component, detail: `could not deliver to ${destination}: ${(error as Error).message}`, error: true });
    }
  }
}

/**
 * What an EventBridge bus destination receives: an event from source "lambda" whose detail is the invocation record,
 * its detail-type saying the outcome ("Lambda Function Invocation Result - Success" or "- Failure"), and its resources
 * the bus and the function version (Lambda developer guide, "Capturing records of Lambda asynchronous invocations",
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html, the EventBridge destination's
 * example).
 */
function busEvent(record: Record<string, unknown>, functionArn: string, busArn: string, condition: string): Record<string, unknown> {
  const [, , , region, account] = functionArn.split(":");
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": `Lambda Function Invocation Result - ${condition === "Success" ? "Success" : "Failure"}`,
    source: "lambda",
    account,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region,
    resources: [busArn, `${functionArn}:$LATEST`],
    detail: record,
  };
}
