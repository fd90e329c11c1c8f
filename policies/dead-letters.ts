import {
  DEAD_LETTER_OPT_OUT_TAG,
  DEAD_LETTER_ROLE,
  LAMBDA_DEFAULT_TIMEOUT_SECONDS,
  ROLE_TAG,
  SQS_DEFAULT_VISIBILITY_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from "./lib/conventions";
import { definePolicy, type Findings, type OrderflowPolicy } from "./lib/define";
import { describe, type StackSubject, type StackView, type Subject } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown, knownString, tagsOf, UNKNOWN } from "./lib/values";

// Dead-letter pillar: no message or event is lost. Every asynchronous hop either retries into a DLQ or is one.

type RedriveState = { kind: "present" } | { kind: "absent" } | { kind: "malformed"; problem: string };

/** Reads a redrive policy (SQS queue or SNS subscription): a JSON string or object naming `deadLetterTargetArn`. */
function redrive(value: unknown): RedriveState {
  if (value === undefined || value === null || value === "") return { kind: "absent" };
  // Presence decides: an unknown document is one that will name the DLQ once its ARN is known.
  if (isUnknown(value)) return { kind: "present" };
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return { kind: "malformed", problem: `its redrive policy is not valid JSON (${(e as Error).message})` };
    }
  }
  const target = at(doc, "deadLetterTargetArn");
  if (isUnknown(target) || knownString(target)) return { kind: "present" };
  return { kind: "malformed", problem: "its redrive policy names no `deadLetterTargetArn`" };
}

/** A queue's redrive: its own `redrivePolicy`, or an `aws.sqs.RedrivePolicy` resource attached to it. */
function queueRedrive(stack: StackView, queue: StackSubject): RedriveState {
  const own = redrive(at(queue.props, "redrivePolicy"));
  if (own.kind !== "absent") return own;
  for (const attached of stack.referrers(queue, ["queueUrl"], t.QUEUE_REDRIVE_POLICY)) {
    const state = redrive(at(attached.props, "redrivePolicy"));
    if (state.kind !== "absent") return state;
  }
  return { kind: "absent" };
}

// Every place AWS sends failed messages or events to, as [type, path of the DLQ's ARN].
const DEAD_LETTER_REFERENCES: readonly (readonly [string, readonly string[]])[] = [
  [t.QUEUE, ["redrivePolicy"]],
  [t.QUEUE_REDRIVE_POLICY, ["redrivePolicy"]],
  [t.SUBSCRIPTION, ["redrivePolicy"]],
  [t.FUNCTION, ["deadLetterConfig", "targetArn"]],
  [t.EVENT_INVOKE_CONFIG, ["destinationConfig", "onFailure", "destination"]],
  [t.EVENT_SOURCE_MAPPING, ["destinationConfig", "onFailure", "destinationArn"]],
  [t.EVENT_TARGET, ["deadLetterConfig", "arn"]],
  [t.PIPE, ["sourceParameters", "dynamodbStreamParameters", "deadLetterConfig", "arn"]],
  [t.PIPE, ["sourceParameters", "kinesisStreamParameters", "deadLetterConfig", "arn"]],
];

/** The resources that send their failures to this queue. */
function deadLetterSources(stack: StackView, queue: StackSubject): StackSubject[] {
  const sources = new Set<StackSubject>();
  for (const [type, path] of DEAD_LETTER_REFERENCES) {
    for (const from of stack.ofType(type)) {
      if (from === queue) continue;
      // A pipe's dependencies are recorded for `sourceParameters` as a whole: require the DLQ path to be set.
      if (path.length > 1 && at(from.props, ...path) === undefined) continue;
      if (stack.refersTo(from, path, queue)) sources.add(from);
    }
  }
  return [...sources];
}

const sqsHasDlq = definePolicy({
  name: "sqs-has-dlq",
  description: "Every SQS queue has a redrive policy to a dead-letter queue, or is the dead-letter queue of a queue, function, subscription, rule target or pipe.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.QUEUE],
  validateStack: (stack, report) => {
    for (const queue of stack.ofType(t.QUEUE)) {
      const state = queueRedrive(stack, queue);
      if (state.kind === "present") continue;
      if (state.kind === "malformed") {
        report.violation(queue, state.problem, "use Queue's default dead-letter queue, or pass `deadLetter` with an existing queue");
        continue;
      }
      if (deadLetterSources(stack, queue).length > 0) continue;
      const tags = tagsOf(queue.props);
      const optOut = tags[DEAD_LETTER_OPT_OUT_TAG];
      if (typeof optOut === "string" && optOut.trim() !== "") {
        report.optOut(queue, "the queue has no dead-letter queue", optOut);
        continue;
      }
      const taggedDlq = tags[ROLE_TAG] === DEAD_LETTER_ROLE;
      report.violation(
        queue,
        taggedDlq
          ? "it is tagged as a dead-letter queue, but nothing in this stack sends failures to it and it has no redrive policy of its own"
          : "it has no redrive policy and is no one's dead-letter queue, so a message that keeps failing is retried until its retention ends, then lost",
        "use Queue's default dead-letter queue, or pass `deadLetter` (an existing queue, or `false` with a reason, which tags the queue as an opt-out)",
      );
    }
  },
});

