import { XRAY_RESOURCE_POLICY_TAG } from "./lib/conventions";
import { definePolicy, type OrderflowPolicy } from "./lib/define";
import type { StackSubject, StackView } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown, knownString, tagsOf, UNKNOWN, type Unknown } from "./lib/values";

// Tracing pillar: one X-Ray trace follows an order through the bus, the queues, the functions and the saga.

const lambdaTracingActive = definePolicy({
  name: "lambda-tracing-active",
  description: "Lambda functions send traces to X-Ray (tracingConfig.mode Active), so an order can be followed end to end.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:lambda/function:Function"],
  validateResource: (fn, report) => {
    const mode = at(fn.props, "tracingConfig", "mode");
    if (isUnknown(mode)) return report.unknown(fn, "tracingConfig.mode");
    if (mode !== "Active") {
      report.violation(
        fn,
        `tracing is ${mode === undefined ? "not configured" : `"${String(mode)}"`}, so its segments are missing from the order's trace`,
        "use the Function component (tracing is Active by default), or set `tracingConfig: { mode: \"Active\" }`",
      );
    }
  },
});

const sfnTracingEnabled = definePolicy({
  name: "sfn-tracing-enabled",
  description: "Step Functions state machines have X-Ray tracing enabled, so the saga's steps appear in the order's trace.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:sfn/stateMachine:StateMachine"],
  validateResource: (sm, report) => {
    const enabled = at(sm.props, "tracingConfiguration", "enabled");
    if (isUnknown(enabled)) return report.unknown(sm, "tracingConfiguration.enabled");
    if (enabled !== true) {
      report.violation(
        sm,
        "X-Ray tracing is off, so the saga's steps and compensations are missing from the order's trace",
        "use the Saga component (tracing is on by default), or set `tracingConfiguration: { enabled: true }`",
      );
    }
  },
});

const apigwStageTracing = definePolicy({
  name: "apigw-stage-tracing",
  description: "API Gateway REST stages have X-Ray tracing enabled (xrayTracingEnabled), so a request's trace starts at the API.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:apigateway/stage:Stage"],
  validateResource: (stage, report) => {
    const enabled = at(stage.props, "xrayTracingEnabled");
    if (isUnknown(enabled)) return report.unknown(stage, "xrayTracingEnabled");
    if (enabled !== true) {
      report.violation(
        stage,
        "X-Ray tracing is off, so traces start after the API and a slow request cannot be followed from its entry point",
        "set `xrayTracingEnabled: true` on the stage",
      );
    }
  },
});

const snsTopicTracing = definePolicy({
  name: "sns-topic-tracing",
  description: "SNS topics pass X-Ray traces on to their subscribers (tracingConfig Active).",
  enforcementLevel: "advisory",
  resourceTypes: ["aws:sns/topic:Topic"],
  validateResource: (topic, report) => {
    const mode = at(topic.props, "tracingConfig");
    if (isUnknown(mode)) return report.unknown(topic, "tracingConfig");
    if (mode !== "Active") {
      report.violation(
        topic,
        `tracing is ${mode === undefined ? "not configured (PassThrough)" : `"${String(mode)}"`}, so the fan-out is a gap in the trace`,
        "use the Topic component (tracing is Active by default), or set `tracingConfig: \"Active\"`",
      );
    }
  },
});

