import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const SM = "aws:sfn/stateMachine:StateMachine";
const REST = "aws:apigateway/stage:Stage";
const HTTP = "aws:apigatewayv2/stage:Stage";
const LOGS = "aws:cloudwatch/logGroup:LogGroup";

describe("policies/logging", () => {
  describePolicy("sfn-logging-all", [
    { title: "passes level ALL with a destination", resources: [resource(SM, "saga", { loggingConfiguration: { level: "ALL", logDestination: UNKNOWN } })], expected: {} },
    { title: "flags no logging", resources: [resource(SM, "saga", {})], expected: { mandatory: [["saga (aws:sfn/stateMachine:StateMachine): it logs at level OFF", "Fix: use the Saga component"]] } },
    { title: "flags level ERROR", resources: [resource(SM, "saga", { loggingConfiguration: { level: "ERROR", logDestination: "arn:aws:logs:us-east-1:123456789012:log-group:x:*" } })], expected: { mandatory: ["it logs at level ERROR"] } },
    { title: "flags ALL without a destination", resources: [resource(SM, "saga", { loggingConfiguration: { level: "ALL" } })], expected: { mandatory: ["names no `logDestination`"] } },
    { title: "reports an unknown level as advisory", resources: [resource(SM, "saga", { loggingConfiguration: { level: UNKNOWN } })], expected: { advisory: ["`loggingConfiguration.level` cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [resource(SM, "saga", {})], config: exemption("sfn-logging-all", "saga"), expected: { advisory: ["exempted from sfn-logging-all"] } },
  ]);
  describePolicy("apigw-access-logging", [
    { title: "passes REST and HTTP stages with destination and format", resources: [resource(REST, "rest", { accessLogSettings: { destinationArn: UNKNOWN, format: "{}" } }), resource(HTTP, "http", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:a", format: "{}" } })], expected: {} },
    { title: "flags a stage without access logs, and one without a format", resources: [resource(REST, "rest", {}), resource(HTTP, "http", { accessLogSettings: { destinationArn: "arn:aws:logs:us-east-1:1:log-group:a" } })], expected: { mandatory: ["rest (aws:apigateway/stage:Stage): it writes no access logs", "http (aws:apigatewayv2/stage:Stage): its access logs have no `format`"] } },
    { title: "takes an unknown destination as set (presence first)", resources: [resource(REST, "rest", { accessLogSettings: UNKNOWN })], expected: {} },
    { title: "honours an exemption", resources: [resource(REST, "rest", {})], config: exemption("apigw-access-logging", "rest"), expected: { advisory: ["exempted"] } },
  ]);
  describePolicy("log-group-retention-set", [
    { title: "passes a retention", resources: [resource(LOGS, "logs", { retentionInDays: 30 })], expected: {} },
    { title: "flags no retention and retention 0 (never expire)", resources: [resource(LOGS, "a", {}), resource(LOGS, "b", { retentionInDays: 0 })], expected: { mandatory: [["a (aws:cloudwatch/logGroup:LogGroup): its logs never expire", "`logRetentionInDays`"], "b (aws:cloudwatch/logGroup:LogGroup): its logs never expire"] } },
    { title: "reports unknown as advisory", resources: [resource(LOGS, "logs", { retentionInDays: UNKNOWN })], expected: { advisory: ["`retentionInDays` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(LOGS, "logs", {})], config: exemption("log-group-retention-set", "logs"), expected: { advisory: ["exempted"] } },
  ]);
});