const snsSubscriptionRedrive = definePolicy({
  name: "sns-subscription-redrive",
  description: "Every SNS subscription has a redrive policy, so messages SNS cannot deliver land in a dead-letter queue.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.SUBSCRIPTION],
  validateResource: (sub, report) => {
    const state = redrive(at(sub.props, "redrivePolicy"));
    const fix = "use Topic's `subscribeQueue`/`subscribeFunction` (each subscription gets a DLQ by default), or set `redrivePolicy` with a `deadLetterTargetArn`";
    if (state.kind === "absent") {
      report.violation(sub, "it has no redrive policy, so a message SNS fails to deliver after its retries is dropped", fix);
    } else if (state.kind === "malformed") {
      report.violation(sub, state.problem, fix);
    }
  },
});

const eventbridgeTargetDlq = definePolicy({
  name: "eventbridge-target-dlq",
  description: "Every EventBridge rule target has a dead-letter queue (deadLetterConfig) and an explicit retry policy (retryPolicy).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.EVENT_TARGET],
  validateResource: (target, report) => {
    const fix = "use EventBus's `rule` targets (each gets a DLQ and a retry policy by default), or pass the target's `deadLetter` and `retry` options";
    if (at(target.props, "deadLetterConfig", "arn") === undefined) {
      report.violation(target, "it has no dead-letter queue (`deadLetterConfig.arn`), so an event EventBridge cannot deliver is dropped", fix);
    }
    const retry = at(target.props, "retryPolicy");
    if (retry === undefined) {
      report.violation(target, "it has no retry policy (`retryPolicy`), so how long an event is retried is left to defaults nobody chose", fix);
    }
  },
});

