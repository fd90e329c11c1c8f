import { randomUUID } from "node:crypto";
import type { Activity } from "../../kernel/activity";
import type { FaultInjector, FaultKind, InvocationFault } from "../../faults/fault-injector";
import { AwsError } from "../../kernel/aws-error";
import type { FunctionSpec } from "./spec";
import type { XRayService } from "../xray/service";
import { newSegmentId } from "../xray/trace-header";
import { ExecutionEnvironment, InitError, type FunctionErrorPayload, type LogSink } from "./environment";
import { lambdaErrors } from "./errors";

/** What a synchronous invocation returns, as the Invoke API does: a payload, and the error kind when it failed. */
export interface InvokeResult {
  readonly requestId: string;
  readonly statusCode: number;
  readonly payload: unknown;
  /** `Unhandled` when the function or its runtime failed (the payload is then the error). */
  readonly functionError?: "Unhandled";
  readonly coldStart: boolean;
  readonly durationMs: number;
  /** The invocation's log (its START to REPORT lines), when asked for with `tail` (Invoke's `LogType: Tail`). */
  readonly log?: string;
  /**
   * When the invocation's time was up (its start plus the function's timeout, epoch milliseconds): the deadline the
   * function saw in `context.getRemainingTimeInMillis()`, and so what its Powertools idempotency record stays
   * in progress until.
   */
  readonly deadline: number;
  /** The execution environment died during the invocation (a crash, a timeout): nothing the function began was finished by it. */
  readonly environmentDied?: boolean;
}

export interface InvokeOptions {
  /** The X-Ray trace header the invocation runs under (`Root=...;Parent=...;Sampled=...`). */
  readonly traceId?: string;
  /** Who or what invoked: for the activity log. */
  readonly source?: string;
  /**
   * Who calls Invoke, for IAM: a role (the saga's, a pipe's) or a service principal (`apigateway.amazonaws.com`) with
   * the ARN it acts for. Unset for what Lambda does itself (event source mappings, its asynchronous queue).
   */
  readonly caller?: { readonly principal: string; readonly sourceArn?: string };
  /**
   * The trace headers of the messages an event source mapping passes in one batch: the invocation starts its own
   * trace, linked to theirs, as Lambda does for SQS (https://docs.aws.amazon.com/xray/latest/devguide/xray-tracelinking.html).
   */
  readonly links?: readonly string[];
  /** Keep the invocation's log lines for the result (Invoke's `LogType: Tail`). */
  readonly tail?: boolean;
  /** Faults the caller met on the way, to show on the invocation's segment (an SQS duplicate delivery). */
  readonly faultsOnTheWay?: readonly string[];
}

/**
 * One Lambda function: its execution environments (each a process that loaded the deployed archive), at most
 * `reservedConcurrency` of them busy at once. Beyond a reservation an invocation is throttled, as Lambda throttles it
 * (TooManyRequestsException, 429); without one, the local limit (`localConcurrency`) makes extra invocations wait for
 * a free environment where AWS would start another one.
 */
export class LocalFunction {
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly waiting: (() => void)[] = [];
  private starting = 0;
  /** The lines each environment logs while an invocation that asked for its tail runs there. */
  private readonly tails = new Map<ExecutionEnvironment, string[]>();
  private inFlight = 0;
  invocations = 0;
  coldStarts = 0;
  throttles = 0;
  errors = 0;

