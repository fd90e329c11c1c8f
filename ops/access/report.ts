import type { EnvironmentVerdict } from "./analyze";

/** The number of problems in a verdict: every finding of every principal, and each role the analysis cannot see into. */
export function problemCount(verdict: EnvironmentVerdict): number {
  return verdict.blind.length + verdict.principals.reduce((n, p) => n + p.findings.length, 0);
}

/**
 * The verdict as text: one row per principal (actions granted, statically reachable, used by the scenarios), then each
 * problem with the grant call to change, then one closing line. `verbose` lists each principal's actions.
 */
export function formatVerdict(verdict: EnvironmentVerdict, options: { verbose?: boolean; recordedFrom?: string } = {}): string[] {
  const lines: string[] = [];
  lines.push(
    verdict.recorded
      ? `Access of ${verdict.env}: what each role is granted, what its code and AWS's services can ask for, and what the scenarios used (${options.recordedFrom ?? "recorded run"}).`
      : `Access of ${verdict.env}: what each role is granted and what its code and AWS's services can ask for (no local run recorded: \`orderflow local --env ${verdict.env} --scenario all\` adds what the scenarios used).`,
  );
  const rows = verdict.principals.map((p) => [p.name, String(p.granted.length), String(p.reachable.length), p.used ? String(p.used.length) : "-", p.findings.length === 0 ? "ok" : `${p.findings.length} problem${p.findings.length === 1 ? "" : "s"}`]);
  const header = ["principal", "granted", "reachable", "used", "verdict"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const row = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")}`.trimEnd();
  lines.push("", row(header), ...rows.map(row));
  if (options.verbose) {
    for (const p of verdict.principals) {
      lines.push("", `${p.name} (${p.roleArn})`, `  granted:   ${p.granted.join(", ") || "-"}`, `  reachable: ${p.reachable.join(", ") || "-"}`);
      if (p.used) lines.push(`  used:      ${p.used.join(", ") || "-"}`);
    }
  }
  const problems = [...verdict.blind, ...verdict.principals.flatMap((p) => p.findings.map((f) => f.message))];
  if (problems.length > 0) lines.push("", "Problems:", ...problems.map((m) => `  - ${m}`));
  lines.push(
    "",
    problems.length === 0
      ? `Least privilege holds on ${verdict.env}: every granted action of ${verdict.principals.length} roles is reachable${verdict.recorded ? " or used" : ""}, and every reachable action is granted.`
      : `Least privilege does not hold on ${verdict.env}: ${problems.length} problem${problems.length === 1 ? "" : "s"}.`,
  );
  return lines;
}
