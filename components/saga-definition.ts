import { ComponentArgumentError } from "./errors";
import { knownValid, rememberValid } from "./valid-asl-cache";
import type { IEventBus, IFunction } from "./interfaces";

// The saga's typed definition and the pure generator of its Amazon States Language. Nothing here touches Pulumi: the
// generator takes plain ARNs by name, so the Saga component calls it inside an apply over the real ARNs and tests call
// it with made-up ones, then run the result with aws-local-stepfunctions.

/** What the generator needs of a function or a bus: a name to look its ARN up by. IFunction and IEventBus have one. */
export interface Named {
  readonly name: string;
}

/** Retries of errors the step's function declares transient, on top of Lambda's own transient errors. */
export interface RetryPolicy {
  /** Error names to retry, as the function throws them (`error.name`, e.g. `"InventoryLocked"`). At least one. */
  readonly errors: readonly string[];
  /** Retries after the first attempt, from 0 to 99. @default 3 */
  readonly maxAttempts?: number;
  /** Seconds before the first retry, from 1 to 99999999. @default 2 */
  readonly intervalSeconds?: number;
  /** Multiplier of the interval at each retry, from 1 to 10 (jitter is always FULL). @default 2 */
  readonly backoffRate?: number;
}

/** One forward action: a function invoked with the whole saga state. */
export interface TaskStep<F extends Named = IFunction> {
  /** Names the state; letters, digits and `_`, starting with a letter, at most 60 characters; unique in the saga. */
  readonly name: string;
  /** The function that does the step. Its result lands at `resultPath`, as `{ Payload: <what it returned> }`. */
  readonly invoke: F;
  /**
   * The function that undoes the step, run (with the whole state, the caught error at `$.error`) when a later step
   * fails. Only top-level steps have one; a step inside a choice, parallel or map is undone by its enclosing step's.
   * @default - nothing to undo
   */
  readonly compensate?: F;
  /** Errors of this step's own that are worth retrying. @default - only Lambda's transient errors are retried */
  readonly retry?: RetryPolicy;
  /**
   * Error names by which this step says no as a normal outcome of the business (a declined payment, missing stock),
   * as the function throws them (`error.name`). The saga compensates as for any failure, then ends **succeeded**, its
   * output carrying `outcome: { status: "CANCELLED", reason: <the error name>, cause }`: a failed execution (and the
   * alarm on them) keeps meaning something went wrong. Not retried; not `States.*`.
   * @default - none: every error ends the execution failed
   */
  readonly outcomes?: readonly string[];
  /** Seconds before the task times out (States.Timeout), from 1 to 99999999. @default - the function's own timeout */
  readonly timeoutSeconds?: number;
  /** Where the step's result is written in the state (a JSONPath starting with `$`). @default `$.results.<name>` */
  readonly resultPath?: string;
}

/** A test on a value of the state, as a Choice rule makes it. `path` is a JSONPath such as `$.order.total`. */
export type Condition =
  | { readonly path: string; readonly equals: string | number | boolean }
  | { readonly path: string; readonly greaterThan: number }
  | { readonly path: string; readonly greaterThanOrEquals: number }
  | { readonly path: string; readonly lessThan: number }
  | { readonly path: string; readonly lessThanOrEquals: number }
  | { readonly path: string; readonly isPresent: boolean };

/** Selects steps by data: the first rule whose condition holds runs its steps; then the saga goes on after the choice. */
export interface ChoiceStep<F extends Named = IFunction> {
  readonly name: string;
  readonly choice: {
    /** Tried in order; each has at least one step. */
    readonly rules: readonly { readonly when: Condition; readonly steps: readonly Step<F>[] }[];
    /** Steps when no rule holds. @default - none: the saga goes straight on */
    readonly otherwise?: readonly Step<F>[];
  };
  /** Undoes whatever branch ran, when a later step fails (it sees the branch's results in the state). */
  readonly compensate?: F;
}

/**
 * Runs branches concurrently; each branch gets the whole state. Fails as a whole when any branch fails. Its result
 * is `{ branches: [<results of branch 0>, ...] }`, e.g. `$.results.<name>.branches[0].<step>.Payload`.
 */
