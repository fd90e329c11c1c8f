import { definePolicy, type Findings, type OrderflowPolicy } from "./lib/define";
import { deniesInsecureTransport, isEveryone, parseDocument, principalsOf, scopingConditionKeys, statementLabel } from "./lib/iam";
import type { StackView, Subject } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown } from "./lib/values";

// Least privilege, resource side: what a queue, topic or bus admits. Nobody at all, and a service only on behalf of a
// named resource (aws:SourceArn), which is the confused-deputy protection; queues and topics also refuse plain HTTP.

interface ResourcePolicyRules {
  /** What the service is called in messages ("queue"). */
  readonly noun: string;
  /** Whether the policy must deny requests without TLS (EventBridge has no plain-HTTP endpoint to deny). */
  readonly tlsOnly: boolean;
  /** How to fix it with the components. */
  readonly fix: string;
}

function checkResourcePolicy(resource: Subject, report: Findings, value: unknown, rules: ResourcePolicyRules): void {
  const doc = parseDocument(value);
  if (doc.kind === "absent") return;
  if (doc.kind === "unknown") return report.unknown(resource, `the ${rules.noun} policy document`);
  if (doc.kind === "malformed") return report.violation(resource, `the ${rules.noun} policy is malformed: ${doc.error}`, rules.fix);
  for (const s of doc.statements) {
    if (s.effect !== "Allow") continue;
    const scoped = scopingConditionKeys(s.condition).length > 0;
    if (isUnknown(s.condition)) {
      report.unknown(resource, `the Condition of ${statementLabel(s)}`);
      continue;
    }
    if (isEveryone(s.principal) && !scoped) {
      report.violation(resource, `${statementLabel(s)} makes the ${rules.noun} public: it allows anyone ("*") without a condition naming the caller`, rules.fix);
    }
    const services = principalsOf(s.principal, "Service").filter((p): p is string => typeof p === "string");
    if (services.length > 0 && !scoped) {
      report.violation(
        resource,
        `${statementLabel(s)} admits ${services.join(", ")} for any source, so another account's resource could use it (confused deputy)`,
        `${rules.fix}; scope service principals with \`aws:SourceArn\``,
      );
    }
  }
  if (rules.tlsOnly && !doc.statements.some(deniesInsecureTransport)) {
    report.violation(
      resource,
      `the ${rules.noun} policy does not deny requests made without TLS (a Deny for Principal "*" with Bool aws:SecureTransport "false")`,
      rules.fix,
    );
  }
}

/** Stack side of TLS-only: a queue or topic with no policy at all has nothing that refuses plain HTTP. */
function requirePolicy(stack: StackView, report: Findings, type: string, policyType: string, link: string, rules: ResourcePolicyRules): void {
  for (const resource of stack.ofType(type)) {
    if (at(resource.props, "policy") !== undefined) continue;
    if (stack.referrers(resource, [link], policyType).length > 0) continue;
    report.violation(resource, `it has no ${rules.noun} policy, so nothing denies requests made without TLS`, rules.fix);
  }
}

const QUEUE_RULES: ResourcePolicyRules = {
  noun: "queue",
  tlsOnly: true,
  fix: "use the Queue component (its one queue policy denies non-TLS requests) and add statements with `addToResourcePolicy`, admitting services only with `aws:SourceArn`",
};

const sqsQueuePolicySecure = definePolicy({
  name: "sqs-queue-policy-secure",
  description: "SQS queue policies are not public, admit services only for a named source, and deny requests without TLS.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.QUEUE, t.QUEUE_POLICY],
  validateResource: (resource, report) => checkResourcePolicy(resource, report, at(resource.props, "policy"), QUEUE_RULES),
  validateStack: (stack, report) => requirePolicy(stack, report, t.QUEUE, t.QUEUE_POLICY, "queueUrl", QUEUE_RULES),
});

