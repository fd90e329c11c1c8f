import type { ActivityRecord } from "./kernel/activity";
import { iconOf } from "./registry";

/** One activity record as a line: time, service, resource, what happened. */
export function activityLine(r: ActivityRecord): string {
  const time = new Date(r.time).toISOString().slice(11, 23);
  return `${time} ${iconOf(r.service)} ${r.name}: ${r.error ? "✗ " : ""}${r.detail}${r.durationMs !== undefined && r.kind === "invoke" ? ` (${r.durationMs} ms)` : ""}`;
}