export interface ParallelStep<F extends Named = IFunction> {
  readonly name: string;
  /** At least one branch, each at least one step. */
  readonly parallel: readonly (readonly Step<F>[])[];
  readonly compensate?: F;
  /** Where `{ branches }` is written. @default `$.results.<name>` */
  readonly resultPath?: string;
}

/**
 * Runs `steps` once per item of the array at `itemsPath`. Each iteration's state is `{ item, index }`, and its steps'
 * results land under `results` of that state as usual. Fails as a whole when any iteration fails.
 */
export interface MapStep<F extends Named = IFunction> {
  readonly name: string;
  readonly map: {
    /** JSONPath of the array to iterate over, e.g. `$.order.items`. */
    readonly itemsPath: string;
    /** Iterations at once, 0 meaning as many as Step Functions allows (40 for an inline map). @default 0 */
    readonly maxConcurrency?: number;
    readonly steps: readonly Step<F>[];
  };
  readonly compensate?: F;
  /** Where the array of the iterations' final states is written. @default `$.results.<name>` */
  readonly resultPath?: string;
}

export type Step<F extends Named = IFunction> = TaskStep<F> | ChoiceStep<F> | ParallelStep<F> | MapStep<F>;

/** The `finally` step: a task that runs once at the end, whether the saga succeeded, failed, or could not compensate. */
export type FinallyStep<F extends Named = IFunction> = Omit<TaskStep<F>, "compensate" | "outcomes">;

/** An event put on a bus through Step Functions' direct `events:putEvents` integration. */
export interface PublishOptions<B extends Named = IEventBus> {
  readonly bus: B;
  /** The event's `detail-type`, e.g. `"OrderConfirmed"`. */
  readonly detailType: string;
  /** The event's `source`, e.g. `"orderflow.checkout"`. */
  readonly source: string;
  /**
   * The event's `detail`, from the saga state: a JSONPath to an object, or fields each taken from a JSONPath
   * (`{ orderId: "$.orderId" }`).
   * @default `"$"` - the whole state (input, results and, on failure, the error)
   */
  readonly detail?: string | Readonly<Record<string, string>>;
}

/**
 * A saga: steps run in order; when one fails, its own compensation and those of the steps completed so far run in
 * reverse order. The failed step's own runs because a step that failed may still have done its work: a function that
 * recorded a charge and then crashed or timed out answers an error all the same. A compensation therefore undoes what
 * is there and succeeds when there is nothing to undo.
 *
 * The state the steps see (each function is invoked with all of it as its payload):
 * - the execution input, at the top level (`$.orderId`, ...);
 * - each completed step's result under `$.results.<step>` (the function's return value at `$.results.<step>.Payload`);
 * - once a step has failed, the caught error at `$.error` (`{ Error, Cause }`);
 * - a compensation's result under `$.compensations.<step>`; a compensation's own final error at `$.compensationError`.
 * `results`, `compensations`, `error`, `compensationError` and `publishError` are therefore reserved at the top level.
 *
 * Endings: success (after `onSuccess` and `finally`; a `finally` that still fails after its retries fails the execution);
 * cancelled, a success too, when the failed step threw one of its declared `outcomes` (after compensations,
 * `onFailure` and `finally`; the `Pass` state `SagaCancelled` adds `$.outcome`); the `Fail` state `SagaFailed`, with
 * the failed step's Error and Cause, for any other error (after compensations, `onFailure` and `finally`); or the
 * `Fail` state `CompensationFailed` (Error `Saga.CompensationFailed`), when a compensation still fails after its
 * retries (after `finally`). `outcome` is reserved at the top level too.
 */
export interface SagaDefinition<F extends Named = IFunction, B extends Named = IEventBus> {
  /** The steps, in order; at least one. */
  readonly steps: readonly Step<F>[];
  /** Runs at the very end on every path (try/catch/finally's `finally`). @default - none */
  readonly finally?: FinallyStep<F>;
  /** Published after the steps succeeded (OrderConfirmed). If it cannot be published, the saga compensates. @default - none */
  readonly onSuccess?: PublishOptions<B>;
  /** Published after the compensations (OrderCancelled); best effort, the execution fails anyway. @default - none */
  readonly onFailure?: PublishOptions<B>;
  /** The definition's Comment. @default - none */
  readonly comment?: string;
  /**
   * Selects the saga's state from the execution input, before the first step (a `Pass` state named `ReadInput`).
   * A pipe starts a state machine with its batch as an array, so a saga fed by a pipe with batch size 1 takes `"$[0]"`.
   * @default - the execution input as it is
   */
  readonly inputPath?: string;
}

