import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * SES v2 SendEmail: ses:SendEmail on the sending identity and on the configuration set it names; other requests are
 * not mapped.
 * https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
 */
export function sesPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud">): RequiredPermission[] | undefined {
  if (operation.protocol !== "rest" || operation.method !== "POST" || operation.path !== "/v2/email/outbound-emails") return undefined;
  const { partition, region, account } = graph.cloud;
  const arn = (resource: string) => `arn:${partition}:ses:${region}:${account}:${resource}`;
  const body = (operation.body ?? {}) as { FromEmailAddress?: string; FromEmailAddressIdentityArn?: string; ConfigurationSetName?: string };
  const from = body.FromEmailAddress?.replace(/^.*<([^>]+)>.*$/, "$1");
  const identity = body.FromEmailAddressIdentityArn ?? (from ? arn(`identity/${from.split("@").pop()}`) : undefined);
  if (!identity) return undefined;
  return [
    { action: "ses:SendEmail", resource: identity },
    ...(body.ConfigurationSetName ? [{ action: "ses:SendEmail", resource: arn(`configuration-set/${body.ConfigurationSetName}`) }] : []),
  ];
}
