import { describePolicy as cases, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const FN = "aws:lambda/function:Function";
const SM = "aws:sfn/stateMachine:StateMachine";
const STAGE = "aws:apigateway/stage:Stage";
const TOPIC = "aws:sns/topic:Topic";
const XRAY = "aws:xray/resourcePolicy:ResourcePolicy";
const exempt = (policy: string, name: string) => exemption(policy, name, "vendor function, traced upstream");

describe("policies/tracing", () => {
  cases("lambda-tracing-active", [
    { title: "passes an Active function", resources: [resource(FN, "fn", { tracingConfig: { mode: "Active" }, role: UNKNOWN })], expected: {} },
    { title: "flags a function without tracing config, naming it and the fix", resources: [resource(FN, "fn", {})], expected: { mandatory: [["fn (aws:lambda/function:Function): tracing is not configured", "Fix: use the Function component"]] } },
    { title: "flags PassThrough", resources: [resource(FN, "fn", { tracingConfig: { mode: "PassThrough" } })], expected: { mandatory: ['tracing is "PassThrough"'] } },
    { title: "reports an unknown mode as advisory", resources: [resource(FN, "fn", { tracingConfig: { mode: UNKNOWN } })], expected: { advisory: ["tracingConfig.mode cannot be checked until the value is known"] } },
    { title: "reports an exempted function as advisory, with the reason", resources: [resource(FN, "legacyFn", {})], config: exempt("lambda-tracing-active", "legacy*"), expected: { advisory: ['legacyFn (aws:lambda/function:Function): exempted from lambda-tracing-active (reason: "vendor function, traced upstream")'] } },
  ]);
  cases("sfn-tracing-enabled", [
    { title: "passes a traced state machine", resources: [resource(SM, "saga", { tracingConfiguration: { enabled: true } })], expected: {} },
    { title: "flags tracing off", resources: [resource(SM, "saga", { tracingConfiguration: { enabled: false } })], expected: { mandatory: [["saga (aws:sfn/stateMachine:StateMachine): X-Ray tracing is off", "Fix: use the Saga component"]] } },
    { title: "reports unknown as advisory", resources: [resource(SM, "saga", { tracingConfiguration: UNKNOWN })], expected: { advisory: ["cannot be checked until the value is known"] } },
    { title: "exempts by URN glob", resources: [resource(SM, "saga", {})], config: exemption("sfn-tracing-enabled", "urn:pulumi:test::*::saga"), expected: { advisory: ["exempted from sfn-tracing-enabled"] } },
  ]);
  cases("apigw-stage-tracing", [
    { title: "passes a traced stage", resources: [resource(STAGE, "stage", { xrayTracingEnabled: true })], expected: {} },
    { title: "flags a stage without tracing", resources: [resource(STAGE, "stage", {})], expected: { mandatory: [["stage (aws:apigateway/stage:Stage): X-Ray tracing is off", "Fix: set `xrayTracingEnabled: true`"]] } },
    { title: "reports unknown as advisory", resources: [resource(STAGE, "stage", { xrayTracingEnabled: UNKNOWN })], expected: { advisory: ["xrayTracingEnabled cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(STAGE, "stage", {})], config: exempt("apigw-stage-tracing", "stage"), expected: { advisory: ["exempted"] } },
  ]);
  cases("sns-topic-tracing", [
    { title: "passes an Active topic", resources: [resource(TOPIC, "orders", { tracingConfig: "Active" })], expected: {} },
    { title: "is advisory by default", resources: [resource(TOPIC, "orders", {})], expected: { advisory: ["orders (aws:sns/topic:Topic): tracing is not configured"] } },
    { title: "becomes mandatory through config", resources: [resource(TOPIC, "orders", { tracingConfig: "PassThrough" })], config: { "sns-topic-tracing": "mandatory" }, expected: { mandatory: ['tracing is "PassThrough"'] } },
    { title: "reports unknown as advisory", resources: [resource(TOPIC, "orders", { tracingConfig: UNKNOWN })], expected: { advisory: ["cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [resource(TOPIC, "orders", {})], config: exempt("sns-topic-tracing", "orders"), expected: { advisory: ["exempted from sns-topic-tracing"] } },
  ]);

  const topicArn = "arn:aws:sns:us-east-1:123456789012:notifications-1a2b3c4";
  const tracedTopic = (extra: Record<string, unknown> = {}) =>
    resource(TOPIC, "notifications", { tracingConfig: "Active", ...extra }, { outputs: { tracingConfig: "Active", ...extra, arn: topicArn } });
  const xrayPolicy = (statement: Record<string, unknown>) =>
    resource(XRAY, "tracing", { policyName: "sns-tracing", policyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });
  const admitSns = (condition?: Record<string, unknown>) => ({
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
    Resource: "*",
    ...(condition ? { Condition: condition } : {}),
  });
  cases("sns-active-tracing-admitted", [
    { title: "passes a traced topic admitted by a policy of its stack naming its ARN", resources: [tracedTopic(), xrayPolicy(admitSns({ ArnEquals: { "aws:SourceArn": topicArn } }))], expected: {} },
    { title: "passes a policy admitting the account's topics by pattern", resources: [tracedTopic(), xrayPolicy(admitSns({ StringEquals: { "aws:SourceAccount": "123456789012" }, StringLike: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:*" } }))], expected: {} },
    { title: "passes a topic naming the account's policy in its tag (the bootstrap stack's)", resources: [tracedTopic({ tags: { "orderflow:xray-resource-policy": "orderflow-sns-active-tracing" } })], expected: {} },
    { title: "passes at preview, when the policy's document is made from the topic's unknown ARN", resources: (() => {
      const topic = resource(TOPIC, "notifications", { tracingConfig: "Active" }, { outputs: { tracingConfig: "Active", arn: UNKNOWN } });
      return [topic, resource(XRAY, "tracing", { policyName: UNKNOWN, policyDocument: UNKNOWN }, { propertyDependencies: { policyDocument: [topic] } })];
    })(), expected: {} },
    { title: "leaves PassThrough topics alone", resources: [resource(TOPIC, "orders", { tracingConfig: "PassThrough" })], expected: {} },
    { title: "flags a traced topic that no X-Ray resource policy admits, naming it and the fix", resources: [tracedTopic()], expected: { mandatory: [["notifications (aws:sns/topic:Topic): its tracing is Active, but no X-Ray resource policy lets sns.amazonaws.com put its trace segments", "xrayResourcePolicy"]] } },
    { title: "flags a policy for another topic, another principal or without PutTraceSegments", resources: [
      tracedTopic(),
      xrayPolicy(admitSns({ ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alarms-9f8e7d6" } })),
      resource(XRAY, "lambdaOnly", { policyName: "l", policyDocument: JSON.stringify({ Statement: [{ ...admitSns(), Principal: { Service: "lambda.amazonaws.com" } }] }) }),
      resource(XRAY, "readOnly", { policyName: "r", policyDocument: JSON.stringify({ Statement: [{ ...admitSns(), Action: "xray:GetSamplingRules" }] }) }),
    ], expected: { mandatory: ["its tracing is Active, but no X-Ray resource policy"] } },
    { title: "flags a policy whose SNS statement is a Deny: it admits nothing", resources: [tracedTopic(), xrayPolicy({ ...admitSns(), Effect: "Deny" })], expected: { mandatory: ["its tracing is Active, but no X-Ray resource policy"] } },
    { title: "flags a policy that allows SNS but denies it for this topic: an explicit deny wins", resources: [
      tracedTopic(),
      resource(XRAY, "tracing", { policyName: "t", policyDocument: JSON.stringify({ Statement: [admitSns(), { ...admitSns({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:notifications-*" } }), Effect: "Deny" }] }) }),
    ], expected: { mandatory: ["its tracing is Active, but no X-Ray resource policy"] } },
    { title: "passes a policy whose Deny is for another topic", resources: [
      tracedTopic(),
      resource(XRAY, "tracing", { policyName: "t", policyDocument: JSON.stringify({ Statement: [admitSns(), { ...admitSns({ ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:alarms-9f8e7d6" } }), Effect: "Deny" }] }) }),
    ], expected: {} },
    { title: "reports an unknown tracing mode as advisory", resources: [resource(TOPIC, "orders", { tracingConfig: UNKNOWN })], expected: { advisory: ["tracingConfig cannot be checked"] } },
  ]);
});