  constructor(
    readonly spec: FunctionSpec,
    /** The process environment of the function's runtime (its variables and Lambda's own). */
    private readonly variables: Record<string, string>,
    private readonly activity: Activity,
    private readonly log: LogSink,
    private readonly localConcurrency: number,
    /** Hook for fault injection (scenarios): an error the Lambda service answers instead of running the function. */
    private readonly faults: { take(functionName: string, event: unknown): AwsError | undefined },
    /** Where the Lambda service's segments go (the function's own come from its SDK, through the daemon). */
    private readonly xray?: XRayService,
    /** The fault plan in force (`--faults`, the chaos scenario): errors, latency, crashes and throttles per invocation. */
    private readonly injector?: FaultInjector,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Starts the first environment (the cold start happens with the local cloud), so an archive that does not load fails early. */
  async warm(): Promise<number> {
    const env = await this.startEnvironment();
    this.environments.push(env);
    return env.initMs;
  }

  /** A synchronous (RequestResponse) invocation. */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const fault = this.faults.take(this.spec.name, event);
    if (fault) {
      this.activity.record({ service: "lambda", kind: "fault", name: this.spec.component, detail: `${fault.code} injected for ${options.source ?? "a caller"}`, error: true, traceId: options.traceId });
      throw fault;
    }
    const injected = this.injector?.forInvocation(this.spec.component, event);
    if (injected?.throttle) throw this.injectedThrottle(options);
    const reserved = this.spec.reservedConcurrency;
    if (reserved !== undefined && this.inFlight >= reserved) {
      this.throttles++;
      this.activity.record({ service: "lambda", kind: "throttled", name: this.spec.component, detail: `throttled: ${this.inFlight} of ${reserved} reserved executions busy (${options.source ?? "caller"})`, error: true, traceId: options.traceId });
      throw lambdaErrors.TooManyRequestsException("Rate Exceeded.");
    }
    this.inFlight++;
    this.invocations++;
    const requestId = randomUUID();
    // Active tracing: Lambda continues the caller's sampled trace or starts one, records its own segment (AWS::Lambda)
    // and the function's (AWS::Lambda::Function), and hands the function `Root;Parent=<function segment>;Sampled=1`.
    // PassThrough: the caller's header goes on unchanged, nothing is recorded.
    // https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html
    const service = this.spec.tracing === "Active" ? this.xray?.begin(this.spec.name, "AWS::Lambda", options.traceId, { startTrace: true, ...(options.source ? { source: options.source } : {}), ...(options.links ? { links: options.links } : {}), fields: { aws: { function_arn: this.spec.arn, request_id: requestId } } }) : undefined;
    const functionSegmentId = newSegmentId();
    const traceHeader = service ? service.header(functionSegmentId) : options.traceId;
    try {
      const { env, cold } = await this.acquire();
      const started = Date.now();
      if (options.tail) this.tails.set(env, []);
      const platform = (line: string) => {
        this.log(line, "stdout", env.logStream);
        this.tails.get(env)?.push(line);
      };
      platform(`START RequestId: ${requestId} Version: $LATEST`);
      // The function's timeout is real time, never scaled: its code runs at this machine's speed (see Clock).
      const deadline = started + this.spec.timeoutSeconds * 1000;
      const outcome = await env.invoke({ requestId, event, traceId: traceHeader, ...(injected ? { inject: injected } : {}) }, this.spec.timeoutSeconds * 1000, this.spec.arn);
      const durationMs = Date.now() - started;
      const faults = [...(options.faultsOnTheWay ?? []), ...(injected ? this.noteInjected(injected, options) : [])];
      if (service && this.xray) {
        const failure = outcome.ok ? undefined : `${outcome.error.errorType}: ${outcome.error.errorMessage}`;
        this.xray.record({
          trace_id: service.traceId,
          id: functionSegmentId,
          name: this.spec.name,
          origin: "AWS::Lambda::Function",
          parent_id: service.id,
          start_time: started / 1000,
          end_time: (started + durationMs) / 1000,
          ...(failure ? { error: true, cause: { exceptions: [{ type: outcome.ok ? undefined : outcome.error.errorType, message: failure }] } } : {}),
        });
        const annotations = faults.length > 0 ? { fields: { annotations: { fault_injected: faults.join(", ") } } } : {};
        service.end(!failure ? annotations : !outcome.ok && outcome.fatal ? { fault: failure, ...annotations } : { error: failure, ...annotations });
      }
      platform(`END RequestId: ${requestId}`);
      platform(`REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${this.spec.memoryMb} MB${cold ? `\tInit Duration: ${env.initMs.toFixed(2)} ms` : ""}`);
      const tail = this.tails.get(env);
      this.tails.delete(env);
      const log = tail ? { log: `${tail.join("\n")}\n` } : {};
      this.release(env);
      if (!outcome.ok) this.errors++;
      // Billed: the request, and the duration rounded up to the millisecond at the configured memory
      // (https://aws.amazon.com/lambda/pricing/).
      this.activity.meter({ "lambda.requests": 1, [`lambda.gbSeconds.${this.spec.architecture ?? "x86_64"}`]: (this.spec.memoryMb / 1024) * (Math.ceil(durationMs) / 1000) });
      this.activity.record({
        service: "lambda",
        kind: "invoke",
        name: this.spec.component,
        detail: outcome.ok ? `${answerOf(outcome.payload)}${cold ? " (cold start)" : ""} for ${options.source ?? "a caller"}` : `${outcome.error.errorType}: ${outcome.error.errorMessage}`,
        error: !outcome.ok || serverErrorAnswer(outcome.payload),
        durationMs,
        traceId: traceHeader,
      });
      return outcome.ok
        ? { requestId, statusCode: 200, payload: outcome.payload, coldStart: cold, durationMs, deadline, ...log }
        : { requestId, statusCode: 200, payload: errorPayload(outcome.error), functionError: "Unhandled", coldStart: cold, durationMs, deadline, ...(outcome.fatal ? { environmentDied: true } : {}), ...log };
    } catch (error) {
      service?.end(error instanceof InitError ? { fault: error.message } : { fault: (error as Error).message });
      if (error instanceof InitError) {
        this.errors++;
        this.activity.record({ service: "lambda", kind: "init-error", name: this.spec.component, detail: error.message, error: true, traceId: options.traceId });
        return { requestId, statusCode: 200, payload: errorPayload(error.payload), functionError: "Unhandled", coldStart: true, durationMs: 0, deadline: Date.now() };
      }
      throw error;
    } finally {
      this.inFlight--;
    }
  }