/** The ARNs the ASL refers to, by the `name` of the function or bus. */
export interface SagaArns {
  readonly functions: Readonly<Record<string, string>>;
  readonly buses: Readonly<Record<string, string>>;
}

/** An ASL state machine definition (the parts this generator writes). */
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}
export type AslState = Record<string, unknown> & { Type: string };

/** Lambda's own transient errors, retried on every task (AWS's recommendation for the lambda:invoke integration). */
export const LAMBDA_TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/** The Error of the `Fail` state a saga ends in when a compensation still fails after its retries. */
export const COMPENSATION_FAILED_ERROR = "Saga.CompensationFailed";

/** Names of the states the generator adds; steps cannot take them. */
export const SAGA_STATE_NAMES = {
  sagaFailed: "SagaFailed",
  sagaCancelled: "SagaCancelled",
  cancelledOrFailed: "CancelledOrFailed",
  compensationFailed: "CompensationFailed",
  publishSuccess: "PublishSuccess",
  publishFailure: "PublishFailure",
  readInput: "ReadInput",
  compensate: (step: string) => `Compensate${step}`,
  finallyAfterFailure: (step: string) => `${step}AfterFailure`,
  finallyAfterCompensationFailure: (step: string) => `${step}AfterCompensationFailure`,
} as const;

const LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke";
const EVENTS_PUT = "arn:aws:states:::events:putEvents";
const STEP_NAME = /^[A-Za-z][A-Za-z0-9_]{0,59}$/;
const COMPENSATION_ATTEMPTS = 3;

// ---------------------------------------------------------------------------------------------------------------------
// Looking the definition's functions and buses up

/** Every function the definition invokes (forward, compensating and finally), by name. */
export function functionsOf<F extends Named>(definition: SagaDefinition<F, Named>, label = "Saga"): Map<string, F> {
  const found = new Map<string, F>();
  const add = (fn: F | undefined) => {
    if (!fn) return;
    const seen = found.get(fn.name);
    if (seen && seen !== fn) {
      throw new ComponentArgumentError(label, `two different functions are both named "${fn.name}"; function names must be unique.`);
    }
    found.set(fn.name, fn);
  };
  forEachStep(definition.steps, (step) => {
    add(step.compensate);
    if ("invoke" in step) add(step.invoke);
  });
  add(definition.finally?.invoke);
  return found;
}

/** Every error name a step of the definition declares as a business outcome (see TaskStep.outcomes), in order. */
export function outcomesOf(definition: SagaDefinition<Named, Named>): string[] {
  const found: string[] = [];
  forEachStep(definition.steps, (step) => {
    if ("invoke" in step) found.push(...(step.outcomes ?? []));
  });
  return [...new Set(found)];
}

/** Calls `visit` on every step, in definition order: each step before the steps of its choice, branches or map. */
function forEachStep<F extends Named>(steps: readonly Step<F>[], visit: (step: Step<F>) => void): void {
  for (const step of steps) {
    visit(step);
    if ("invoke" in step) continue;
    if ("choice" in step) {
      step.choice.rules.forEach((rule) => forEachStep(rule.steps, visit));
      forEachStep(step.choice.otherwise ?? [], visit);
    } else if ("parallel" in step) step.parallel.forEach((branch) => forEachStep(branch, visit));
    else forEachStep(step.map.steps, visit);
  }
}

/** Every bus the definition publishes to, by name. */
export function busesOf<B extends Named>(definition: SagaDefinition<Named, B>): Map<string, B> {
  const found = new Map<string, B>();
  for (const publish of [definition.onSuccess, definition.onFailure]) {
    if (publish) found.set(publish.bus.name, publish.bus);
  }
  return found;
}

