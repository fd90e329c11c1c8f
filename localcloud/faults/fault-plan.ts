import { readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import * as z from "zod/mini";
import { OperationError } from "../../ops/automation/errors";

// The fault file of `orderflow local --faults <file>` (YAML or JSON): which faults to inject, where, and how often.
// The Lambda faults follow AWS FIS's Lambda actions and their parameters (`invocationPercentage`, `preventExecution`,
// `startupDelayMilliseconds`): aws:lambda:invocation-error, aws:lambda:invocation-add-delay and
// aws:lambda:invocation-http-integration-response, in the FIS user guide's "Use the AWS FIS aws:lambda:function
// actions" (https://docs.aws.amazon.com/fis/latest/userguide/use-lambda-actions.html). FIS has no action for a crash,
// a throttle or a duplicate delivery; those are what AWS itself does now and then (an execution environment that dies,
// Lambda's 429, SQS's at-least-once delivery), so they are named after what happens. Times are real milliseconds and
// seconds, never scaled by --time-scale: a delay happens inside an invocation, against the function's real timeout.

const percentage = z.number().check(z.minimum(0, "must be a percentage from 0 to 100"), z.maximum(100, "must be a percentage from 0 to 100"));

/** aws:lambda:invocation-error: the invocation fails; with `preventExecution` the handler does not run at all. */
const invocationError = z.strictObject({
  invocationPercentage: percentage,
  /** The handler is not run (true), or runs and its answer is replaced by the error (false: its effects happen). @default true */
  preventExecution: z.optional(z.boolean()),
});

/** aws:lambda:invocation-add-delay: the invocation waits before the handler runs; the wait counts against the timeout. */
const invocationAddDelay = z.strictObject({
  invocationPercentage: percentage,
  startupDelayMilliseconds: z.number().check(z.int("must be a whole number of milliseconds"), z.minimum(0, "must be 0 or more"), z.maximum(900_000, "must be at most 900000 (Lambda's longest timeout)")),
});

/**
 * aws:lambda:invocation-http-integration-response: a function behind an API answers this status instead of running
 * (with `preventExecution`, the default) or after running.
 */
const invocationHttpIntegrationResponse = z.strictObject({
  invocationPercentage: percentage,
  statusCode: z.number().check(z.int("must be an HTTP status"), z.minimum(100, "must be an HTTP status from 100 to 599"), z.maximum(599, "must be an HTTP status from 100 to 599")),
  contentTypeHeader: z.optional(z.string()),
  preventExecution: z.optional(z.boolean()),
});

/** The execution environment's process dies during the invocation, before it answers (Runtime.ExitError). */
const environmentCrash = z.strictObject({ invocationPercentage: percentage });

/** Lambda answers 429 TooManyRequestsException instead of running the function, as beyond its concurrency. */
const throttle = z.strictObject({ invocationPercentage: percentage });

const functionFaults = z.strictObject({
  invocationError: z.optional(invocationError),
  invocationAddDelay: z.optional(invocationAddDelay),
  invocationHttpIntegrationResponse: z.optional(invocationHttpIntegrationResponse),
  environmentCrash: z.optional(environmentCrash),
  throttle: z.optional(throttle),
});

/** SQS delivers a message twice (at-least-once delivery): the same message id, two receipts. */
const queueFaults = z.strictObject({ duplicateDelivery: z.optional(z.strictObject({ percentage })) });

/** The sending service answers its throttling error (SES TooManyRequestsException, SMS ThrottlingException). */
const sendingFaults = z.strictObject({ throttle: z.optional(z.strictObject({ percentage })) });

const seconds = (what: string) => z.number().check(z.minimum(0, `${what} must be 0 or more seconds`), z.maximum(86_400, `${what} must be at most 86400 seconds`));

/**
 * An ECS service's faults: its running tasks stopped (as ECS's StopTask, or FIS's aws:ecs:stop-task: SIGTERM, then
 * SIGKILL after the stop timeout; or SIGKILL at once, a task whose host died), and launches that fail before the task
 * runs (as a failed image pull does), which start ECS's service throttle.
 */
const serviceFaults = z.strictObject({
  stopTask: z.optional(
    z.strictObject({
      afterSeconds: seconds("afterSeconds"),
      everySeconds: z.optional(seconds("everySeconds").check(z.positive("everySeconds must be above 0"))),
      signal: z.optional(z.enum(["SIGTERM", "SIGKILL"])),
    }),
  ),
  failedLaunches: z.optional(z.number().check(z.int("must be a whole number"), z.minimum(0, "must be 0 or more"), z.maximum(100, "must be at most 100"))),
});

const faultPlanSchema = z.strictObject({
  /** The random seed: the same seed draws the same faults for the same sequence of calls to each resource. */
  seed: z.optional(z.number().check(z.int("must be a whole number"), z.minimum(0, "must be 0 or more"), z.maximum(2 ** 32 - 1, "must be below 2^32"))),
  /** By function component name (`sendEmail`), or `"*"` for every function without an entry of its own. */
  functions: z.optional(z.record(z.string(), functionFaults)),
  /** By queue component name (`email`, `shipping`), or `"*"`. */
  queues: z.optional(z.record(z.string(), queueFaults)),
  ses: z.optional(sendingFaults),
  sms: z.optional(sendingFaults),
  /** By ECS service component name (`labelWorker`). */
  services: z.optional(z.record(z.string(), serviceFaults)),
});

export type FaultPlan = z.infer<typeof faultPlanSchema>;
export type FunctionFaults = z.infer<typeof functionFaults>;
export type ServiceFaults = z.infer<typeof serviceFaults>;

/** A fault file or plan that cannot be used; the message names the file, the field and the problem. */
export class FaultPlanError extends OperationError {}

/** What a plan may name: the graph's component names of each kind. */
export interface FaultTargets {
  readonly functions: readonly string[];
  readonly queues: readonly string[];
  readonly services: readonly string[];
}

/** Reads a fault file (`.json`, `.yaml` or `.yml`) and checks it. */
export function readFaultPlan(file: string): FaultPlan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new FaultPlanError(`Fault file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = path.extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new FaultPlanError(`Fault file ${file} is not valid ${path.extname(file) === ".json" ? "JSON" : "YAML"}: ${(error as Error).message}`);
  }
  return parseFaultPlan(parsed, `Fault file ${file}`);
}

/** Checks a plan given as data (a file's content, or a scenario's own plan). */
export function parseFaultPlan(value: unknown, subject = "The fault plan"): FaultPlan {
  const result = faultPlanSchema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the plan)"}: ${problem(i)}`);
    throw new FaultPlanError(`${subject} is not valid: ${problems.join("; ")}.`);
  }
  return result.data;
}

/** Fails naming every resource the plan names that the environment does not have, and the names it does have. */
export function checkFaultTargets(plan: FaultPlan, targets: FaultTargets, subject = "The fault plan"): void {
  const unknown: string[] = [];
  const check = (kind: keyof FaultTargets, section: string, names: readonly string[]) => {
    for (const name of names) {
      if (name !== "*" && !targets[kind].includes(name)) unknown.push(`${section}.${name}: no ${kind.slice(0, -1)} of that name (the environment has ${targets[kind].join(", ") || "none"})`);
    }
  };
  check("functions", "functions", Object.keys(plan.functions ?? {}));
  check("queues", "queues", Object.keys(plan.queues ?? {}));
  check("services", "services", Object.keys(plan.services ?? {}));
  if (unknown.length > 0) throw new FaultPlanError(`${subject} names what the environment does not have: ${unknown.join("; ")}.`);
}

/** What is wrong, in words: zod/mini's own messages are bare ("Invalid input") unless a rule gave one. */
function problem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
    case "invalid_type":
      return `must be ${issue.expected === "object" || issue.expected === "record" ? "a mapping of fields" : `a ${issue.expected}`}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return issue.message;
  }
}
