import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { uniquePermissions } from "../../iam/unique-permissions";

/**
 * EventBridge's actions: PutEvents on the bus of each entry (`default` when it names none); other operations on the
 * bus they name.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html
 */
export function eventsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "buses">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const { partition, region, account } = graph.cloud;
  const busArn = (ref: unknown) => {
    const text = typeof ref === "string" && ref.length > 0 ? ref : "default";
    return text.startsWith("arn:") ? text : (graph.buses.find((b) => b.name === text)?.arn ?? `arn:${partition}:events:${region}:${account}:event-bus/${text}`);
  };
  const input = operation.input;
  if (operation.operation === "PutEvents") {
    const entries = (input.Entries as { EventBusName?: unknown }[] | undefined) ?? [];
    return uniquePermissions(entries.map((e) => ({ action: "events:PutEvents", resource: busArn(e.EventBusName) })));
  }
  return [{ action: `events:${operation.operation}`, resource: busArn(input.EventBusName ?? input.Name) }];
}
