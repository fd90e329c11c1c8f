import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { lambdaRoute } from "./api";

/**
 * Lambda's actions, by the operation the request's path names: GetFunction, GetFunctionConfiguration and Invoke
 * (lambda:InvokeFunction) on the function's ARN (its qualifier dropped); ListFunctions and ListEventSourceMappings on
 * `*` (they name no resource).
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
 */
export function lambdaPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "functions">): RequiredPermission[] | undefined {
  if (operation.protocol !== "rest") return undefined;
  const route = lambdaRoute(operation.method, operation.path);
  if (!route) return undefined;
  if (route.operation === "ListFunctions" || route.operation === "ListEventSourceMappings") return [{ action: `lambda:${route.operation}`, resource: "*" }];
  const name = route.functionName!.replace(/:(\$LATEST|\d+)$/, "");
  const { partition, region, account } = graph.cloud;
  const arn = graph.functions.find((f) => f.name === name || f.arn === name)?.arn ?? (name.startsWith("arn:") ? name : `arn:${partition}:lambda:${region}:${account}:function:${name}`);
  return [{ action: route.operation === "Invoke" ? "lambda:InvokeFunction" : `lambda:${route.operation}`, resource: arn }];
}
