import { definePolicy, type OrderflowPolicy } from "./lib/define";
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

/** Encryption and recovery of data at rest. */
export const dataProtectionPolicies: OrderflowPolicy[] = [dynamodbPitr, sqsEncryption, snsEncryption, dynamodbEncryption];
