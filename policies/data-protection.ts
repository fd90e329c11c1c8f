import { definePolicy, type OrderflowPolicy } from "./lib/define";
import type { StackSubject, StackView } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown } from "./lib/values";

// Data at rest: encrypted everywhere, and tables recoverable to a point in time.

const dynamodbPitr = definePolicy({
  name: "dynamodb-pitr",
  description: "DynamoDB tables have point-in-time recovery. The dev policy config (policies/config/dev.json) makes this advisory.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.TABLE],
  validateResource: (table, report) => {
    const enabled = at(table.props, "pointInTimeRecovery", "enabled");
    if (isUnknown(enabled)) return report.unknown(table, "`pointInTimeRecovery.enabled`");
    if (enabled !== true) {
      report.violation(table, "point-in-time recovery is off, so a bad write cannot be undone", "set `orderflow:pointInTimeRecovery: true` in the environment's Pulumi.<env>.yaml (Table's `pointInTimeRecovery` option, on by default, follows it), or `pointInTimeRecovery: { enabled: true }` on a raw table");
    }
  },
});

const sqsEncryption = definePolicy({
  name: "sqs-encryption",
  description: "SQS queues are encrypted at rest, with SQS-managed keys (sqsManagedSseEnabled) or a KMS key (kmsMasterKeyId).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.QUEUE],
  validateResource: (queue, report) => {
    // Presence decides: a KMS key id that is not known yet is still a key.
    if (at(queue.props, "kmsMasterKeyId") !== undefined) return;
    const managed = at(queue.props, "sqsManagedSseEnabled");
    if (isUnknown(managed)) return report.unknown(queue, "`sqsManagedSseEnabled`");
    if (managed !== true) {
      report.violation(queue, "it does not say it is encrypted at rest (neither `sqsManagedSseEnabled` nor `kmsMasterKeyId`)", "use the Queue component (SQS-managed SSE by default, or pass a KMS key), or set `sqsManagedSseEnabled: true`");
    }
  },
});

const snsEncryption = definePolicy({
  name: "sns-encryption",
  description: "SNS topics are encrypted at rest with a KMS key (kmsMasterKeyId; alias/aws/sns is the AWS-managed one).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.TOPIC],
  validateResource: (topic, report) => {
    if (at(topic.props, "kmsMasterKeyId") !== undefined) return;
    report.violation(topic, "it is not encrypted at rest (no `kmsMasterKeyId`)", "use the Topic component (SSE with the AWS-managed SNS key by default), or set `kmsMasterKeyId: \"alias/aws/sns\"`");
  },
});

const dynamodbEncryption = definePolicy({
  name: "dynamodb-encryption",
  description: "DynamoDB tables are encrypted with a KMS key (serverSideEncryption enabled), not only the AWS-owned default key.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.TABLE],
  validateResource: (table, report) => {
    const enabled = at(table.props, "serverSideEncryption", "enabled");
    if (isUnknown(enabled)) return report.unknown(table, "`serverSideEncryption.enabled`");
    if (enabled !== true) {
      report.violation(table, "it uses only the AWS-owned key, which its account cannot audit or control (`serverSideEncryption` not enabled)", "use the Table component (SSE on by default), or set `serverSideEncryption: { enabled: true }`");
    }
  },
});