/** ARN-shaped stand-ins, so the definition can be generated and validated before the real ARNs are known. */
export function placeholderArns(definition: SagaDefinition<Named, Named>): SagaArns {
  const functions = Object.fromEntries(
    [...functionsOf(definition).keys()].map((n) => [n, `arn:aws:lambda:us-east-1:123456789012:function:${n}`]),
  );
  const buses = Object.fromEntries(
    [...busesOf(definition).keys()].map((n) => [n, `arn:aws:events:us-east-1:123456789012:event-bus/${n}`]),
  );
  return { functions, buses };
}

// ---------------------------------------------------------------------------------------------------------------------
// Checking the definition

/** Fails, naming the option, the value and the fix, on a definition that cannot become a state machine. */
export function validateSagaDefinition(definition: SagaDefinition<Named, Named>, label = "Saga"): void {
  const fail = (message: string): never => {
    throw new ComponentArgumentError(label, message);
  };
  if (definition.steps.length === 0) fail("`steps` must have at least one step, but it is empty.");
  if (definition.inputPath !== undefined && !definition.inputPath.startsWith("$")) {
    fail(`\`inputPath\` must be a JSONPath starting with "$", such as "$[0]", but ${JSON.stringify(definition.inputPath)} was provided.`);
  }

  const checkTask = (step: FinallyStep<Named> & Pick<TaskStep<Named>, "outcomes">, where: string) => {
    for (const outcome of step.outcomes ?? []) {
      if (typeof outcome !== "string" || outcome.length === 0 || outcome.startsWith("States.")) {
        fail(`${where}: \`outcomes\` must name the step's own errors, but ${JSON.stringify(outcome)} was provided (States.* errors are Step Functions' own failures).`);
      }
      if (step.retry?.errors.includes(outcome)) {
        fail(`${where}: "${outcome}" is both retried and an outcome; an outcome is the business's answer, which a retry does not change. Remove it from one of them.`);
      }
    }
    const r = step.retry;
    if (r) {
      if (r.errors.length === 0 || r.errors.some((e) => typeof e !== "string" || e.length === 0)) {
        fail(`${where}: \`retry.errors\` must list at least one error name, but ${JSON.stringify(r.errors)} was provided.`);
      }
      if (r.errors.includes("States.ALL")) {
        fail(`${where}: \`retry.errors\` must not contain "States.ALL": retry only errors known to be transient, by name.`);
      }
      intRange(r.maxAttempts, 0, 99, `${where}: \`retry.maxAttempts\``);
      intRange(r.intervalSeconds, 1, 99999999, `${where}: \`retry.intervalSeconds\``);
      if (r.backoffRate !== undefined && !(r.backoffRate >= 1 && r.backoffRate <= 10)) {
        fail(`${where}: \`retry.backoffRate\` must be from 1 to 10, but ${r.backoffRate} was provided.`);
      }
    }
    intRange(step.timeoutSeconds, 1, 99999999, `${where}: \`timeoutSeconds\``);
  };
  const intRange = (value: number | undefined, min: number, max: number, what: string) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      fail(`${what} must be an integer from ${min} to ${max}, but ${value} was provided.`);
    }
  };
  const visit = (steps: readonly Step<Named>[], nested: boolean) => {
    for (const step of steps) {
      const where = `step "${step.name}"`;
      if (typeof step.name !== "string" || !STEP_NAME.test(step.name)) {
        fail(
          `step name ${JSON.stringify(step.name)} is not valid: use letters, digits and "_", starting with a letter, ` +
            `at most 60 characters (it names a state and a JSONPath key).`,
        );
      }
      if (nested && step.compensate) {
        fail(
          `${where} is inside a choice, parallel or map step and has \`compensate\`; only top-level steps are ` +
            `compensated. Put the compensation on the enclosing step instead.`,
        );
      }
      if ("invoke" in step) checkTask(step, where);
      else if ("choice" in step) {
        if (step.choice.rules.length === 0) fail(`${where}: \`choice.rules\` must have at least one rule.`);
        step.choice.rules.forEach((rule, i) => {
          if (rule.steps.length === 0) fail(`${where}: rule ${i} of \`choice.rules\` must have at least one step.`);
          visit(rule.steps, true);
        });
        visit(step.choice.otherwise ?? [], true);
      } else if ("parallel" in step) {
        if (step.parallel.length === 0) fail(`${where}: \`parallel\` must have at least one branch.`);
        step.parallel.forEach((branch, i) => {
          if (branch.length === 0) fail(`${where}: branch ${i} of \`parallel\` must have at least one step.`);
          visit(branch, true);
        });
      } else if ("map" in step) {
        if (step.map.steps.length === 0) fail(`${where}: \`map.steps\` must have at least one step.`);
        intRange(step.map.maxConcurrency, 0, 10000, `${where}: \`map.maxConcurrency\``);
        visit(step.map.steps, true);
      } else {
        fail(`${where} has none of \`invoke\`, \`choice\`, \`parallel\` or \`map\`; give it exactly one.`);
      }
    }
  };
  visit(definition.steps, false);
  if (definition.finally) {
    const f = definition.finally;
    if (!STEP_NAME.test(f.name)) fail(`\`finally.name\` ${JSON.stringify(f.name)} is not valid: use letters, digits and "_", starting with a letter.`);
    checkTask(f, `finally step "${f.name}"`);
  }
  for (const [option, publish] of [["onSuccess", definition.onSuccess], ["onFailure", definition.onFailure]] as const) {
    if (!publish) continue;
    if (!publish.detailType) fail(`\`${option}.detailType\` must not be empty.`);
    if (!publish.source) fail(`\`${option}.source\` must not be empty.`);
  }
  // Generating with stand-in ARNs also finds duplicate state names.
  generateSagaAsl(definition, placeholderArns(definition), label);
}

