import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const TABLE = "aws:dynamodb/table:Table";
const QUEUE = "aws:sqs/queue:Queue";
const TOPIC = "aws:sns/topic:Topic";
const KEY = "aws:kms/key:Key";
const devConfig = JSON.parse(readFileSync(path.join(__dirname, "../../policies/config/dev.json"), "utf8"));

describe("policies/data-protection", () => {
  describePolicy("dynamodb-pitr", [
    { title: "passes PITR on", resources: [resource(TABLE, "orders", { pointInTimeRecovery: { enabled: true } })], expected: {} },
    { title: "flags PITR off as mandatory by default", resources: [resource(TABLE, "orders", {})], expected: { mandatory: [["orders (aws:dynamodb/table:Table): point-in-time recovery is off", "orderflow:pointInTimeRecovery: true"]] } },
    { title: "is advisory under the dev config", resources: [resource(TABLE, "orders", {})], config: devConfig, expected: { advisory: ["point-in-time recovery is off"] } },
    { title: "reports unknown as advisory", resources: [resource(TABLE, "orders", { pointInTimeRecovery: { enabled: UNKNOWN } })], expected: { advisory: ["cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [resource(TABLE, "orders", {})], config: exemption("dynamodb-pitr", "orders"), expected: { advisory: ["exempted from dynamodb-pitr"] } },
  ]);
  describePolicy("sqs-encryption", [
    { title: "passes SQS-managed SSE and a KMS key (even unknown)", resources: [resource(QUEUE, "a", { sqsManagedSseEnabled: true }), resource(QUEUE, "b", { kmsMasterKeyId: UNKNOWN })], expected: {} },
    { title: "flags a queue without SSE settings and one with SSE off", resources: [resource(QUEUE, "a", {}), resource(QUEUE, "b", { sqsManagedSseEnabled: false })], expected: { mandatory: [["a (aws:sqs/queue:Queue): it does not say it is encrypted", "Queue component"], "b (aws:sqs/queue:Queue)"] } },
    { title: "reports unknown as advisory", resources: [resource(QUEUE, "a", { sqsManagedSseEnabled: UNKNOWN })], expected: { advisory: ["`sqsManagedSseEnabled` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(QUEUE, "a", {})], config: exemption("sqs-encryption", "a"), expected: { advisory: ["exempted"] } },
  ]);
  describePolicy("sns-encryption", [
    { title: "passes a KMS key (even unknown)", resources: [resource(TOPIC, "a", { kmsMasterKeyId: "alias/aws/sns" }), resource(TOPIC, "b", { kmsMasterKeyId: UNKNOWN })], expected: {} },
    { title: "flags a topic without a key", resources: [resource(TOPIC, "a", {})], expected: { mandatory: [["a (aws:sns/topic:Topic): it is not encrypted at rest", "Topic component"]] } },
    { title: "honours an exemption", resources: [resource(TOPIC, "a", {})], config: exemption("sns-encryption", "a"), expected: { advisory: ["exempted"] } },
  ]);
  describePolicy("dynamodb-encryption", [
    { title: "passes SSE enabled", resources: [resource(TABLE, "t", { serverSideEncryption: { enabled: true } })], expected: {} },
    { title: "flags the AWS-owned key only", resources: [resource(TABLE, "t", {})], expected: { mandatory: ["t (aws:dynamodb/table:Table): it uses only the AWS-owned key"] } },
    { title: "reports unknown as advisory", resources: [resource(TABLE, "t", { serverSideEncryption: UNKNOWN })], expected: { advisory: ["cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(TABLE, "t", {})], config: exemption("dynamodb-encryption", "t"), expected: { advisory: ["exempted"] } },
  ]);
  describePolicy("kms-key-rotation", [
    { title: "passes a symmetric key that rotates", resources: [resource(KEY, "k", { enableKeyRotation: true })], expected: {} },
    {
      title: "flags a symmetric key without rotation, whether the spec is given or defaulted",
      resources: [resource(KEY, "a", {}), resource(KEY, "b", { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false })],
      expected: { mandatory: [["a (aws:kms/key:Key): automatic key rotation is off", "enableKeyRotation: true"], "b (aws:kms/key:Key)"] },
    },
    {
      title: "leaves keys AWS cannot rotate alone: asymmetric and HMAC",
      resources: [resource(KEY, "signing", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }), resource(KEY, "mac", { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" })],
      expected: {},
    },
    { title: "reports unknown as advisory", resources: [resource(KEY, "k", { enableKeyRotation: UNKNOWN })], expected: { advisory: ["`enableKeyRotation` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(KEY, "k", {})], config: exemption("kms-key-rotation", "k"), expected: { advisory: ["exempted from kms-key-rotation"] } },
  ]);
  const SM = "aws:sfn/stateMachine:StateMachine";
  const GROUP = "aws:cloudwatch/logGroup:LogGroup";
  const PROTECTION = "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy";
  const GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/checkout-1";
  const group = resource(GROUP, "checkoutLogGroup", {}, { outputs: { arn: GROUP_ARN, name: "/aws/vendedlogs/states/checkout-1" } });
  const machine = (includeExecutionData: unknown) =>
    resource(SM, "checkoutStateMachine", { loggingConfiguration: { level: "ALL", includeExecutionData, logDestination: `${GROUP_ARN}:*` } });
  const id = (name: string) => `arn:aws:dataprotection::aws:data-identifier/${name}`;
  const protection = (masked: string[], audited = masked) =>
    resource(PROTECTION, "checkoutDataProtectionPolicy", {
      logGroupName: "/aws/vendedlogs/states/checkout-1",
      policyDocument: JSON.stringify({
        Version: "2021-06-01",
        Statement: [
          { Sid: "audit", DataIdentifier: audited.map(id), Operation: { Audit: { FindingsDestination: {} } } },
          { Sid: "redact", DataIdentifier: masked.map(id), Operation: { Deidentify: { MaskConfig: {} } } },
        ],
      }),
    });
  describePolicy("sfn-execution-data-masked", [
    { title: "passes the Saga component's log group, which masks email addresses and phone numbers", resources: [machine(true), group, protection(["EmailAddress", "PhoneNumber-US", "PhoneNumber-DE"])], expected: {} },
    { title: "passes a state machine that leaves its execution data out", resources: [machine(false), group], expected: {} },
    { title: "flags execution data logged without any data protection", resources: [machine(true), group], expected: { mandatory: [["checkoutStateMachine (aws:sfn/stateMachine:StateMachine): it logs its execution data", "masks no email addresses and no phone numbers", "includeExecutionData: false"]] } },
    { title: "flags a policy that only audits phone numbers, and masks only email addresses", resources: [machine(true), group, protection(["EmailAddress"], ["EmailAddress", "PhoneNumber-US"])], expected: { mandatory: ["masks no phone numbers"] } },
    { title: "reports an unknown switch as advisory", resources: [machine(UNKNOWN), group], expected: { advisory: ["`loggingConfiguration.includeExecutionData` cannot be checked"] } },
    { title: "honours an exemption", resources: [machine(true), group], config: exemption("sfn-execution-data-masked", "checkoutStateMachine"), expected: { advisory: ["exempted"] } },
  ]);
});
