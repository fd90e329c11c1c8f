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

/** Encryption and recovery of data at rest. */
export const dataProtectionPolicies: OrderflowPolicy[] = [dynamodbPitr, sqsEncryption, snsEncryption, dynamodbEncryption, kmsKeyRotation];