// ---------------------------------------------------------------------------------------------------------------------
// Generating ASL

/**
 * The ASL of a saga, from its definition and the ARNs of its functions and buses (by name). Pure: same input, same
 * output. Fails naming the state on duplicate names, and naming the function or bus whose ARN is missing.
 */
export function generateSagaAsl(definition: SagaDefinition<Named, Named>, arns: SagaArns, label = "Saga"): AslDefinition {
  const owners = new Map<string, string>();
  const claim = (stateName: string, what: string) => {
    const previous = owners.get(stateName);
    if (previous !== undefined) {
      throw new ComponentArgumentError(
        label,
        `the state name "${stateName}" is used twice (${previous}, and ${what}). Step names must be unique across the ` +
          `whole saga, including choice, parallel and map steps, and must not clash with the states the saga adds ` +
          `(${SAGA_STATE_NAMES.sagaFailed}, ${SAGA_STATE_NAMES.sagaCancelled}, ${SAGA_STATE_NAMES.cancelledOrFailed}, ` +
          `${SAGA_STATE_NAMES.compensationFailed}, ${SAGA_STATE_NAMES.publishSuccess}, ` +
          `${SAGA_STATE_NAMES.publishFailure}, Compensate<step>, <finally>AfterFailure, <finally>AfterCompensationFailure). Rename one.`,
      );
    }
    owners.set(stateName, what);
  };
  const functionArn = (fn: Named) => {
    const arn = arns.functions[fn.name];
    if (!arn) throw new ComponentArgumentError(label, `no ARN was given for the function "${fn.name}".`);
    return arn;
  };
  const busArn = (bus: Named) => {
    const arn = arns.buses[bus.name];
    if (!arn) throw new ComponentArgumentError(label, `no ARN was given for the event bus "${bus.name}".`);
    return arn;
  };
  const S = SAGA_STATE_NAMES;
  const states: Record<string, AslState> = {};
  const f = definition.finally;

  // The failure side, built first because every forward state's Catch points into it.
  const ending = (next: string | undefined): Record<string, unknown> => (next === undefined ? { End: true } : { Next: next });
  claim(S.sagaFailed, "the saga's failure state");
  states[S.sagaFailed] = { Type: "Fail", Comment: "The saga failed and was compensated.", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" };
  // A step's declared outcome (a declined payment) is the business's answer, not a failure: once compensated, the
  // execution succeeds with the outcome in its output, and ExecutionsFailed keeps meaning that something went wrong.
  const outcomes = outcomesOf(definition);
  let failureEnd: string = S.sagaFailed;
  if (outcomes.length > 0) {
    claim(S.cancelledOrFailed, "the state that tells an outcome from a failure");
    claim(S.sagaCancelled, "the saga's cancelled ending");
    const isOutcome = outcomes.map((error) => ({ Variable: "$.error.Error", StringEquals: error }));
    states[S.cancelledOrFailed] = {
      Type: "Choice",
      Comment: "A declared outcome ends the saga cancelled (succeeded); any other error ends it failed.",
      Choices: [{ ...(isOutcome.length === 1 ? isOutcome[0] : { Or: isOutcome }), Next: S.sagaCancelled }],
      Default: S.sagaFailed,
    };
    states[S.sagaCancelled] = {
      Type: "Pass",
      Comment: "The saga was cancelled by a step's answer and compensated.",
      Parameters: { status: "CANCELLED", "reason.$": "$.error.Error", "cause.$": "$.error.Cause" },
      ResultPath: "$.outcome",
      End: true,
    };
    failureEnd = S.cancelledOrFailed;
  }
  // The compensation-failure path exists only when something can be compensated (ASL forbids unreachable states).
  const compensates = definition.steps.some((step) => step.compensate !== undefined);
  if (compensates) claim(S.compensationFailed, "the compensation-failure state");
  if (compensates) states[S.compensationFailed] = {
    Type: "Fail",
    Comment: "A compensation still failed after its retries: the saga is left half-done and needs an operator.",
    Error: COMPENSATION_FAILED_ERROR,
    CausePath: "$.compensationError.Cause",
  };
  let afterCompensations: string = failureEnd;
  let onCompensationFailure: string = S.compensationFailed;
  if (f) {
    afterCompensations = S.finallyAfterFailure(f.name);
    claim(afterCompensations, `the finally step "${f.name}" after a failure`);
    states[afterCompensations] = taskState(f, functionArn(f.invoke), undefined, failureEnd);
    if (compensates) {
      onCompensationFailure = S.finallyAfterCompensationFailure(f.name);
      claim(onCompensationFailure, `the finally step "${f.name}" after a failed compensation`);
      states[onCompensationFailure] = taskState(f, functionArn(f.invoke), undefined, S.compensationFailed);
    }
  }
  if (definition.onFailure) {
    claim(S.publishFailure, "the onFailure event");
    // Best effort: the execution fails anyway, and its failure is alarmed on; a lost event must not skip `finally`.
    states[S.publishFailure] = {
      ...publishState(definition.onFailure, busArn(definition.onFailure.bus)),
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.publishError", Next: afterCompensations }],
      Next: afterCompensations,
    };
    afterCompensations = S.publishFailure;
  }

  // The forward side, top level: each step's Catch enters the compensation chain at its own compensation, which goes on
  // to those of the steps before it (a step without one enters at the previous step's).
  let compensationEntry = afterCompensations;
  const steps = definition.steps;
  let successTail: string | undefined;
  if (f) {
    claim(f.name, `the finally step "${f.name}"`);
    successTail = f.name;
  }
  const publishSuccessNext = successTail;
  if (definition.onSuccess) successTail = S.publishSuccess;

  steps.forEach((step, i) => {
    const next = i + 1 < steps.length ? steps[i + 1].name : successTail;
    const undo = step.compensate ? S.compensate(step.name) : undefined;
    emitStep(step, next, undo ?? compensationEntry, states);
    if (step.compensate && undo) {
      claim(undo, `the compensation of step "${step.name}"`);
      states[undo] = compensationState(step.name, functionArn(step.compensate), compensationEntry, onCompensationFailure);
      compensationEntry = undo;
    }
  });
  if (definition.onSuccess) {
    claim(S.publishSuccess, "the onSuccess event");
    states[S.publishSuccess] = {
      ...publishState(definition.onSuccess, busArn(definition.onSuccess.bus)),
      // Without the confirmation nobody downstream acts on the saga's outcome, so it is undone like any failed step.
      Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: compensationEntry }],
      ...ending(publishSuccessNext),
    };
  }
  if (f) states[f.name] = taskState(f, functionArn(f.invoke), undefined, undefined);

  // Reading order: the forward steps and their compensations as they were added, then the failure endings.
  const endings = [S.publishFailure, afterCompensationsFinally(), onCompensationFailure, S.cancelledOrFailed, S.sagaCancelled, S.sagaFailed, S.compensationFailed];
  const forward = Object.fromEntries(Object.entries(states).filter(([n]) => !endings.includes(n)));
  const tail = Object.fromEntries(endings.filter((n) => n in states).map((n) => [n, states[n]]));
  const readInput: Record<string, AslState> = {};
  if (definition.inputPath !== undefined) {
    claim(S.readInput, "the state that reads the input");
    readInput[S.readInput] = { Type: "Pass", Comment: "Selects the saga's state from the execution input.", InputPath: definition.inputPath, Next: steps[0].name };
  }
  return {
    ...(definition.comment ? { Comment: definition.comment } : {}),
    StartAt: definition.inputPath !== undefined ? S.readInput : steps[0].name,
    States: { ...readInput, ...orderStates(forward, steps[0].name), ...tail },
  };

  function afterCompensationsFinally(): string {
    return f ? S.finallyAfterFailure(f.name) : failureEnd;
  }

  // Emits one step (and, for a choice, its branches inline) into `into`. `catchTo` is where errors go; undefined inside
  // parallel branches and map iterations, whose errors fail the enclosing state, which catches them.
  function emitStep(step: Step<Named>, next: string | undefined, catchTo: string | undefined, into: Record<string, AslState>): void {
    claim(step.name, `step "${step.name}"`);
    const catcher = catchTo === undefined ? {} : { Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: catchTo }] };
    if ("invoke" in step) {
      into[step.name] = taskState(step, functionArn(step.invoke), catchTo, next);
    } else if ("choice" in step) {
      const choices = step.choice.rules.map((rule) => {
        emitSequence(rule.steps, next, catchTo, into);
        return { ...choiceRule(rule.when), Next: rule.steps[0].name };
      });
      const otherwise = step.choice.otherwise ?? [];
      emitSequence(otherwise, next, catchTo, into);
      // A choice with nothing after it and no `otherwise` still needs somewhere to go: an empty Pass that ends.
      let fallback = otherwise.length > 0 ? otherwise[0].name : next;
      if (fallback === undefined) {
        fallback = `${step.name}Done`;
        claim(fallback, `the end of choice "${step.name}"`);
        into[fallback] = { Type: "Pass", End: true };
      }
      into[step.name] = { Type: "Choice", Choices: choices, Default: fallback };
    } else if ("parallel" in step) {
      into[step.name] = {
        Type: "Parallel",
        Branches: step.parallel.map((branch) => subMachine(branch)),
        // Each branch ends with the whole state it was given plus its own results; only the results are new.
        ResultSelector: { "branches.$": "$[*].results" },
        ResultPath: step.resultPath ?? `$.results.${step.name}`,
        ...catcher,
        ...ending(next),
      };
    } else {
      into[step.name] = {
        Type: "Map",
        ItemsPath: step.map.itemsPath,
        ItemSelector: { "item.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index" },
        ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...subMachine(step.map.steps) },
        MaxConcurrency: step.map.maxConcurrency ?? 0,
        ResultPath: step.resultPath ?? `$.results.${step.name}`,
        ...catcher,
        ...ending(next),
      };
    }
  }

  function emitSequence(seq: readonly Step<Named>[], next: string | undefined, catchTo: string | undefined, into: Record<string, AslState>): void {
    seq.forEach((s, i) => emitStep(s, i + 1 < seq.length ? seq[i + 1].name : next, catchTo, into));
  }

  function subMachine(seq: readonly Step<Named>[]): { StartAt: string; States: Record<string, AslState> } {
    const sub: Record<string, AslState> = {};
    emitSequence(seq, undefined, undefined, sub);
    return { StartAt: seq[0].name, States: orderStates(sub, seq[0].name) };
  }
}

