import { describePolicy as cases, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const FN = "aws:lambda/function:Function";
const SM = "aws:sfn/stateMachine:StateMachine";
const STAGE = "aws:apigateway/stage:Stage";
const TOPIC = "aws:sns/topic:Topic";
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
});
