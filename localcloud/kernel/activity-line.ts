import type { ActivityRecord } from "./activity";

const ICONS: Record<ActivityRecord["service"], string> = { lambda: "λ", sqs: "☰", events: "⇢", sns: "✉", pipes: "⇉", states: "◇", apigateway: "⇄", ecs: "▣", dynamodb: "▤", ses: "@", sms: "☏", iam: "⊘", local: "·" };

/** One activity record as a line: time, service, resource, what happened. */
export function activityLine(r: ActivityRecord): string {
  const time = new Date(r.time).toISOString().slice(11, 23);
  return `${time} ${ICONS[r.service]} ${r.name}: ${r.error ? "✗ " : ""}${r.detail}${r.durationMs !== undefined && r.kind === "invoke" ? ` (${r.durationMs} ms)` : ""}`;
}