/** A lambda:invoke task with the whole state as payload, Lambda's transient errors retried, and the step's own. */
function taskState(step: FinallyStep<Named>, arn: string, catchTo: string | undefined, next: string | undefined): AslState {
  const retry: Record<string, unknown>[] = [
    { ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
  ];
  if (step.retry) {
    retry.push({
      ErrorEquals: [...step.retry.errors],
      IntervalSeconds: step.retry.intervalSeconds ?? 2,
      MaxAttempts: step.retry.maxAttempts ?? 3,
      BackoffRate: step.retry.backoffRate ?? 2,
      JitterStrategy: "FULL",
    });
  }
  return {
    Type: "Task",
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: arn, "Payload.$": "$" },
    // Keeps the function's answer and drops the invocation's metadata (status code, headers), which bloats the state.
    ResultSelector: { "Payload.$": "$.Payload" },
    ResultPath: step.resultPath ?? `$.results.${step.name}`,
    ...(step.timeoutSeconds !== undefined ? { TimeoutSeconds: step.timeoutSeconds } : {}),
    Retry: retry,
    ...(catchTo !== undefined ? { Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: catchTo }] } : {}),
    ...(next === undefined ? { End: true } : { Next: next }),
  };
}

/** Undoes one step; retried on any error, then handed to the compensation-failure path. */
function compensationState(step: string, arn: string, next: string, onFailure: string): AslState {
  return {
    Type: "Task",
    Comment: `Undoes step ${step}.`,
    Resource: LAMBDA_INVOKE,
    Parameters: { FunctionName: arn, "Payload.$": "$" },
    ResultSelector: { "Payload.$": "$.Payload" },
    ResultPath: `$.compensations.${step}`,
    // A compensation must not give up on a transient fault: any error is retried before an operator is needed.
    Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 2, MaxAttempts: COMPENSATION_ATTEMPTS, BackoffRate: 2, JitterStrategy: "FULL" }],
    Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.compensationError", Next: onFailure }],
    Next: next,
  };
}

