import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * CloudWatch Logs' actions: DescribeLogGroups names no resource (`*`); the group's operations are authorized on
 * `log-group:<name>:*`, GetLogEvents on its stream (`log-group:<name>:log-stream:<stream>`).
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
 */
export function logsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const name = operation.operation;
  if (name === "DescribeLogGroups") return [{ action: "logs:DescribeLogGroups", resource: "*" }];
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const group = str(operation.input.logGroupName) ?? str(operation.input.logGroupIdentifier)?.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "");
  if (!group) return undefined;
  const { partition, region, account } = graph.cloud;
  const groupArn = `arn:${partition}:logs:${region}:${account}:log-group:${group}`;
  if (name === "GetLogEvents") return [{ action: "logs:GetLogEvents", resource: `${groupArn}:log-stream:${str(operation.input.logStreamName) ?? "*"}` }];
  return [{ action: `logs:${name}`, resource: `${groupArn}:*` }];
}
