import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const MANAGED = "aws:iam/policy:Policy";
const ROLE = "aws:iam/role:Role";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const FN = "aws:lambda/function:Function";
const SM = "aws:sfn/stateMachine:StateMachine";
const PERMISSION = "aws:lambda/permission:Permission";

const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders";

describe("policies/least-privilege", () => {
  describePolicy("iam-no-wildcards", [
    {
      title: "passes exact grants, and `*` for X-Ray writes and Step Functions log delivery (wildcard-only in the IAM data)",
      resources: [
        resource(ROLE_POLICY, "send", { policy: doc({ Effect: "Allow", Action: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], Resource: [QUEUE_ARN] }) }),
        resource(ROLE_POLICY, "xray", { policy: doc({ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }) }),
        resource(ROLE_POLICY, "logs", { policy: doc({ Effect: "Allow", Action: ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], Resource: "*" }) }),
        resource(ROLE_POLICY, "deny", { policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) }),
      ],
      expected: {},
    },
    {
      title: "reports each wildcard action and the `*` resource as separate findings",
      resources: [resource(ROLE_POLICY, "broad", { policy: doc({ Sid: "Broad", Effect: "Allow", Action: ["sqs:*", "*", "sqs:SendMessage"], Resource: "*" }) })],
      expected: {
        mandatory: [
          ['broad (aws:iam/rolePolicy:RolePolicy): statement "Broad" at `policy` allows the wildcard action "sqs:*"', "`grant*` methods"],
          'allows the wildcard action "*"',
          'allows resource "*" for sqs:SendMessage',
        ],
      },
    },
    {
      title: "flags `*` for an action that has resource-level permissions even when written as a pattern (xray:Get* includes GetGroup)",
      resources: [resource(MANAGED, "p", { policy: doc({ Effect: "Allow", Action: ["xray:Get*"], Resource: "*" }) })],
      expected: { mandatory: ['allows resource "*" for xray:GetGroup'] },
    },
    {
      title: "flags NotAction and NotResource, and an action missing from the IAM data on `*`",
      resources: [resource(ROLE_POLICY, "p", { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: QUEUE_ARN }, { Effect: "Allow", Action: "sqs:SendMessage", NotResource: QUEUE_ARN }, { Effect: "Allow", Action: "xray:PutTraceSegmentz", Resource: "*" }) })],
      expected: { mandatory: ["allows everything except [iam:*] (NotAction)", "applies to every resource except", "xray:PutTraceSegmentz (not in the IAM reference)"] },
    },
    {
      title: "reads documents given as objects and a role's inline policies",
      resources: [resource(ROLE, "r", { assumeRolePolicy: "{}", inlinePolicies: [{ name: "a", policy: doc({ Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-east-1:1:table/t" }) }] }), resource(ROLE_POLICY, "o", { policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::b" }] } })],
      expected: { mandatory: ["r (aws:iam/role:Role): statement 0 at `inlinePolicies[0].policy` allows the wildcard action \"dynamodb:*\"", "o (aws:iam/rolePolicy:RolePolicy): statement 0 at `policy` allows the wildcard action \"s3:*\""] },
    },
    {
      title: "reports malformed JSON as a violation instead of crashing",
      resources: [resource(ROLE_POLICY, "bad", { policy: "{\"Statement\": [" }), resource(ROLE_POLICY, "shape", { policy: "[1]" })],
      expected: { mandatory: ["bad (aws:iam/rolePolicy:RolePolicy): the policy document at `policy` is malformed: it is not valid JSON", "shape (aws:iam/rolePolicy:RolePolicy): the policy document at `policy` is malformed"] },
    },
    {
      title: "reports an unknown document as advisory (one unknown ARN makes the whole string unknown)",
      resources: [resource(ROLE_POLICY, "p", { policy: UNKNOWN, role: UNKNOWN })],
      expected: { advisory: ["p (aws:iam/rolePolicy:RolePolicy): the policy document at `policy` cannot be checked until the value is known"] },
    },
    {
      title: "checks the known parts of an object document with an unknown ARN inside",
      resources: [resource(ROLE_POLICY, "p", { policy: { Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: [UNKNOWN] }] } })],
      expected: { mandatory: ['allows the wildcard action "sqs:*"'] },
    },
    {
      title: "honours an exemption for every finding on the resource",
      resources: [resource(ROLE_POLICY, "broad", { policy: doc({ Effect: "Allow", Action: "sqs:*", Resource: QUEUE_ARN }) })],
      config: exemption("iam-no-wildcards", "broad"),
      expected: { advisory: ["broad (aws:iam/rolePolicy:RolePolicy): exempted from iam-no-wildcards"] },
    },
  ]);

  describePolicy("iam-no-aws-managed-policies", [
    { title: "passes customer-managed attachments", resources: [resource(ATTACH, "a", { role: "r", policyArn: "arn:aws:iam::123456789012:policy/mine" })], expected: {} },
    {
      title: "flags AWS-managed policies, attached or in managedPolicyArns (any partition)",
      resources: [resource(ATTACH, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }), resource(ROLE, "r", { managedPolicyArns: ["arn:aws-us-gov:iam::aws:policy/AdministratorAccess"] })],
      expected: { mandatory: [["a (aws:iam/rolePolicyAttachment:RolePolicyAttachment): it attaches the AWS-managed policy arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "`grant*` methods"], "r (aws:iam/role:Role): it attaches the AWS-managed policy arn:aws-us-gov:iam::aws:policy/AdministratorAccess"] },
    },
    { title: "reports an unknown policy ARN as advisory", resources: [resource(ATTACH, "a", { role: "r", policyArn: UNKNOWN })], expected: { advisory: ["an attached policy ARN cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(ATTACH, "a", { policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })], config: exemption("iam-no-aws-managed-policies", "a"), expected: { advisory: ["exempted"] } },
  ]);

  const role = (name: string) => resource(ROLE, name, { assumeRolePolicy: "{}" }, { outputs: { assumeRolePolicy: "{}", arn: `arn:aws:iam::123456789012:role/${name}`, name } });
  describePolicy("iam-no-shared-roles", [
    (() => {
      const a = role("aRole"), b = role("bRole");
      return { title: "passes one role per workload", resources: [a, b, resource(FN, "a", { role: UNKNOWN }, { propertyDependencies: { role: [a] } }), resource(SM, "s", { roleArn: UNKNOWN }, { propertyDependencies: { roleArn: [b] } })], expected: {} };
    })(),
    (() => {
      const shared = role("shared");
      return {
        title: "flags a role used by a function and a state machine, naming both",
        resources: [shared, resource(FN, "a", { role: UNKNOWN }, { propertyDependencies: { role: [shared] } }), resource(SM, "s", { roleArn: "arn:aws:iam::123456789012:role/shared" })],
        expected: { mandatory: [["shared (aws:iam/role:Role): it is shared by a (aws:lambda/function:Function), s (aws:sfn/stateMachine:StateMachine)", "its own role"]] },
      };
    })(),
    (() => {
      const shared = role("shared");
      return { title: "honours an exemption", resources: [shared, resource(FN, "a", { role: shared.outputs!.arn }), resource(FN, "b", { role: shared.outputs!.arn })], config: exemption("iam-no-shared-roles", "shared"), expected: { advisory: ["exempted"] } };
    })(),
  ]);

  describePolicy("lambda-permission-scoped", [
    { title: "passes sourceArn (unknown at preview: presence decides) and sourceAccount", resources: [resource(PERMISSION, "a", { principal: "sns.amazonaws.com", sourceArn: UNKNOWN }), resource(PERMISSION, "b", { principal: "s3.amazonaws.com", sourceAccount: "123456789012" })], expected: {} },
    { title: "flags an unscoped permission, naming the principal", resources: [resource(PERMISSION, "a", { principal: "events.amazonaws.com", function: "f" })], expected: { mandatory: [["a (aws:lambda/permission:Permission): it lets events.amazonaws.com invoke the function from any source", "`subscribeFunction`"]] } },
    { title: "honours an exemption", resources: [resource(PERMISSION, "a", { principal: "events.amazonaws.com" })], config: exemption("lambda-permission-scoped", "a"), expected: { advisory: ["exempted"] } },
  ]);

  describePolicy("iam-passrole-scoped", [
    { title: "passes PassRole on an exact role", resources: [resource(ROLE_POLICY, "p", { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "arn:aws:iam::123456789012:role/worker" }) })], expected: {} },
    { title: "flags PassRole on `*` and on a role wildcard", resources: [resource(ROLE_POLICY, "p", { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: ["*", "arn:aws:iam::123456789012:role/*"] }) })], expected: { mandatory: [['p (aws:iam/rolePolicy:RolePolicy): statement 0 at `policy` allows iam:PassRole on "*"', "exact role ARN"], 'allows iam:PassRole on "arn:aws:iam::123456789012:role/*"'] } },
    { title: "reports an unknown document as advisory", resources: [resource(ROLE_POLICY, "p", { policy: UNKNOWN })], expected: { advisory: ["cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [resource(ROLE_POLICY, "p", { policy: doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*" }) })], config: exemption("iam-passrole-scoped", "p"), expected: { advisory: ["exempted"] } },
  ]);
});
