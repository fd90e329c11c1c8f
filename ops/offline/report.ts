import type { StaleExemption } from "../../policies/lib/stale-exemptions";
import type { PolicyResult } from "../policy/results";
import { formatStaleExemptions } from "../policy/stale-exemptions";
import type { TypeCheckResult } from "./typecheck";
import { renderDiff } from "./diff";
import { changeSummary, displayType, renderPlanTable } from "./plan";
import type { StackPolicyReport } from "./policy-report";
import { printable, propertyLines } from "./property-values";
import type { SynthesizedStack } from "./synthesize";

/** The pack as the CLI names it in `Policies:`: `<name>@v<version> (local: <path>)`. */
export interface PackIdentity {
  readonly name: string;
  readonly version: string;
  /** Its directory, as given on the command line (relative to the project). */
  readonly path: string;
}

/** One stack's preview: what was synthesized and what the pack found. */
export interface StackPreview {
  readonly stack: SynthesizedStack;
  readonly policy: StackPolicyReport;
}

export interface ReportOptions {
  /** Print each resource's inputs, as `pulumi preview --diff`, instead of the plan table. */
  readonly diff: boolean;
  /** Leave out the `Outputs:` section, as `--suppress-outputs`. */
  readonly suppressOutputs: boolean;
  /** List every check deferred at preview, not only their count. */
  readonly verbose: boolean;
}

/**
 * One stack's part of the output, in the order the CLI prints a preview (pkg/backend/display/progress.go: the
 * resource rows, then `Policies:`, `Diagnostics:`, `Outputs:` and the `Resources:` summary), under the header the
 * CLI prints first (`Previewing update (<stack>)`, pkg/backend/apply.go ActionLabel).
 */
export async function renderStackPreview(preview: StackPreview, pack: PackIdentity, options: ReportOptions): Promise<string> {
  const { stack, policy } = preview;
  // A first preview's view: the resources as registered, computed values unknown.
  const resources = stack.preview.resources;
  const out = [`Previewing update (${stack.stack})`, ""];
  out.push(options.diff ? await renderDiff(resources) : renderPlanTable(resources), "");
  out.push(...renderPolicies(policy, pack, options), "");
  if (stack.warnings.length > 0) {
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    out.push("Diagnostics:", `  pulumi:pulumi:Stack (${root?.name ?? stack.stack}):`, ...stack.warnings.map((w) => `    warning: ${w}`), "");
  }
  if (!options.suppressOutputs) {
    const outputs = (await printable(resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs ?? {})) as Record<string, unknown>;
    if (Object.keys(outputs).length > 0) out.push("Outputs:", ...propertyLines(outputs, 1), "");
  }
  out.push("Resources:", ...renderChangeSummary(changeSummary(resources)), "");
  return out.join("\n");
}

/** `+ N to create` lines, as the CLI's summary prints them (pkg/backend/display/diff.go, renderSummaryEvent). */
export function renderChangeSummary(summary: Partial<Record<"create" | "read", number>>): string[] {
  return summary.create ? [`    + ${summary.create} to create`] : ["    no changes"];
}

// pkg/backend/display/progress.go, printPolicies: per pack a ✅/⚠️/❌ line, then its violations sorted by enforcement
// level (mandatory first), policy name and resource, each as `- [level]  policy  (type: name)` and its message.
function renderPolicies(policy: StackPolicyReport, pack: PackIdentity, options: ReportOptions): string[] {
  const findings = [...policy.mandatory, ...policy.advisory, ...policy.exempted].sort(
    (a, b) => rank(a) - rank(b) || a.policyName.localeCompare(b.policyName) || (a.urn ?? "").localeCompare(b.urn ?? ""),
  );
  const mark = policy.mandatory.length > 0 ? "❌" : findings.length > 0 ? "⚠️" : "✅";
  const out = ["Policies:", `    ${mark} ${pack.name}@v${pack.version} (local: ${pack.path})`];
  for (const r of findings) out.push(`        - [${r.enforcementLevel}]  ${r.policyName}${resourceClause(r.urn)}`, `          ${findingOf(r)}`);
  if (policy.deferred.length > 0) {
    const failing = policy.deferred.filter((d) => d.resolved.length > 0).length;
    const outcome =
      failing === 0
        ? policy.deferred.length === 1
          ? "it passes with resolved values"
          : `all ${policy.deferred.length} pass with resolved values`
        : `${failing} ${failing === 1 ? "fails" : "fail"} with resolved values (listed above), the rest pass`;
    out.push(
      `        ${policy.deferred.length} ${plural(policy.deferred.length, "check")} deferred at preview (a value ${policy.deferred.length === 1 ? "it reads" : "they read"} is unknown until the resources exist): ${outcome}${options.verbose ? ":" : "; --verbose lists them"}`,
    );
    if (options.verbose) {
      for (const d of [...policy.deferred].sort((a, b) => a.policyName.localeCompare(b.policyName) || (a.urn ?? "").localeCompare(b.urn ?? ""))) {
        const resolved = d.resolved.length === 0 ? "passes with resolved values" : d.resolved.map((r) => `${r.enforcementLevel} with resolved values: ${findingOf(r)}`).join("; ");
        out.push(`        - [deferred]  ${d.policyName}${resourceClause(d.urn)}`, `          ${resolved}`);
      }
    }
  }
  return out;
}

