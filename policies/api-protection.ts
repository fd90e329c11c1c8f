import { definePolicy, type OrderflowPolicy } from "./lib/define";
import type { StackSubject, StackView } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown } from "./lib/values";

// What stands between the internet and a REST API: the TLS it accepts, and a firewall in front of its stages.

/** The endpoint types of a REST API (REGIONAL, EDGE, PRIVATE); EDGE when none is given, as API Gateway defaults. */
function endpointTypes(api: StackSubject | { props: unknown }): string[] | "unknown" {
  const types = at(api.props, "endpointConfiguration", "types");
  if (isUnknown(types)) return "unknown";
  if (types === undefined) return ["EDGE"];
  return (Array.isArray(types) ? types : [types]).map(String);
}

// API Gateway's default for regional and edge-optimized APIs is TLS_1_0, which still accepts TLS 1.0 and 1.1. For
// regional and private APIs the strongest policies accept TLS 1.3 only: SecurityPolicy_TLS13_1_3_2025_09 and its FIPS
// variant (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html).
const TLS13_ONLY = /^SecurityPolicy_TLS13_1_3_/;

const apigwRestApiTls = definePolicy({
  name: "apigw-rest-api-tls",
  description: "Regional and private REST APIs accept TLS 1.3 only (a `SecurityPolicy_TLS13_1_3_*` security policy); edge-optimized ones at least refuse API Gateway's legacy TLS_1_0 default.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.REST_API],
  validateResource: (api, report) => {
    const policy = at(api.props, "securityPolicy");
    const types = endpointTypes(api);
    if (isUnknown(policy) || types === "unknown") return report.unknown(api, "`securityPolicy` / `endpointConfiguration.types`");
    const fix = "use the RestApi component (SecurityPolicy_TLS13_1_3_2025_09, endpoint access mode STRICT), or set `securityPolicy` and `endpointAccessMode`";
    const edge = types.includes("EDGE");
    if (policy === undefined || policy === "TLS_1_0") {
      report.violation(api, `it accepts TLS 1.0 and 1.1 (\`securityPolicy\` is ${policy === undefined ? "API Gateway's default, TLS_1_0" : "TLS_1_0"})`, fix);
    } else if (!edge && !TLS13_ONLY.test(String(policy))) {
      report.violation(api, `its security policy ${String(policy)} accepts TLS versions before 1.3, where API Gateway offers a TLS 1.3-only policy for its endpoint type`, fix);
    }
  },
});

/** The web ACLs associated with a stage in this stack. */
function webAclsOf(stack: StackView, stage: StackSubject): StackSubject[] {
  return stack
    .referrers(stage, ["resourceArn"], t.WEB_ACL_ASSOCIATION)
    .flatMap((association) => stack.referents(association, ["webAclArn"], t.WEB_ACL));
}

/** Whether a REST stage's API is private (reachable only through a VPC endpoint), by the engine's links. */
function isPrivate(stack: StackView, stage: StackSubject): boolean | "unknown" {
  const apis = stack.referents(stage, ["restApi"], t.REST_API);
  if (apis.length === 0) return false;
  const types = endpointTypes(apis[0]);
  if (types === "unknown") return "unknown";
  return types.length > 0 && types.every((type) => type === "PRIVATE");
}

const REQUIRED_MANAGED_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/** What a web ACL lacks of the protections the pack asks for. */
function missingProtections(acl: StackSubject): string[] | "unknown" {
  const rules = at(acl.props, "rules");
  if (isUnknown(rules)) return "unknown";
  const list = Array.isArray(rules) ? rules : [];
  const missing: string[] = [];
  const perIp = list.some((rule) => {
    const rate = at(rule, "statement", "rateBasedStatement");
    return rate !== undefined && at(rate, "aggregateKeyType") === "IP" && at(rule, "action", "block") !== undefined;
  });
  if (!perIp) missing.push("a rate-based rule that blocks per client IP");
  for (const group of REQUIRED_MANAGED_GROUPS) {
    const present = list.some(
      (rule) =>
        at(rule, "statement", "managedRuleGroupStatement", "vendorName") === "AWS" &&
        at(rule, "statement", "managedRuleGroupStatement", "name") === group &&
        at(rule, "overrideAction", "count") === undefined,
    );
    if (!present) missing.push(`AWS's ${group} (not overridden to count)`);
  }
  return missing;
}

// One storefront API key is shared by every customer, and usage plan throttles "are not hard limits"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html): only a per-IP
// rate-based rule keeps one caller from spending everyone's burst and quota.
const apigwStageWaf = definePolicy({
  name: "apigw-stage-waf",
  description:
    "Internet-facing REST API stages have a WAF web ACL with a per-IP rate-based rule and AWS's common and known-bad-inputs rule groups (`config/dev.json` turns this off with `requireWebAcl: false`).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.REST_STAGE, t.WEB_ACL, t.WEB_ACL_ASSOCIATION],
  config: {
    requireWebAcl: {
      type: "boolean",
      default: true,
      description: "Whether internet-facing stages must have a web ACL (false in dev, whose callers are its developers).",
    },
  },
  validateStack: (stack, report, config) => {
    if (config.requireWebAcl === false) return;
    const fix = "give the RestApi component a `firewall` (`orderflow:apiFirewall` in Pulumi.<env>.yaml), or associate an `aws.wafv2.WebAcl` with the stage";
    for (const stage of stack.ofType(t.REST_STAGE)) {
      const privateApi = isPrivate(stack, stage);
      if (privateApi === "unknown") {
        report.unknown(stage, "its API's `endpointConfiguration.types`");
        continue;
      }
      if (privateApi) continue;
      const acls = webAclsOf(stack, stage);
      if (acls.length === 0) {
        report.violation(stage, "it faces the internet with no WAF web ACL, so one caller can spend every client's burst and quota", fix);
        continue;
      }
      for (const acl of acls) {
        const missing = missingProtections(acl);
        if (missing === "unknown") report.unknown(acl, "`rules`");
        else if (missing.length > 0) report.violation(stage, `its web ACL ${acl.name} lacks ${missing.join(", ")}`, fix);
      }
    }
  },
});

/** TLS and the firewall of internet-facing APIs. */
export const apiProtectionPolicies: OrderflowPolicy[] = [apigwRestApiTls, apigwStageWaf];
