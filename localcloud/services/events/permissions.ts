import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { uniquePermissions } from "../../iam/unique-permissions";

/**
 * EventBridge's actions: PutEvents on the bus of each entry (`default` when it names none); DescribeRule and
 * ListTargetsByRule on the rule (`rule/<name>` on the default bus, `rule/<bus>/<name>` on another); listing buses and
 * rules and testing a pattern on `*` (they name no resource); other operations on the bus they name.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html
 */
export function eventsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "buses" | "rules">): RequiredPermission[] | undefined {
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
  const name = operation.operation;
  if (name === "ListEventBuses" || name === "ListRules" || name === "TestEventPattern") return [{ action: `events:${name}`, resource: "*" }];
  if (name === "DescribeRule" || name === "ListTargetsByRule") {
    const ruleName = typeof (input.Name ?? input.Rule) === "string" ? String(input.Name ?? input.Rule) : undefined;
    if (!ruleName) return undefined;
    const bus = busArn(input.EventBusName);
    const busName = bus.split("/").pop();
    const rule = graph.rules.find((r) => (r.name === ruleName || r.arn === ruleName) && (r.busName === bus || r.busName === busName));
    const fallback = ruleName.startsWith("arn:") ? ruleName : `arn:${partition}:events:${region}:${account}:rule/${busName === "default" ? "" : `${busName}/`}${ruleName}`;
    return [{ action: `events:${name}`, resource: rule?.arn ?? fallback }];
  }
  return [{ action: `events:${name}`, resource: busArn(input.EventBusName ?? input.Name) }];
}
