import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";

// The firewall in front of a RestApi's stage: an AWS WAF web ACL. Usage plans meter API keys, but one storefront key is
// shared by every customer, and AWS says usage plan throttles "are not hard limits"
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html): one caller could
// spend everyone's burst and quota. A rate-based rule counts each client IP on its own and blocks the ones over the
// limit; AWS's managed rule groups block the common exploits and known bad inputs before they cost an invocation.

/** The web ACL of a stage. */
export interface ApiFirewallArgs {
  /**
   * Requests one client IP may make in any 5 minutes before WAF blocks it until its rate falls under the limit again:
   * 10 to 2,000,000,000 (WAF's range for a rate-based rule:
   * https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html).
   */
  ipRequestsPer5Minutes: number;
}

/** The AWS managed rule groups every web ACL of this component runs, in this order, after the per-IP rate limit. */
export const MANAGED_RULE_GROUPS = [
  // OWASP-style protections: bad bots' user agents, oversized bodies, cross-site scripting, local file inclusion, ...
  "AWSManagedRulesCommonRuleSet",
  // Request patterns known to exploit vulnerabilities (Log4j's JNDI lookups among them).
  "AWSManagedRulesKnownBadInputsRuleSet",
] as const;

/**
 * A regional web ACL with the per-IP rate-based rule and the managed rule groups, associated with the stage. Requests
 * no rule blocks are allowed. Each rule has its CloudWatch metrics and sampled requests.
 */
export function createFirewall(
  name: string,
  stage: aws.apigateway.Stage,
  args: ApiFirewallArgs,
  parent: pulumi.Resource,
): { webAcl: aws.wafv2.WebAcl; association: aws.wafv2.WebAclAssociation } {
  const label = `RestApi "${name}"`;
  if (typeof args.ipRequestsPer5Minutes !== "number") {
    throw new ComponentArgumentError(label, "`firewall.ipRequestsPer5Minutes` is required: the requests one client IP may make in 5 minutes.");
  }
  requireIntegerInRange(label, "firewall.ipRequestsPer5Minutes", args.ipRequestsPer5Minutes, 10, 2_000_000_000, "requests");
  const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  const webAcl = new aws.wafv2.WebAcl(
    `${name}WebAcl`,
    {
      description: `Per-IP rate limit and AWS managed rules for the ${name} API.`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rules: [
        {
          name: "per-ip-rate-limit",
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: "IP", limit: args.ipRequestsPer5Minutes, evaluationWindowSec: 300 } },
          visibilityConfig: visibility(`${name}-per-ip-rate-limit`),
        },
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          name: group,
          priority: i + 1,
          // `none` keeps the group's own actions (block); `count` would only count.
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
          visibilityConfig: visibility(`${name}-${group}`),
        })),
      ],
      visibilityConfig: visibility(`${name}-web-acl`),
    },
    { parent },
  );
  const association = new aws.wafv2.WebAclAssociation(`${name}WebAclAssociation`, { resourceArn: stage.arn, webAclArn: webAcl.arn }, { parent });
  return { webAcl, association };
}