  /** An injected throttle: Lambda answers 429 as beyond its concurrency, recorded in the activity and the trace. */
  private injectedThrottle(options: InvokeOptions): AwsError {
    this.throttles++;
    this.injector?.count("throttle");
    const detail = `throttled (fault injected): TooManyRequestsException for ${options.source ?? "a caller"}`;
    this.activity.record({ service: "lambda", kind: "fault", name: this.spec.component, detail, error: true, traceId: options.traceId });
    const segment = this.spec.tracing === "Active" ? this.xray?.begin(this.spec.name, "AWS::Lambda", options.traceId, { startTrace: true, ...(options.source ? { source: options.source } : {}), ...(options.links ? { links: options.links } : {}), fields: { aws: { function_arn: this.spec.arn } } }) : undefined;
    segment?.end({ throttle: true, error: "TooManyRequestsException: Rate Exceeded. (fault injected)", fields: { annotations: { fault_injected: "throttle" } } });
    return new AwsError("TooManyRequestsException", "Rate Exceeded.", 429, "Sender");
  }

  /** Counts and records the faults injected into an invocation; returns their names for its segment. */
  private noteInjected(fault: InvocationFault, options: InvokeOptions): string[] {
    const kinds: { kind: FaultKind; detail: string }[] = [];
    if (fault.startupDelayMs !== undefined) kinds.push({ kind: "invocation-add-delay", detail: `${fault.startupDelayMs} ms added before the handler` });
    if (fault.crashAfterMs !== undefined) kinds.push({ kind: "environment-crash", detail: `the execution environment killed ${fault.crashAfterMs} ms into the invocation` });
    if (fault.error) kinds.push({ kind: "invocation-error", detail: fault.error.preventExecution ? "the invocation failed without running the handler" : "the handler ran, then the invocation failed" });
    if (fault.httpResponse) kinds.push({ kind: "invocation-http-integration-response", detail: `answered HTTP ${fault.httpResponse.statusCode}${fault.httpResponse.preventExecution ? " without running the handler" : " after the handler ran"}` });
    for (const { kind, detail } of kinds) {
      this.injector?.count(kind);
      this.activity.record({ service: "lambda", kind: "fault", name: this.spec.component, detail: `${kind} (fault injected): ${detail}, for ${options.source ?? "a caller"}`, error: true, traceId: options.traceId });
    }
    return kinds.map((k) => k.kind);
  }

