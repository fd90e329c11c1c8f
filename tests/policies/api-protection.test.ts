import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const API = "aws:apigateway/restApi:RestApi";
const STAGE = "aws:apigateway/stage:Stage";
const ACL = "aws:wafv2/webAcl:WebAcl";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";

const STAGE_ARN = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/live";
const ACL_ARN = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/orders/1";
const rateRule = { name: "per-ip-rate-limit", priority: 0, action: { block: {} }, statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: 2000 } } };
const managed = (name: string, overrideAction: unknown = { none: {} }) => ({ name, priority: 1, overrideAction, statement: { managedRuleGroupStatement: { vendorName: "AWS", name } } });
const componentRules = [rateRule, managed("AWSManagedRulesCommonRuleSet"), managed("AWSManagedRulesKnownBadInputsRuleSet")];

describe("policies/api-protection", () => {
  describePolicy("apigw-rest-api-tls", [
    { title: "passes the RestApi component's TLS 1.3-only regional API", resources: [resource(API, "orders", { endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09", endpointAccessMode: "STRICT" })], expected: {} },
    {
      title: "flags API Gateway's TLS_1_0 default, explicit or by omission, and a regional policy that still takes TLS 1.2",
      resources: [
        resource(API, "a", { endpointConfiguration: { types: "REGIONAL" } }),
        resource(API, "b", { endpointConfiguration: { types: ["REGIONAL"] }, securityPolicy: "TLS_1_0" }),
        resource(API, "c", { endpointConfiguration: { types: "REGIONAL" }, securityPolicy: "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", endpointAccessMode: "STRICT" }),
      ],
      expected: {
        mandatory: [
          ["a (aws:apigateway/restApi:RestApi): it accepts TLS 1.0 and 1.1 (`securityPolicy` is API Gateway's default, TLS_1_0)", "SecurityPolicy_TLS13_1_3_2025_09"],
          "b (aws:apigateway/restApi:RestApi): it accepts TLS 1.0 and 1.1 (`securityPolicy` is TLS_1_0)",
          "c (aws:apigateway/restApi:RestApi): its security policy SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09 accepts TLS versions before 1.3",
        ],
      },
    },
    { title: "takes TLS_1_2 on an edge-optimized API (no endpoint configuration means EDGE)", resources: [resource(API, "edge", { securityPolicy: "TLS_1_2" })], expected: {} },
    { title: "reports an unknown policy as advisory", resources: [resource(API, "a", { securityPolicy: UNKNOWN })], expected: { advisory: ["cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(API, "a", {})], config: exemption("apigw-rest-api-tls", "a"), expected: { advisory: ["exempted"] } },
  ]);

  const regional = resource(API, "ordersApi", { endpointConfiguration: { types: "REGIONAL" } });
  const stage = resource(STAGE, "ordersStage", { restApi: "abc123", stageName: "live" }, { outputs: { arn: STAGE_ARN, restApi: "abc123" }, propertyDependencies: { restApi: [regional] } });
  const acl = (rules: unknown) => resource(ACL, "ordersWebAcl", { scope: "REGIONAL", rules }, { outputs: { arn: ACL_ARN, rules } });
  const association = (webAcl: ReturnType<typeof acl>) =>
    resource(ASSOCIATION, "ordersWebAclAssociation", { resourceArn: STAGE_ARN, webAclArn: ACL_ARN }, { propertyDependencies: { resourceArn: [stage], webAclArn: [webAcl] } });
  const withAcl = (rules: unknown) => {
    const webAcl = acl(rules);
    return [regional, stage, webAcl, association(webAcl)];
  };
  describePolicy("apigw-stage-waf", [
    { title: "passes the RestApi component's firewall: per-IP rate limit, common and known-bad-inputs groups", resources: withAcl(componentRules), expected: {} },
    { title: "flags an internet-facing stage without a web ACL", resources: [regional, stage], expected: { mandatory: [["ordersStage (aws:apigateway/stage:Stage): it faces the internet with no WAF web ACL", "orderflow:apiFirewall"]] } },
    {
      title: "flags a web ACL without the per-IP rule, or with a managed group only counting",
      resources: withAcl([managed("AWSManagedRulesCommonRuleSet", { count: {} }), managed("AWSManagedRulesKnownBadInputsRuleSet")]),
      expected: { mandatory: [["its web ACL ordersWebAcl lacks a rate-based rule that blocks per client IP", "AWSManagedRulesCommonRuleSet (not overridden to count)"]] },
    },
    {
      title: "leaves a private API's stage alone (not internet-facing)",
      resources: [
        resource(API, "internal", { endpointConfiguration: { types: "PRIVATE" } }),
        resource(STAGE, "internalStage", { restApi: "p1" }, { propertyDependencies: { restApi: [resource(API, "internal", { endpointConfiguration: { types: "PRIVATE" } })] } }),
      ],
      expected: {},
    },
    { title: "is off under the dev config", resources: [regional, stage], config: { "apigw-stage-waf": { requireWebAcl: false } }, expected: {} },
    { title: "reports unknown rules as advisory", resources: withAcl(UNKNOWN), expected: { advisory: ["`rules` cannot be checked"] } },
    { title: "honours an exemption", resources: [regional, stage], config: exemption("apigw-stage-waf", "ordersStage"), expected: { advisory: ["exempted"] } },
  ]);
});