const TOPIC_RULES: ResourcePolicyRules = {
  noun: "topic",
  tlsOnly: true,
  fix: "use the Topic component (its topic policy denies non-TLS publishing) and add statements with `addToResourcePolicy`, admitting services only with `aws:SourceArn`",
};

const snsTopicPolicySecure = definePolicy({
  name: "sns-topic-policy-secure",
  description: "SNS topic policies are not public, admit services only for a named source, and deny requests without TLS.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.TOPIC, t.TOPIC_POLICY],
  validateResource: (resource, report) => checkResourcePolicy(resource, report, at(resource.props, "policy"), TOPIC_RULES),
  validateStack: (stack, report) => requirePolicy(stack, report, t.TOPIC, t.TOPIC_POLICY, "arn", TOPIC_RULES),
});

const BUS_RULES: ResourcePolicyRules = {
  noun: "event bus",
  tlsOnly: false,
  fix: "use EventBus's bus policy option, which admits only named accounts or principals, or add a condition such as `aws:PrincipalOrgID`",
};

const eventbridgeBusPolicySecure = definePolicy({
  name: "eventbridge-bus-policy-secure",
  description: "EventBridge bus policies and permissions are not public: anyone (\"*\") only with a condition naming the caller.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.EVENT_BUS_POLICY, t.EVENT_PERMISSION],
  validateResource: (resource, report) => {
    if (resource.type === t.EVENT_BUS_POLICY) return checkResourcePolicy(resource, report, at(resource.props, "policy"), BUS_RULES);
    const principal = at(resource.props, "principal");
    if (isUnknown(principal)) return report.unknown(resource, "`principal`");
    if (principal === "*" && at(resource.props, "condition") === undefined) {
      report.violation(resource, "it lets any account put events on the bus (principal \"*\" without a condition)", BUS_RULES.fix);
    }
  },
});

/**
 * Service principals whose KMS requests carry no `aws:SourceAccount` or `aws:SourceArn`, so a key policy that required
 * them would refuse the service: EventBridge publishing to an encrypted topic ("Adding the aws:SourceAccount and
 * aws:SourceArn to a AWS KMS policy is not supported for EventBridge-to-encrypted topics",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). components/topic.ts leaves the same out.
 */
const KMS_UNSCOPABLE_SERVICES: readonly string[] = ["events.amazonaws.com"];

const kmsKeyPolicyServiceScoped = definePolicy({
  name: "kms-key-policy-service-scoped",
  description: "KMS key policies admit an AWS service principal only on behalf of the account's resources (aws:SourceAccount or aws:SourceArn).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.KMS_KEY],
  validateResource: (resource, report) => {
    const doc = parseDocument(at(resource.props, "policy"));
    if (doc.kind === "absent") return;
    if (doc.kind === "unknown") return report.unknown(resource, "the key policy document");
    const fix = "add a condition `StringEquals: { \"aws:SourceAccount\": <account> }` (or `aws:SourceArn`) to the statement, as Topic's allowServicePublish does";
    if (doc.kind === "malformed") return report.violation(resource, `the key policy is malformed: ${doc.error}`, fix);
    for (const s of doc.statements) {
      if (s.effect !== "Allow") continue;
      if (isUnknown(s.condition)) {
        report.unknown(resource, `the Condition of ${statementLabel(s)}`);
        continue;
      }
      const services = principalsOf(s.principal, "Service").filter((p): p is string => typeof p === "string" && !KMS_UNSCOPABLE_SERVICES.includes(p));
      if (services.length > 0 && scopingConditionKeys(s.condition).length === 0) {
        report.violation(resource, `${statementLabel(s)} lets ${services.join(", ")} use the key on behalf of any account's resources (confused deputy)`, fix);
      }
    }
  },
});

/** Resource policies of queues, topics, buses and KMS keys. */
export const resourcePolicyPolicies: OrderflowPolicy[] = [sqsQueuePolicySecure, snsTopicPolicySecure, eventbridgeBusPolicySecure, kmsKeyPolicyServiceScoped];
