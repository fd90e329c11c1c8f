import type { RecordedResource } from "../engine/recording-monitor";
import type { AccessRecord } from "./access-record";
import { grantsByRole } from "./granted";
import { wildcardMatch } from "./verdict";

// What the local cloud never decides, so no scenario can show it used: the Lambda runtime's and the X-Ray daemon's
// segments (UDP to the local daemon), CloudWatch Logs (written as files), and ECR (no image is pulled).
const NOT_OBSERVED_LOCALLY: ReadonlySet<string> = new Set(["xray", "logs", "ecr"]);

/** One grant's actions that no scenario used. */
export interface UnusedByScenarios {
  readonly principal: string;
  readonly grant: string;
  readonly actions: readonly string[];
}

/**
 * Per role, the granted actions no recorded decision used: the dynamic half of the verdict, printed after a local run.
 * Actions of services the local cloud does not decide are left out (they are not unused, only unseen here); the
 * static verdict (`orderflow access`) judges them.
 */
export function unusedByScenarios(resources: readonly RecordedResource[], record: AccessRecord, nameOf: (roleArn: string) => string): UnusedByScenarios[] {
  const { grants } = grantsByRole(resources);
  const unused: UnusedByScenarios[] = [];
  for (const [roleArn, roleGrants] of grants) {
    const allowed = (record.principals.find((p) => p.principal === roleArn)?.decisions ?? []).filter((d) => d.allowed);
    for (const grant of roleGrants) {
      const actions = grant.statements.flatMap((s) =>
        s.actions.filter(
          (action) =>
            !NOT_OBSERVED_LOCALLY.has(action.split(":")[0]) &&
            !allowed.some((d) => wildcardMatch(action, d.action, true) && s.resources.some((r) => wildcardMatch(r, d.resource, false))),
        ),
      );
      if (actions.length > 0) unused.push({ principal: nameOf(roleArn), grant: grant.name, actions: [...new Set(actions)] });
    }
  }
  return unused.sort((a, b) => a.principal.localeCompare(b.principal) || a.grant.localeCompare(b.grant));
}

/** The lines `orderflow local --scenario` prints after writing the record: the grants no scenario used, per role. */
export function formatUnusedByScenarios(record: AccessRecord, unused: readonly UnusedByScenarios[], file: string): string[] {
  const decisions = record.principals.reduce((n, p) => n + p.decisions.reduce((m, d) => m + d.count, 0), 0);
  const denied = record.principals.reduce((n, p) => n + p.decisions.filter((d) => !d.allowed).reduce((m, d) => m + d.count, 0), 0);
  const lines = [`Access: ${decisions} decisions for ${record.principals.length} principals (${denied} denied), written to ${file}.`];
  if (unused.length === 0) return [...lines, "Every grant was used by a scenario."];
  lines.push(`Grants no scenario used (${[...NOT_OBSERVED_LOCALLY].join(", ")} are not decided locally; \`orderflow access --env ${record.env}\` judges every grant against the code):`);
  const width = Math.max(...unused.map((u) => u.principal.length));
  for (const u of unused) lines.push(`  ${u.principal.padEnd(width)}  ${u.grant}: ${u.actions.join(", ")}`);
  return lines;
}