/** True when the pipe's source is a stream (DynamoDB or Kinesis); "unknown" when nothing says which it is. */
function pipeSourceKind(pipe: Subject): "stream" | "queue" | "other" | "unknown" {
  const params = at(pipe.props, "sourceParameters");
  if (at(params, "dynamodbStreamParameters") !== undefined || at(params, "kinesisStreamParameters") !== undefined) return "stream";
  if (at(params, "sqsQueueParameters") !== undefined) return "queue";
  const source = at(pipe.props, "source");
  if (isUnknown(source)) return "unknown";
  const arn = String(source ?? "");
  if (/^arn:[^:]+:kinesis:/.test(arn) || /^arn:[^:]+:dynamodb:.*\/stream\//.test(arn)) return "stream";
  if (/^arn:[^:]+:sqs:/.test(arn)) return "queue";
  return "other";
}

const pipeDlq = definePolicy({
  name: "pipe-dlq",
  description: "EventBridge Pipes do not lose records: stream sources have a deadLetterConfig; queue sources read a queue that has a redrive policy.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.PIPE],
  validateResource: (pipe, report) => {
    const kind = pipeSourceKind(pipe);
    if (kind === "unknown") return report.unknown(pipe, "whether `source` is a stream or a queue");
    if (kind !== "stream") return;
    const params = at(pipe.props, "sourceParameters");
    const dlq =
      at(params, "dynamodbStreamParameters", "deadLetterConfig", "arn") ?? at(params, "kinesisStreamParameters", "deadLetterConfig", "arn");
    if (dlq === undefined) {
      report.violation(
        pipe,
        "it reads a stream without a dead-letter queue (`sourceParameters.*StreamParameters.deadLetterConfig`), so a record that keeps failing blocks its shard until it expires",
        "use the Pipe component with a table-stream source (it adds a DLQ, bounded retries and bisect on error by default)",
      );
    }
  },
  validateStack: (stack, report) => {
    for (const pipe of stack.ofType(t.PIPE)) {
      // A queue of another stack is checked by sqs-has-dlq in its own stack.
      for (const queue of stack.referents(pipe, ["source"], t.QUEUE)) {
        const state = queueRedrive(stack, queue);
        if (state.kind === "present") continue;
        report.violation(
          pipe,
          `its source queue ${describe(queue)} ${state.kind === "malformed" ? `is misconfigured: ${state.problem}` : "has no redrive policy"}, so a message the pipe keeps failing on is lost`,
          "give the source Queue its default dead-letter queue, or pass `deadLetter` to it",
        );
      }
    }
  },
});

/** True when an event source mapping reads a stream (Kinesis, DynamoDB, Kafka), whose failures block a shard. */
function readsStream(esm: Subject): boolean {
  if (at(esm.props, "startingPosition") !== undefined || at(esm.props, "selfManagedEventSource") !== undefined) return true;
  const arn = at(esm.props, "eventSourceArn");
  return typeof arn === "string" && /^arn:[^:]+:(kinesis|kafka):|^arn:[^:]+:dynamodb:.*\/stream\//.test(arn);
}

const esmOnFailure = definePolicy({
  name: "esm-on-failure",
  description: "Lambda event source mappings on streams have an on-failure destination, so records that exhaust their retries are kept.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.EVENT_SOURCE_MAPPING],
  validateResource: (esm, report) => {
    if (!readsStream(esm)) return;
    if (at(esm.props, "destinationConfig", "onFailure", "destinationArn") === undefined) {
      report.violation(
        esm,
        "it reads a stream without an on-failure destination, so records that exhaust their retries are skipped and lost",
        "set `destinationConfig: { onFailure: { destinationArn } }` to a Queue's or Topic's ARN, with bounded `maximumRetryAttempts`",
      );
    }
  },
});

// Services that invoke a function asynchronously (Lambda's list of asynchronous invokers), by principal.
const ASYNC_INVOKERS = /^(sns|events|s3|ses|iot|codecommit|config|cloudformation|logs(\.[a-z0-9-]+)?)\.amazonaws\.com$/;

/** What invokes the function asynchronously: permissions for async services, subscriptions, rule targets, pipes. */
function asyncInvokers(stack: StackView, fn: StackSubject, report: Findings): StackSubject[] {
  const invokers: StackSubject[] = [];
  for (const permission of stack.referrers(fn, ["function"], t.LAMBDA_PERMISSION)) {
    const principal = at(permission.props, "principal");
    if (isUnknown(principal)) report.unknown(permission, "`principal` (whether it invokes asynchronously)");
    else if (typeof principal === "string" && ASYNC_INVOKERS.test(principal)) invokers.push(permission);
  }
  for (const sub of stack.referrers(fn, ["endpoint"], t.SUBSCRIPTION)) {
    if (at(sub.props, "protocol") === "lambda") invokers.push(sub);
  }
  invokers.push(...stack.referrers(fn, ["arn"], t.EVENT_TARGET));
  for (const pipe of stack.referrers(fn, ["target"], t.PIPE)) {
    if (at(pipe.props, "targetParameters", "lambdaFunctionParameters", "invocationType") === "FIRE_AND_FORGET") invokers.push(pipe);
  }
  return [...new Set(invokers)];
}

const lambdaAsyncFailureHandling = definePolicy({
  name: "lambda-async-failure-handling",
  description: "A Lambda function invoked asynchronously (by SNS, EventBridge, S3, ...) has an on-failure destination or a dead-letter queue.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.FUNCTION],
  validateStack: (stack, report) => {
    for (const fn of stack.ofType(t.FUNCTION)) {
      const invokers = asyncInvokers(stack, fn, report);
      if (invokers.length === 0) continue;
      if (at(fn.props, "deadLetterConfig", "targetArn") !== undefined) continue;
      const configs = stack.referrers(fn, ["functionName"], t.EVENT_INVOKE_CONFIG);
      if (configs.some((c) => at(c.props, "destinationConfig", "onFailure", "destination") !== undefined)) continue;
      report.violation(
        fn,
        `it is invoked asynchronously (by ${invokers.map((i) => i.name).join(", ")}) but has neither an on-failure destination nor a dead-letter queue, so an event that fails every retry is dropped`,
        "use the Function component (its async invoke config sends failures to a DLQ by default), or add a FunctionEventInvokeConfig with `destinationConfig.onFailure`",
      );
    }
  },
});

const sqsVisibilityVsLambdaTimeout = definePolicy({
  name: "sqs-visibility-vs-lambda-timeout",
  description: `A queue consumed by a Lambda function has a visibility timeout of at least ${VISIBILITY_TIMEOUT_FACTOR} x the function's timeout, so a message is not redelivered while it is still being processed.`,
  enforcementLevel: "mandatory",
  resourceTypes: [t.QUEUE],
  validateStack: (stack, report) => {
    for (const esm of stack.ofType(t.EVENT_SOURCE_MAPPING)) {
      const queues = stack.referents(esm, ["eventSourceArn"], t.QUEUE);
      const functions = stack.referents(esm, ["functionName"], t.FUNCTION);
      for (const queue of queues) {
        for (const fn of functions) {
          const visibility = at(queue.props, "visibilityTimeoutSeconds") ?? SQS_DEFAULT_VISIBILITY_SECONDS;
          const timeout = at(fn.props, "timeout") ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS;
          if (isUnknown(visibility)) report.unknown(queue, "`visibilityTimeoutSeconds`");
          else if (isUnknown(timeout)) report.unknown(queue, `the \`timeout\` of its consumer ${fn.name}`);
          else if (Number(visibility) < VISIBILITY_TIMEOUT_FACTOR * Number(timeout)) {
            const needed = VISIBILITY_TIMEOUT_FACTOR * Number(timeout);
            report.violation(
              queue,
              `its visibility timeout (${String(visibility)} s) is less than ${VISIBILITY_TIMEOUT_FACTOR} x the ${String(timeout)} s timeout of its consumer ${fn.name} (${needed} s), so messages are redelivered while still in flight`,
              `let Queue size the visibility timeout from its subscribers (the default), or set \`visibilityTimeoutSeconds\` to at least ${needed} seconds`,
            );
          }
        }
      }
    }
  },
});

// A reservation of -1 (the provider's default) or none leaves the function on the account's unreserved pool.
function reservationOf(fn: StackSubject): number | undefined | typeof UNKNOWN {
  const reserved = at(fn.props, "reservedConcurrentExecutions");
  if (isUnknown(reserved)) return UNKNOWN;
  return typeof reserved === "number" && reserved >= 0 ? reserved : undefined;
}

// "Event source mappings don't account for reserved concurrency" (https://repost.aws/knowledge-center/lambda-sqs-scaling):
// a mapping without a cap receives more batches than the function may run; the throttled ones return to the queue and,
// after maxReceiveCount receives, good messages land in the DLQ.
const sqsMappingWithinReservation = definePolicy({
  name: "sqs-mapping-within-reserved-concurrency",
  description:
    "The SQS event source mappings of a function with reserved concurrency cap their maximum concurrency (scalingConfig) within that reservation, so Lambda's pollers never receive more than the function may run.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.EVENT_SOURCE_MAPPING],
  validateStack: (stack, report) => {
    for (const fn of stack.ofType(t.FUNCTION)) {
      const reserved = reservationOf(fn);
      const mappings = stack
        .referrers(fn, ["functionName"], t.EVENT_SOURCE_MAPPING)
        .filter((m) => stack.referents(m, ["eventSourceArn"], t.QUEUE).length > 0 || /^arn:[^:]+:sqs:/.test(String(at(m.props, "eventSourceArn"))));
      if (mappings.length === 0 || reserved === undefined) continue;
      if (reserved === UNKNOWN) {
        for (const m of mappings) report.unknown(m, `the reserved concurrency of its function ${fn.name}`);
        continue;
      }
      const caps = mappings.map((m) => ({ mapping: m, cap: at(m.props, "scalingConfig", "maximumConcurrency") }));
      for (const { mapping, cap } of caps) {
        if (isUnknown(cap)) report.unknown(mapping, "`scalingConfig.maximumConcurrency`");
        else if (typeof cap !== "number") {
          report.violation(
            mapping,
            `it sets no maximum concurrency, while its function ${fn.name} reserves ${reserved} concurrent executions: Lambda's pollers receive more batches than the function may run, and throttled messages reach the DLQ after their last receive`,
            `subscribe with the Queue component (it caps the subscription at the function's reservation), or set \`scalingConfig: { maximumConcurrency: ${Math.max(2, reserved)} }\` or less`,
          );
        }
      }
      const known = caps.filter((c): c is { mapping: StackSubject; cap: number } => typeof c.cap === "number");
      const total = known.reduce((sum, c) => sum + c.cap, 0);
      if (known.length === caps.length && total > reserved) {
        for (const { mapping, cap } of known) {
          report.violation(
            mapping,
            `its maximum concurrency (${cap}${known.length > 1 ? `, ${total} with the function's other SQS mappings` : ""}) exceeds the ${reserved} concurrent executions its function ${fn.name} reserves, so Lambda's pollers can outrun the function`,
            `lower \`scalingConfig.maximumConcurrency\` so the function's SQS mappings add up to ${reserved} at most, or raise its reserved concurrency`,
          );
        }
      }
    }
  },
});

/** The dead-letter pillar. */
export const deadLetterPolicies: OrderflowPolicy[] = [
  sqsHasDlq,
  sqsMappingWithinReservation,
  snsSubscriptionRedrive,
  eventbridgeTargetDlq,
  lambdaAsyncFailureHandling,
  pipeDlq,
  esmOnFailure,
  sqsVisibilityVsLambdaTimeout,
];
