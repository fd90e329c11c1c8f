import type { ActivityRecord } from "../../kernel/activity";
import { parseTraceHeader } from "../../services/xray/trace-header";

/**
 * The records that say why something did not happen: a call IAM denied (naming the action and the grant that would
 * allow it), a function that failed or did not load, a message or event given up on (moved to a dead-letter queue,
 * sent to an on-failure destination, or lost), a pipe that stopped, a message SES or SMS refused, a saga execution
 * that failed, an ECS task that could not start. Retries and the batches returned to a queue are left out: they are
 * the consequences of these.
 */
const REASONS: Readonly<Record<string, ReadonlySet<string>>> = {
  iam: new Set(["access-denied"]),
  lambda: new Set(["invoke", "init-error", "async-failed", "destination-failed"]),
  sqs: new Set(["dead-letter"]),
  events: new Set(["dead-letter", "lost"]),
  sns: new Set(["dead-letter", "lost"]),
  pipes: new Set(["dead-letter", "lost", "stopped"]),
  ses: new Set(["refused"]),
  sms: new Set(["refused"]),
  apigateway: new Set(["error", "malformed"]),
  ecs: new Set(["task-failed-to-start", "service-throttled"]),
  states: new Set(["failed"]),
};

/** At most this many lines under a failed step; the rest are counted. */
const MAX_LINES = 8;

/** Whether a record says why something failed. */
export function isFailureReason(record: ActivityRecord): boolean {
  // An injected fault is a reason too: what failed because of it should not read as a bug.
  return record.error === true && (record.kind === "fault" || (REASONS[record.service]?.has(record.kind) ?? false));
}

/**
 * The errors the cloud recorded from `since` on, as lines to print under a failed step: those tied to the scenario
 * (a trace of one of its orders, or an order id in the record) first; when none is, every error recorded meanwhile,
 * said to be so (scenarios run side by side). Repeats of a line are counted, not repeated.
 */
export function stepErrors(records: readonly ActivityRecord[], since: number, related: { readonly orderIds: readonly string[]; readonly traceRoots: ReadonlySet<string> }): string[] {
  const reasons = records.filter((r) => r.time >= since && isFailureReason(r));
  if (reasons.length === 0) return [];
  const ours = reasons.filter((r) => related.orderIds.some((id) => r.detail.includes(id)) || (r.traceId !== undefined && related.traceRoots.has(rootOf(r.traceId))));
  const shown = ours.length > 0 ? ours : reasons;
  const lines = countRepeats(shown.map((r) => `${r.service} ${r.name}: ${r.detail}`));
  const more = lines.length > MAX_LINES ? [`... and ${lines.length - MAX_LINES} more (logs/activity.log has them all)`] : [];
  const note = ours.length === 0 && related.orderIds.length > 0 ? ["(recorded while the step ran; none names this scenario's orders)"] : [];
  return [...note, ...lines.slice(0, MAX_LINES), ...more];
}

function countRepeats(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line));
}

/** The trace id of an X-Ray header (`Root=1-...;Parent=...`), or the value itself when it is a bare trace id. */
function rootOf(header: string): string {
  return parseTraceHeader(header)?.root ?? header;
}