/** The end of the run: totals over every stack, stale exemptions, the type-check, the files written, the verdict. */
export function renderSummary(summary: {
  readonly env: string;
  readonly previews: readonly StackPreview[];
  readonly pack: PackIdentity;
  /** Undefined when the run did not cover every stack of the environment (`--stack`): then none can be called stale. */
  readonly stale?: readonly StaleExemption[];
  readonly policyConfig?: string;
  readonly typeCheck?: TypeCheckResult;
  readonly files: readonly string[];
}): string {
  const { env, previews, pack } = summary;
  const total = (pick: (p: StackPolicyReport) => readonly unknown[]) => previews.reduce((n, p) => n + pick(p.policy).length, 0);
  const creates = previews.reduce((n, p) => n + (changeSummary(p.stack.preview.resources).create ?? 0), 0);
  const deferred = previews.flatMap((p) => p.policy.deferred);
  const deferredFailing = deferred.filter((d) => d.resolved.length > 0).length;
  const out = [
    `Summary of the preview of ${env} (${previews.length} ${plural(previews.length, "stack")}: ${previews.map((p) => p.stack.stack).join(", ")}):`,
    `    + ${creates} to create`,
    `    Policies (${pack.name}@v${pack.version}): ${total((p) => p.mandatory)} mandatory, ${total((p) => p.advisory)} advisory, ${total((p) => p.exempted)} exempted; ` +
      `${deferred.length} ${plural(deferred.length, "check")} deferred at preview, ${deferredFailing === 0 ? "all passing" : `${deferredFailing} failing`} with resolved values`,
  ];
  if (summary.stale === undefined) {
    out.push("    Stale exemptions: not checked (a --stack run does not see every stack of the environment)");
  } else if (summary.stale.length > 0) {
    out.push(...formatStaleExemptions(summary.stale, summary.policyConfig ?? "the policy config", env).split("\n").map((l) => `    ${l}`));
  }
  if (summary.typeCheck) {
    out.push(`    Type-check: passed${summary.typeCheck.cached ? " (no file of the program changed since the last check)" : ""}`);
  }
  out.push(`    Wrote: ${summary.files.join(", ")}`, "");

  const failing = previews.filter((p) => p.policy.mandatory.length > 0);
  if (failing.length === 0) {
    out.push(`✔ The preview of ${env} passes: no mandatory policy is violated.`);
  } else {
    const count = total((p) => p.mandatory);
    out.push(
      `✖ The preview of ${env} fails: ${count} mandatory policy ${plural(count, "violation")} (${failing.map((p) => `${p.stack.stack}: ${p.policy.mandatory.length}`).join(", ")}).`,
    );
  }
  return `${out.join("\n")}\n`;
}

/** The last line of a run that stopped on an error (exit 2): what failed, after the errors themselves. */
export function failedVerdict(env: string, reason: string): string {
  return `✖ The preview of ${env} fails: ${reason}.`;
}

/** The one-line verdict of a stack, for the progress display. */
export function stackVerdict(preview: StackPreview): string {
  const { policy } = preview;
  const creates = changeSummary(preview.stack.preview.resources).create ?? 0;
  const parts = [
    ...(policy.mandatory.length > 0 ? [`${policy.mandatory.length} mandatory`] : []),
    ...(policy.advisory.length > 0 ? [`${policy.advisory.length} advisory`] : []),
    ...(policy.exempted.length > 0 ? [`${policy.exempted.length} exempted`] : []),
    ...(policy.deferred.length > 0 ? [`${policy.deferred.length} deferred`] : []),
  ];
  return `+ ${creates} to create; policies: ${parts.length > 0 ? parts.join(", ") : "none reported"}`;
}

// Mandatory first, as the CLI sorts them.
function rank(r: PolicyResult): number {
  return r.enforcementLevel === "mandatory" ? 0 : r.enforcementLevel === "advisory" ? 1 : 2;
}

// pkg/backend/display/diff.go, policyResourceClause: `  (<display type>: <name>)` for a violation on a resource.
function resourceClause(urn: string | undefined): string {
  if (!urn) return "";
  const [, , type = "", name = ""] = urn.split("::");
  return `  (${displayType(type.split("$").pop() ?? type)}: ${name})`;
}

/** The runtime prefixes a violation's message with the policy's description; the finding is the rest. */
export function findingOf(r: PolicyResult): string {
  return r.description && r.message.startsWith(r.description) ? r.message.slice(r.description.length).trim() : r.message;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
