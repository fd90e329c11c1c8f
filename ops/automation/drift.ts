import type { EngineEvent, OpMap, OpType } from "@pulumi/pulumi/automation";
import { summarizeError } from "./errors";

/** A stack's drift: in sync with its program, drifted, or not checked because the preview failed. */
export type DriftStatus = "in-sync" | "drifted" | "error";

/** A resource whose refreshed state differs from what the program declares. */
export interface DriftedResource {
  readonly urn: string;
  readonly type: string;
  /** The logical name, the URN's last segment. */
  readonly name: string;
  /** The step the preview would take to bring it back: update, replace, create (deleted out of band), delete... */
  readonly op: OpType;
  /** The properties that differ, as the engine names them; empty when it did not say. */
  readonly properties: readonly string[];
}

export interface DriftReport {
  readonly status: DriftStatus;
  readonly resources: readonly DriftedResource[];
  /** Why the check failed, when status is "error" (or when drift was found but the preview also failed otherwise). */
  readonly error?: string;
}

/** Steps that change the cloud; `same`, `read` and `refresh` steps only look. */
const CHANGE_OPS: ReadonlySet<OpType> = new Set<OpType>([
  "create",
  "update",
  "delete",
  "replace",
  "create-replacement",
  "delete-replaced",
  "read-replacement",
  "import",
  "import-replacement",
]);

/** When one resource gets several steps (a replacement), the one to report, most telling first. */
const OP_RANK: readonly OpType[] = ["replace", "delete", "create", "update", "create-replacement", "delete-replaced"];

/** How `--expect-no-changes` fails when it finds changes: the drift itself, not a failure of the check. */
const EXPECTED_NO_CHANGES = /no changes were expected(?: for \S+)? but changes (?:were proposed|occurred)/i;

/** The resources with change steps in a preview's events, one entry per URN. */
export function changedResources(events: readonly EngineEvent[]): DriftedResource[] {
  const byUrn = new Map<string, DriftedResource>();
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
    if (!metadata || !CHANGE_OPS.has(metadata.op)) continue;
    const properties = metadata.diffs ?? Object.keys(metadata.detailedDiff ?? {});
    const previous = byUrn.get(metadata.urn);
    const rank = (op: OpType) => (OP_RANK.includes(op) ? OP_RANK.indexOf(op) : OP_RANK.length);
    if (previous && rank(previous.op) <= rank(metadata.op)) {
      byUrn.set(metadata.urn, { ...previous, properties: [...new Set([...previous.properties, ...properties])] });
      continue;
    }
    byUrn.set(metadata.urn, {
      urn: metadata.urn,
      type: metadata.type,
      name: metadata.urn.split("::").at(-1) ?? metadata.urn,
      op: metadata.op,
      properties: [...new Set([...(previous?.properties ?? []), ...properties])],
    });
  }
  return [...byUrn.values()];
}

/**
 * Classifies a `preview({refresh: true, expectNoChanges: true})`: its events name the resources that would change
 * after the refresh, and with expectNoChanges the preview itself fails when there are any. So a failure that is only
 * "changes were proposed" is drift, any other failure is an error, and a clean preview with no change steps is in sync.
 */
export function classifyDrift(outcome: { events: readonly EngineEvent[]; changeSummary?: OpMap; error?: unknown }): DriftReport {
  const resources = changedResources(outcome.events);
  if (outcome.error !== undefined) {
    const message = summarizeError(outcome.error);
    const onlyDrift = EXPECTED_NO_CHANGES.test(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
    if (onlyDrift) return { status: "drifted", resources };
    return { status: "error", resources, error: message };
  }
  const summaryChanges = Object.entries(outcome.changeSummary ?? {}).some(
    ([op, count]) => CHANGE_OPS.has(op as OpType) && (count ?? 0) > 0,
  );
  if (resources.length > 0 || summaryChanges) return { status: "drifted", resources };
  return { status: "in-sync", resources: [] };
}
