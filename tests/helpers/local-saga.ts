import { ExecutionError, StateMachine, type RunOptions, type StateMachineDefinition } from "aws-local-stepfunctions";
import type { AslDefinition, AslState } from "../../components/saga-definition";

/** A stand-in for a Lambda function: gets the payload the state machine sends, returns what the function would. */
export type FakeFunction = (payload: unknown) => unknown;

/** One thing the execution did, in order. */
export type SagaCall =
  | { kind: "invoke"; fn: string; state: string; payload: unknown }
  | { kind: "publish"; state: string; entries: Record<string, unknown>[] };

export interface SagaRun {
  readonly status: "SUCCEEDED" | "FAILED";
  /** The execution's output, when it succeeded. */
  readonly output?: unknown;
  /** The Fail state's Error and Cause, when it failed. */
  readonly error?: { readonly error: string; readonly cause: string };
  readonly calls: readonly SagaCall[];
  /** The names of the functions invoked, in order. */
  readonly invoked: readonly string[];
  /** Every state entered, in order (nested states included). */
  readonly entered: readonly string[];
  /** The states that were retried, once per retry. */
  readonly retried: readonly string[];
}

/** An error as a Lambda function throws it: Step Functions matches Retry and Catch on its name. */
export function lambdaError(name: string, message = `${name} (injected)`): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * Runs a generated saga with aws-local-stepfunctions. Every lambda:invoke task calls the fake function whose ARN is
 * its FunctionName (answering as the lambda:invoke integration does, `{ Payload, StatusCode }`); every putEvents task
 * is recorded; every retry waits 0 ms.
 */
export async function runLocalSaga(
  asl: AslDefinition,
  functionsByArn: Readonly<Record<string, { name: string; run: FakeFunction }>>,
  input: Record<string, unknown>,
): Promise<SagaRun> {
  const calls: SagaCall[] = [];
  type Handlers = NonNullable<NonNullable<RunOptions["overrides"]>["taskResourceLocalHandlers"]>;
  type Json = Parameters<Handlers[string]>[0];
  const taskResourceLocalHandlers: Handlers = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [stateName, state] of allStates(asl)) {
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
    if (state.Type !== "Task") continue;
    if (state.Resource === "arn:aws:states:::lambda:invoke") {
      taskResourceLocalHandlers[stateName] = async (json) => {
        const taskInput = json as { FunctionName: string; Payload: unknown };
        const fn = functionsByArn[taskInput.FunctionName];
        if (!fn) throw new Error(`no fake function for ${taskInput.FunctionName}`);
        calls.push({ kind: "invoke", fn: fn.name, state: stateName, payload: taskInput.Payload });
        return { Payload: (await fn.run(taskInput.Payload)) as Json, StatusCode: 200 };
      };
    } else if (state.Resource === "arn:aws:states:::events:putEvents") {
      taskResourceLocalHandlers[stateName] = async (json) => {
        const taskInput = json as { Entries: Record<string, unknown>[] };
        calls.push({ kind: "publish", state: stateName, entries: taskInput.Entries });
        return { Entries: taskInput.Entries.map((_, i) => ({ EventId: `event-${i}` })), FailedEntryCount: 0 };
      };
    } else {
      throw new Error(`state ${stateName}: no local stand-in for ${String(state.Resource)}`);
    }
  }

  const machine = new StateMachine(asl as unknown as StateMachineDefinition);
  const execution = machine.run(input as Json, { overrides: { taskResourceLocalHandlers, retryIntervalOverrides } });
  const entered: string[] = [];
  const retried: string[] = [];
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === "StateEntered") entered.push(event.state.name);
      if (event.type === "StateRetried") retried.push(event.state.name);
    }
  })();
  let run: Omit<SagaRun, "calls" | "invoked" | "entered" | "retried">;
  try {
    run = { status: "SUCCEEDED", output: await execution.result };
  } catch (e) {
    if (!(e instanceof ExecutionError)) throw e;
    const failure = e.cause as Error;
    run = { status: "FAILED", error: { error: failure.name, cause: failure.message } };
  }
  await logging;
  const invoked = calls.flatMap((c) => (c.kind === "invoke" ? [c.fn] : []));
  return { ...run, calls, invoked, entered, retried };
}

function* allStates(machine: { States: Record<string, AslState> }): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(machine.States)) {
    yield [name, state];
    for (const branch of (state.Branches as { States: Record<string, AslState> }[] | undefined) ?? []) yield* allStates(branch);
    const processor = state.ItemProcessor as { States: Record<string, AslState> } | undefined;
    if (processor) yield* allStates(processor);
  }
}