// Active tracing on a topic sends nothing until an X-Ray resource policy lets sns.amazonaws.com put trace segments
// (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sns.html). Such a policy is account-wide and an
// account holds at most 5, so it may live in another stack (the account's bootstrap): a topic names it in the tag
// orderflow:xray-resource-policy, which this stack-level check cannot follow further than its name.
const snsActiveTracingAdmitted = definePolicy({
  name: "sns-active-tracing-admitted",
  description:
    "An SNS topic with active tracing is admitted by an X-Ray resource policy that lets sns.amazonaws.com put its trace segments (in this stack, or named by its orderflow:xray-resource-policy tag), or SNS sends no segments.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.TOPIC],
  validateStack: (stack, report) => {
    for (const topic of stack.ofType(t.TOPIC)) {
      const mode = at(topic.props, "tracingConfig");
      if (isUnknown(mode)) {
        report.unknown(topic, "tracingConfig");
        continue;
      }
      if (mode !== "Active") continue;
      const named = tagsOf(topic.props)[XRAY_RESOURCE_POLICY_TAG];
      if (isUnknown(named)) {
        report.unknown(topic, `the tag ${XRAY_RESOURCE_POLICY_TAG}`);
        continue;
      }
      if (knownString(named)) continue;
      const verdicts = stack.ofType(t.XRAY_RESOURCE_POLICY).map((policy) => admits(stack, policy, topic));
      if (verdicts.includes(true)) continue;
      if (verdicts.includes(UNKNOWN)) {
        report.unknown(topic, "the X-Ray resource policy that would admit SNS for it");
        continue;
      }
      report.violation(
        topic,
        "its tracing is Active, but no X-Ray resource policy lets sns.amazonaws.com put its trace segments, so SNS sends none and the fan-out is a gap in the trace",
        `use the Topic component (it creates a policy for the topic, or tags the one given as \`xrayResourcePolicy\`), or add an aws.xray.ResourcePolicy allowing sns.amazonaws.com xray:PutTraceSegments for this topic`,
      );
    }
  },
});

/** Whether an X-Ray resource policy lets SNS put this topic's segments: true, false, or not known yet. */
function admits(stack: StackView, policy: StackSubject, topic: StackSubject): boolean | Unknown {
  const document = at(policy.props, "policyDocument");
  if (isUnknown(document)) return stack.refersTo(policy, ["policyDocument"], topic) ? true : UNKNOWN;
  let parsed: unknown;
  try {
    parsed = typeof document === "string" ? JSON.parse(document) : document;
  } catch {
    return false;
  }
  const statements = ([] as unknown[]).concat(at(parsed, "Statement") ?? []);
  const topicArn = at(topic.props, "arn");
  const aboutSnsSegments = (statement: unknown) => {
    const principal = at(statement, "Principal");
    const services = principal === "*" ? ["sns.amazonaws.com"] : ([] as unknown[]).concat(at(statement, "Principal", "Service") ?? []);
    const actions = ([] as unknown[]).concat(at(statement, "Action") ?? []);
    return services.includes("sns.amazonaws.com") && actions.some((a) => a === "xray:PutTraceSegments" || a === "xray:*" || a === "*");
  };
  // An explicit deny wins over any allow (IAM policy evaluation logic): a Deny of SNS's segments, for every topic or
  // for this one, admits nothing. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
  for (const statement of statements) {
    if (at(statement, "Effect") !== "Deny" || !aboutSnsSegments(statement)) continue;
    const sources = sourceArnPatterns(at(statement, "Condition"));
    if (sources.length === 0 || (typeof topicArn === "string" && sources.some((pattern) => wildcardMatch(pattern, topicArn)))) return false;
  }
  let verdict: boolean | Unknown = false;
  for (const statement of statements) {
    if (at(statement, "Effect") !== "Allow" || !aboutSnsSegments(statement)) continue;
    const sources = sourceArnPatterns(at(statement, "Condition"));
    if (sources.length === 0) return true;
    if (typeof topicArn !== "string") {
      // At a first preview the topic's ARN is unknown; a document made from it names it.
      if (stack.refersTo(policy, ["policyDocument"], topic)) return true;
      verdict = UNKNOWN;
      continue;
    }
    if (sources.some((pattern) => wildcardMatch(pattern, topicArn))) return true;
  }
  return verdict;
}

/** The aws:SourceArn values a condition block requires (any operator: equality or `*`/`?` patterns). */
function sourceArnPatterns(condition: unknown): string[] {
  if (condition === null || typeof condition !== "object") return [];
  return Object.values(condition as Record<string, unknown>).flatMap((block) => {
    const value = at(block, "aws:SourceArn");
    return ([] as unknown[]).concat(value ?? []).filter((v): v is string => typeof v === "string");
  });
}

function wildcardMatch(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return regex.test(value);
}

/** The tracing pillar. */
export const tracingPolicies: OrderflowPolicy[] = [lambdaTracingActive, sfnTracingEnabled, apigwStageTracing, snsTopicTracing, snsActiveTracingAdmitted];
