import { randomUUID } from "node:crypto";
import { ExecutionError, StateMachine, type RunOptions, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import type { StateMachineSpec } from "./spec";
import type { LambdaService } from "../lambda/service";
import type { PutEventsEntry } from "../events/service";
import type { LocalXRay, OpenSegment } from "../xray/local-xray";
import "./promise-with-resolvers";

/** One execution, as DescribeExecution reports it. */
export interface Execution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: unknown;
  readonly startDate: Date;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered, in order (nested ones included), and the retries taken. */
  readonly history: { readonly type: string; readonly state?: string; readonly time: number; readonly error?: string }[];
  readonly traceId?: string;
  /** Settles when the execution ends. */
  readonly done: Promise<void>;
}

type Handlers = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;
type Json = Parameters<Handlers[string]>[0];
type AslState = Record<string, unknown> & { Type?: string; Resource?: string };
type Asl = { States: Record<string, AslState>; TimeoutSeconds?: number };

/**
 * Puts events on the local bus for `events:putEvents` tasks, as the state machine's role; answers like PutEvents, or
 * throws the AwsError PutEvents answers with (AccessDeniedException).
 */
export type PutEvents = (entries: PutEventsEntry[], traceId: string | undefined, source: string, roleArn: string) => { Entries: unknown[]; FailedEntryCount: number } | Promise<{ Entries: unknown[]; FailedEntryCount: number }>;

/**
 * Step Functions for the environment's state machines: each execution runs the deployed definition with
 * aws-local-stepfunctions. Its Lambda tasks invoke the local functions (the `lambda:invoke` integration's result shape,
 * a function error named by its errorType with the error payload as the cause, a service error as `Lambda.<Code>`), and
 * its `events:putEvents` tasks put on the local bus (a failed entry fails the task with `EventBridge.FailedEntry`).
 * Retry intervals, backoff, wait states and timeouts are the definition's, scaled by the local clock.
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 */
export class StepFunctionsService {
  readonly executions: Execution[] = [];
  private readonly machines = new Map<string, { spec: StateMachineSpec; machine: StateMachine; definition: Asl }>();
  private readonly running = new Set<{ abort: () => void }>();

