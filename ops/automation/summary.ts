import type { RunPlan } from "./plan";
import { verdict } from "./progress";
import type { StackResult } from "./stack-result";

/** Left-aligned columns; the rows are short and go to terminals, CI logs and PR comments alike. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The end-of-run summary: one row per stack, then the failures, skips and policy findings spelled out. */
export function formatSummary(plan: RunPlan, results: readonly StackResult[]): string {
  const sections = [
    `Summary of orderflow ${plan.operation} --env ${plan.env}:`,
    table(
      ["stack", "status", "result"],
      results.map((r) => [r.stack, r.drift && r.status === "succeeded" ? r.drift.status : r.status, r.status === "failed" ? "see below" : verdict(r)]),
    ),
  ];
  const failed = results.filter((r) => r.status === "failed");
  // Each failure once, in full: the Pulumi CLI's own stderr when the CLI failed (see failureReport).
  if (failed.length > 0) {
    sections.push(["Failed:", ...failed.flatMap((r) => [`  ${r.stack}:`, ...(r.error ?? "unknown error").split("\n").map((l) => `    ${l}`)])].join("\n"));
  }
  const skipped = results.filter((r) => r.status === "skipped");
  if (skipped.length > 0) {
    sections.push(["Skipped (not run because a stack they need failed):", ...skipped.map((r) => `  ${r.stack}: ${r.skippedBecause} failed`)].join("\n"));
  }
  const violations = results.flatMap((r) => r.policyViolations.map((v) => ({ stack: r.stack, ...v })));
  if (violations.length > 0) {
    sections.push(
      [
        "Policy findings:",
        ...violations.map((v) => `  [${v.level === "mandatory" ? "mandatory" : "advisory"}] ${v.stack} ${v.policy}${v.resource ? ` (${v.resource})` : ""}: ${v.message}`),
      ].join("\n"),
    );
  }
  return sections.join("\n\n");
}

/** The drift table: every drifted resource with its stack, the step that would repair it and the differing properties. */
export function formatDrift(results: readonly StackResult[]): string {
  const drifted = results.filter((r) => r.drift?.status === "drifted");
  if (drifted.length === 0) return "No drift: every checked stack matches its program.";
  const rows = drifted.flatMap((r) =>
    r.drift!.resources.length > 0
      ? r.drift!.resources.map((res) => [r.stack, res.type, res.name, res.op, res.properties.join(", ")])
      : [[r.stack, "?", "?", "?", "the preview reported changes without naming resources"]],
  );
  return [`Drift in ${drifted.length} stack(s):`, table(["stack", "type", "resource", "step", "properties"], rows)].join("\n");
}
