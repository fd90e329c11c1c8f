import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The guard on the main job's speed: the warm offline preview of dev, against the figure recorded on the same machine
// (a machine is its CPU model, its core count and its Node major line: another machine's figure says nothing here).
// It compares CPU seconds (the preview's process and the children it waits for: the policy pack, the type-check), not
// wall time: on a machine shared with other work, wall time moves with the load (measured here: 8.5 to 12.7 s in one
// series of warm runs under a load average of 7), CPU time much less, and a regression of the code shows in both.

/** Slower than the recorded figure by more than this share fails the bench. */
export const REGRESSION_TOLERANCE = 0.15;
export const RECORD_FILE = path.join(__dirname, "recorded-preview.json");

/** One recorded figure: the medians of a warm series, and when and with what it was taken. */
export interface RecordedPreview {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly recordedAt: string;
  readonly commit?: string;
}

export type GuardVerdict =
  | { readonly kind: "regressed"; readonly machine: string; readonly recorded: RecordedPreview; readonly ratio: number }
  | { readonly kind: "within"; readonly machine: string; readonly recorded: RecordedPreview; readonly ratio: number }
  | { readonly kind: "unrecorded"; readonly machine: string };

/** This machine, as the record file names it: `<CPU model> x<cores>, Node <major>`. */
export function machineKey(): string {
  const cpus = os.cpus();
  return `${(cpus[0]?.model ?? "unknown CPU").trim()} x${cpus.length}, Node ${process.versions.node.split(".")[0]}`;
}

/** Compares a warm median with the machine's recorded figure. */
export function judge(machine: string, measuredCpuMs: number, records: Readonly<Record<string, RecordedPreview>>): GuardVerdict {
  if (!Number.isFinite(measuredCpuMs) || measuredCpuMs <= 0) throw new Error(`The preview's CPU time must be a positive number of ms, got ${measuredCpuMs}`);
  const recorded = records[machine];
  if (!recorded) return { kind: "unrecorded", machine };
  const ratio = measuredCpuMs / recorded.cpuMs;
  return { kind: ratio > 1 + REGRESSION_TOLERANCE ? "regressed" : "within", machine, recorded, ratio };
}

export function readRecords(file = RECORD_FILE): Record<string, RecordedPreview> {
  if (!fs.existsSync(file)) return {};
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, RecordedPreview>;
  } catch (error) {
    throw new Error(`${path.relative(process.cwd(), file)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Records (or replaces) this machine's figure, keeping the other machines'. */
export function record(machine: string, figure: RecordedPreview, file = RECORD_FILE): void {
  const records = { ...readRecords(file), [machine]: figure };
  fs.writeFileSync(file, `${JSON.stringify(records, null, 2)}\n`);
}

/** The guard's line in the bench's report; a regression is impossible to miss. */
export function formatVerdict(verdict: GuardVerdict, measured: { cpuMs: number; wallMs: number }): string {
  const now = `${(measured.cpuMs / 1000).toFixed(2)} s CPU (${(measured.wallMs / 1000).toFixed(2)} s wall)`;
  switch (verdict.kind) {
    case "unrecorded":
      return `Guard: no figure recorded for "${verdict.machine}"; this run's ${now} is not compared. Record it with \`npm run bench -- preview --record\`.`;
    case "within":
      return `Guard: the warm preview took ${now}, ${pct(verdict.ratio)} of the ${(verdict.recorded.cpuMs / 1000).toFixed(2)} s CPU recorded on ${verdict.recorded.recordedAt} for this machine (limit ${pct(1 + REGRESSION_TOLERANCE)}): passes.`;
    case "regressed":
      return [
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        `!!! REGRESSION: the warm offline preview of dev took ${now}, ${pct(verdict.ratio)} of the`,
        `!!! ${(verdict.recorded.cpuMs / 1000).toFixed(2)} s CPU recorded on ${verdict.recorded.recordedAt} for "${verdict.machine}" (limit ${pct(1 + REGRESSION_TOLERANCE)}).`,
        "!!! Find what made it slower (the profile above), or, if the cost is wanted, record the new figure with",
        "!!! `npm run bench -- preview --record` and say why in the commit.",
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
      ].join("\n");
  }
}

const pct = (ratio: number) => `${(100 * ratio).toFixed(0)} %`;
