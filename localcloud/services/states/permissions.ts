import type { EndpointOperation } from "../../endpoint/operation";
import type { RequiredPermission } from "../../iam/service-iam";

/** Step Functions' actions: the operation on the state machine or execution the request names; ListStateMachines on `*`. */
export function statesPermissions(operation: EndpointOperation): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  if (operation.operation === "ListStateMachines") return [{ action: "states:ListStateMachines", resource: "*" }];
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const resource = str(operation.input.stateMachineArn) ?? str(operation.input.executionArn);
  return resource ? [{ action: `states:${operation.operation}`, resource }] : undefined;
}