function publishState(publish: PublishOptions<Named>, busArn: string): AslState {
  const detail = publish.detail ?? "$";
  const detailField =
    typeof detail === "string"
      ? { "Detail.$": detail }
      : { Detail: Object.fromEntries(Object.entries(detail).map(([k, path]) => [`${k}.$`, path])) };
  return {
    Type: "Task",
    Resource: EVENTS_PUT,
    Parameters: { Entries: [{ EventBusName: busArn, Source: publish.source, DetailType: publish.detailType, ...detailField }] },
    // The state goes on unchanged: the PutEvents answer (event ids) is of no use to later states.
    ResultPath: null,
    Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" }],
  };
}

function choiceRule(when: Condition): Record<string, unknown> {
  if ("equals" in when) {
    const op = typeof when.equals === "string" ? "StringEquals" : typeof when.equals === "number" ? "NumericEquals" : "BooleanEquals";
    return { Variable: when.path, [op]: when.equals };
  }
  if ("greaterThan" in when) return { Variable: when.path, NumericGreaterThan: when.greaterThan };
  if ("greaterThanOrEquals" in when) return { Variable: when.path, NumericGreaterThanEquals: when.greaterThanOrEquals };
  if ("lessThan" in when) return { Variable: when.path, NumericLessThan: when.lessThan };
  if ("lessThanOrEquals" in when) return { Variable: when.path, NumericLessThanEquals: when.lessThanOrEquals };
  return { Variable: when.path, IsPresent: when.isPresent };
}

