import type { EndpointOperation } from "../../endpoint/operation";
import type { RequiredPermission } from "../../iam/service-iam";

/** Step Functions' actions: the operation on the state machine or execution the request names. */
export function statesPermissions(operation: EndpointOperation): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const resource = str(operation.input.stateMachineArn) ?? str(operation.input.executionArn);
  return resource ? [{ action: `states:${operation.operation}`, resource }] : undefined;
}
