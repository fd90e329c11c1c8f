import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * CloudWatch's DescribeAlarms, authorized on the account's alarms (`alarm:*`, the resource the Service Authorization
 * Reference requires for it).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
export function cloudwatchPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json" || operation.operation !== "DescribeAlarms") return undefined;
  const { partition, region, account } = graph.cloud;
  return [{ action: "cloudwatch:DescribeAlarms", resource: `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` }];
}