  /** Ends every environment. */
  async stop(): Promise<void> {
    await Promise.all(this.environments.map((e) => e.stop()));
    this.environments.length = 0;
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Execution environments started and not dead (warm or busy). */
  get environmentCount(): number {
    return this.environments.filter((e) => !e.dead).length;
  }

  private async acquire(): Promise<{ env: ExecutionEnvironment; cold: boolean }> {
    for (;;) {
      const idle = this.environments.find((e) => !e.busy && !e.dead);
      if (idle) {
        idle.busy = true;
        return { env: idle, cold: false };
      }
      this.prune();
      if (this.environments.length + this.starting < this.localConcurrency) {
        this.starting++;
        try {
          const env = await this.startEnvironment();
          env.busy = true;
          this.environments.push(env);
          return { env, cold: true };
        } finally {
          this.starting--;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(env: ExecutionEnvironment): void {
    env.busy = false;
    this.prune();
    this.waiting.shift()?.();
  }

  private prune(): void {
    for (let i = this.environments.length - 1; i >= 0; i--) if (this.environments[i].dead) this.environments.splice(i, 1);
  }

  private async startEnvironment(): Promise<ExecutionEnvironment> {
    // The environment's lines go to the function's log, and to the tail of the invocation running there, if any.
    const holder: { env?: ExecutionEnvironment } = {};
    const env = await ExecutionEnvironment.start(this.spec, this.variables, (line, stream, logStream) => {
      this.log(line, stream, logStream);
      if (holder.env) this.tails.get(holder.env)?.push(line);
    });
    holder.env = env;
    this.coldStarts++;
    this.activity.record({ service: "lambda", kind: "cold-start", name: this.spec.component, detail: `init ${env.initMs.toFixed(0)} ms`, durationMs: env.initMs });
    return env;
  }
}

/** The Invoke API's error payload (`errorType`, `errorMessage`, `trace`), as the Node.js runtime reports it. */
function errorPayload(error: FunctionErrorPayload): FunctionErrorPayload {
  return { errorType: error.errorType, errorMessage: error.errorMessage, ...(error.trace ? { trace: error.trace } : {}) };
}

/**
 * What a successful invocation answered, in a word: an API's proxy response by its status (a function that answers
 * 403 is not "ok" to whoever reads the activity), a batch response by its failed records, anything else "ok".
 */
export function answerOf(payload: unknown): string {
  const answer = payload !== null && typeof payload === "object" ? (payload as { statusCode?: unknown; batchItemFailures?: unknown }) : {};
  if (typeof answer.statusCode === "number") return `answered ${answer.statusCode}`;
  if (Array.isArray(answer.batchItemFailures) && answer.batchItemFailures.length > 0) {
    const n = answer.batchItemFailures.length;
    return `returned ${n} batch item failure${n === 1 ? "" : "s"} (retried)`;
  }
  return "ok";
}

/** An API proxy response with a 5xx status: the function itself says it failed. */
function serverErrorAnswer(payload: unknown): boolean {
  const status = payload !== null && typeof payload === "object" ? (payload as { statusCode?: unknown }).statusCode : undefined;
  return typeof status === "number" && status >= 500;
}