// AWSGuard's cmk-backing-key-rotation-enabled (pulumi/pulumi-policy-aws, src/security.ts), limited as AWS limits
// rotation: "Automatic key rotation is supported only on symmetric encryption KMS keys with key material that AWS KMS
// generates" (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html). Asymmetric and HMAC keys cannot
// rotate, and imported key material is another resource type (aws:kms/externalKey:ExternalKey).
const kmsKeyRotation = definePolicy({
  name: "kms-key-rotation",
  description: "Customer-managed KMS keys (symmetric encryption keys, the kind that can rotate) have automatic key rotation on (enableKeyRotation).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.KMS_KEY],
  validateResource: (key, report) => {
    const spec = at(key.props, "customerMasterKeySpec");
    const usage = at(key.props, "keyUsage");
    if (isUnknown(spec) || isUnknown(usage)) return report.unknown(key, "`customerMasterKeySpec` / `keyUsage`");
    // Both default to a symmetric encryption key when not given.
    const symmetric = (spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT" && (usage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
    if (!symmetric) return;
    const rotation = at(key.props, "enableKeyRotation");
    if (isUnknown(rotation)) return report.unknown(key, "`enableKeyRotation`");
    if (rotation !== true) {
      report.violation(key, "automatic key rotation is off, so the same key material encrypts data for as long as the key lives", "set `enableKeyRotation: true` (AWS rotates yearly; `rotationPeriodInDays` sets 90 to 2560 days), as the Topic component's key does");
    }
  },
});

/** The personal data a state machine's state may carry, as the managed data identifiers that must be masked. */
const REQUIRED_MASKS = [
  { what: "email addresses", matches: (id: string) => id.endsWith("data-identifier/EmailAddress") },
  { what: "phone numbers", matches: (id: string) => /data-identifier\/PhoneNumber-[A-Z]{2}$/.test(id) },
] as const;

/** The log group a state machine delivers to: the engine's link, or the ARN in `logDestination` (`<arn>:*`). */
function logGroupOf(stack: StackView, machine: StackSubject): StackSubject | undefined {
  const linked = stack.referents(machine, ["loggingConfiguration"], t.LOG_GROUP);
  if (linked.length > 0) return linked[0];
  const destination = at(machine.props, "loggingConfiguration", "logDestination");
  if (typeof destination !== "string") return undefined;
  const arn = destination.replace(/:\*$/, "");
  return stack.ofType(t.LOG_GROUP).find((group) => at(group.props, "arn") === arn);
}

/** The identifiers a data protection policy document masks (its Deidentify statements), or why they cannot be read. */
function maskedIdentifiers(document: unknown): string[] | "unknown" {
  if (isUnknown(document)) return "unknown";
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const statements = at(parsed, "Statement");
  if (isUnknown(statements)) return "unknown";
  if (!Array.isArray(statements)) return [];
  return statements
    .filter((s) => at(s, "Operation", "Deidentify") !== undefined)
    .flatMap((s) => {
      const ids = at(s, "DataIdentifier");
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
    });
}

// The checkout saga's state carries the customer's email address and phone number; logged with the execution data,
// they would sit in CloudWatch Logs for the log group's retention (a year in prod). CloudWatch Logs data protection
// masks them at ingestion: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html
const sfnExecutionDataMasked = definePolicy({
  name: "sfn-execution-data-masked",
  description: "A state machine that logs its execution data (includeExecutionData) logs to a log group whose data protection policy masks email addresses and phone numbers.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.STATE_MACHINE, t.LOG_DATA_PROTECTION_POLICY],
  validateStack: (stack, report) => {
    const fix = "use the Saga component (it masks them with a data protection policy while `includeExecutionData` is on), attach an `aws.cloudwatch.LogDataProtectionPolicy` to the log group, or set `includeExecutionData: false`";
    for (const machine of stack.ofType(t.STATE_MACHINE)) {
      const included = at(machine.props, "loggingConfiguration", "includeExecutionData");
      if (isUnknown(included)) {
        report.unknown(machine, "`loggingConfiguration.includeExecutionData`");
        continue;
      }
      if (included !== true) continue;
      const group = logGroupOf(stack, machine);
      if (group === undefined) {
        report.violation(machine, "it logs its execution data to a log group outside this stack, whose data protection cannot be checked", fix);
        continue;
      }
      const policies = stack.referrers(group, ["logGroupName"], t.LOG_DATA_PROTECTION_POLICY);
      const masked = policies.map((p) => maskedIdentifiers(at(p.props, "policyDocument")));
      if (masked.includes("unknown")) {
        report.unknown(machine, "the data protection policy of its log group");
        continue;
      }
      const identifiers = masked.flat() as string[];
      const missing = REQUIRED_MASKS.filter((m) => !identifiers.some((id) => m.matches(id))).map((m) => m.what);
      if (missing.length > 0) {
        report.violation(
          machine,
          `it logs its execution data (the order's contact among it) to log group ${group.name}, which masks no ${missing.join(" and no ")}`,
          fix,
        );
      }
    }
  },
});

/** Encryption and recovery of data at rest, and personal data kept out of logs. */
export const dataProtectionPolicies: OrderflowPolicy[] = [dynamodbPitr, sqsEncryption, snsEncryption, dynamodbEncryption, kmsKeyRotation, sfnExecutionDataMasked];