// States in reading order (start first, then as they were added), so the generated JSON reads top to bottom.
function orderStates(states: Record<string, AslState>, start: string): Record<string, AslState> {
  const { [start]: first, ...rest } = states;
  return { [start]: first, ...rest };
}

// ---------------------------------------------------------------------------------------------------------------------
// Validating ASL

interface AslValidationResult {
  isValid: boolean;
  errorsText(separator?: string): string;
}
type AslValidator = (definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }) => AslValidationResult;

/** Fails with asl-validator's messages when the definition is not valid ASL. */
export function assertValidAsl(definition: AslDefinition, label = "Saga"): void {
  // A definition already found valid is not checked again (see valid-asl-cache.ts): the validator, and the JSON
  // schema compiler it loads, are loaded only when a definition is new.
  if (knownValid(definition)) return;
  // asl-validator ships no type declarations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aslValidator = require("asl-validator") as AslValidator;
  // The validator writes QueryLanguage into the states it checks; it gets a copy.
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  if (!result.isValid) {
    throw new ComponentArgumentError(label, `the generated state machine definition is not valid ASL:\n${result.errorsText("\n")}`);
  }
  rememberValid(definition);
}

/** Validates the definition, generates its ASL from the given ARNs and checks it with asl-validator. */
export function buildSagaAsl(definition: SagaDefinition<Named, Named>, arns: SagaArns, label = "Saga"): AslDefinition {
  validateSagaDefinition(definition, label);
  const asl = generateSagaAsl(definition, arns, label);
  assertValidAsl(asl, label);
  return asl;
}