  constructor(
    specs: readonly StateMachineSpec[],
    private readonly lambda: LambdaService,
    private readonly putEvents: PutEvents,
    clock: Clock,
    private readonly activity: Activity,
    /** Where executions of state machines with tracing enabled record their segments. */
    private readonly xray?: LocalXRay,
  ) {
    for (const spec of specs) {
      const definition = JSON.parse(spec.definition) as Asl;
      // The definition was validated with asl-validator when the stack was synthesized; the scaled copy only changes
      // durations, so it is not validated again (fractional seconds are not valid ASL, but run as intended).
      const scaled = scaleDurations(definition, clock.scale);
      this.machines.set(spec.arn, { spec, definition, machine: new StateMachine(scaled as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } }) });
    }
  }

  /** StartExecution: runs in the background; resolves at once with the execution. */
  start(stateMachineArn: string, input: string, options: { traceId?: string; source: string; name?: string }): Execution {
    const entry = this.machines.get(stateMachineArn);
    if (!entry) throw new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${stateMachineArn}'`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new AwsError("InvalidExecutionInput", `Invalid State Machine Execution Input: 'Unexpected token'`);
    }
    const name = options.name ?? randomUUID();
    const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
    const history: Execution["history"] = [];
    const startDate = new Date();
    // With tracing enabled, the execution continues the caller's trace (StartExecution's trace header) or starts
    // one, and records a segment with a subsegment per task; a task's call carries the trace on.
    // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html
    const trace = this.xray?.begin(entry.spec.name, "AWS::StepFunctions::StateMachine", options.traceId, { startTrace: entry.spec.tracing, source: options.source, fields: { aws: { execution_arn: executionArn } } });
    const run = entry.machine.run(parsed as Json, {
      overrides: { taskResourceLocalHandlers: this.handlersFor(entry.definition, executionArn, trace ? undefined : options.traceId, entry.spec.roleArn, trace) },
      context: {
        Execution: { Id: executionArn, Name: name, StartTime: startDate.toISOString(), Input: parsed as Json, RoleArn: entry.spec.roleArn },
        StateMachine: { Id: stateMachineArn, Name: entry.spec.name },
      } as unknown as RunOptions["context"],
    });
    this.running.add(run);
    const execution: Omit<Execution, "done"> & { done?: Promise<void> } = {
      executionArn,
      stateMachineArn,
      name,
      input: parsed,
      startDate,
      status: "RUNNING",
      history,
      ...(options.traceId ? { traceId: options.traceId } : {}),
    };
    execution.done = (async () => {
      const logging = (async () => {
        for await (const event of run.eventLogs) {
          const e = event as { type: string; state?: { name: string }; Error?: string };
          history.push({ type: e.type, ...(e.state ? { state: e.state.name } : {}), time: Date.now(), ...(e.Error ? { error: e.Error } : {}) });
        }
      })();
      try {
        execution.output = await run.result;
        execution.status = "SUCCEEDED";
      } catch (error) {
        if (error instanceof ExecutionError) {
          const failure = error.cause as Error;
          execution.status = "FAILED";
          execution.error = failure.name;
          execution.cause = failure.message;
        } else {
          execution.status = (error as Error).name === "ExecutionTimeoutError" ? "TIMED_OUT" : (error as Error).name === "ExecutionAbortedError" ? "ABORTED" : "FAILED";
          execution.error = (error as Error).name;
          execution.cause = (error as Error).message;
        }
      }
      execution.stopDate = new Date();
      trace?.end(execution.status === "SUCCEEDED" ? {} : { error: `${execution.error ?? execution.status}${execution.cause ? `: ${execution.cause}` : ""}` });
      this.running.delete(run);
      await logging.catch(() => undefined);
      this.activity.record({
        service: "states",
        kind: execution.status === "SUCCEEDED" ? "succeeded" : "failed",
        name: entry.spec.component,
        detail: `execution ${name} ${execution.status}${execution.error ? `: ${execution.error}` : ""} (${history.filter((h) => h.type === "StateEntered").length} states)`,
        error: execution.status !== "SUCCEEDED",
        durationMs: execution.stopDate.getTime() - startDate.getTime(),
        traceId: options.traceId,
      });
    })();
    this.executions.push(execution as Execution);
    this.activity.record({ service: "states", kind: "start", name: entry.spec.component, detail: `execution ${name} started by ${options.source}`, traceId: options.traceId });
    return execution as Execution;
  }

  /** Waits for every execution started so far. */
  async drain(): Promise<void> {
    for (let i = 0; i < this.executions.length; i++) await this.executions[i].done;
  }

  stop(): void {
    for (const run of this.running) run.abort();
  }

  private handlersFor(definition: Asl, executionArn: string, passThrough: string | undefined, roleArn: string, trace?: OpenSegment): Handlers {
    const handlers: Handlers = {};
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type !== "Task") continue;
      const resource = String(state.Resource ?? "");
      const source = `${executionArn.split(":").slice(-2).join(":")} ${stateName}`;
      if (resource === "arn:aws:states:::lambda:invoke" || resource.startsWith("arn:aws:lambda:")) {
        const optimized = resource === "arn:aws:states:::lambda:invoke";
        handlers[stateName] = traced(stateName, trace, passThrough, async (input, traceId) => {
          const task = input as { FunctionName?: string; Payload?: unknown };
          const functionArn = optimized ? String(task.FunctionName) : resource;
          const payload = optimized ? task.Payload : input;
          let result;
          try {
            // The state machine's role calls Invoke (its identity policy must allow lambda:InvokeFunction).
            result = await this.lambda.invoke(functionArn, payload ?? {}, { traceId, source, caller: { principal: roleArn } });
          } catch (error) {
            // The Lambda service itself refused (throttled, not found, a service fault): `Lambda.<Code>`.
            if (error instanceof AwsError) throw namedError(`Lambda.${error.code}`, error.message);
            throw error;
          }
          if (result.functionError) {
            const payloadError = result.payload as { errorType?: string };
            throw namedError(payloadError.errorType ?? "Lambda.Unknown", JSON.stringify(result.payload));
          }
          return (optimized
            ? { ExecutedVersion: "$LATEST", Payload: result.payload, StatusCode: result.statusCode, SdkHttpMetadata: { HttpStatusCode: 200 }, SdkResponseMetadata: { RequestId: result.requestId } }
            : result.payload) as Json;
        });
      } else if (resource === "arn:aws:states:::events:putEvents") {
        handlers[stateName] = traced(stateName, trace, passThrough, async (input, traceId) => {
          const entries = ((input as { Entries?: unknown }).Entries ?? []) as Record<string, unknown>[];
          // The integration takes Detail as an object; PutEvents takes it as a JSON string.
          let put;
          try {
            put = await this.putEvents(
              entries.map((e) => ({ ...e, Detail: typeof e.Detail === "string" ? e.Detail : JSON.stringify(e.Detail) }) as PutEventsEntry),
              traceId,
              source,
              roleArn,
            );
          } catch (error) {
            // EventBridge refused the call itself (the role may not put on the bus): `EventBridge.<Code>`.
            if (error instanceof AwsError) throw namedError(`EventBridge.${error.code}`, error.message);
            throw error;
          }
          if (put.FailedEntryCount > 0) throw namedError("EventBridge.FailedEntry", JSON.stringify(put));
          return put as unknown as Json;
        });
      } else {
        handlers[stateName] = async () => {
          throw namedError("States.Runtime", `The local cloud does not serve the task resource ${resource} (state ${stateName}).`);
        };
      }
    }
    return handlers;
  }
}

/**
 * A task handler run inside a subsegment of the execution's segment, named after its state; the call it makes carries
 * `Parent=<that subsegment>`. Without a segment the execution passes the caller's header through.
 */
function traced(stateName: string, trace: OpenSegment | undefined, passThrough: string | undefined, run: (input: Json, traceId: string | undefined) => Promise<Json>): (input: Json) => Promise<Json> {
  return async (input) => {
    if (!trace) return run(input, passThrough);
    const sub = trace.subsegment(stateName, { metadata: { local: { state: true } } });
    try {
      const output = await run(input, trace.header(sub.id));
      sub.end();
      return output;
    } catch (error) {
      sub.end({ error: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500) });
      throw error;
    }
  };
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function* allStates(machine: { States: Record<string, AslState> }): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? []) yield* allStates(branch);
    const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, AslState> } | undefined;
    if (processor) yield* allStates(processor);
  }
}

/** A copy of the definition with every duration (retry intervals and caps, waits, timeouts) multiplied by the scale. */
function scaleDurations<T>(value: T, scale: number): T {
  if (scale === 1) return value;
  const keys = new Set(["IntervalSeconds", "MaxDelaySeconds", "Seconds", "TimeoutSeconds", "HeartbeatSeconds"]);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keys.has(k) && typeof x === "number" ? x * scale : walk(x)]));
  };
  return walk(value) as T;
}
