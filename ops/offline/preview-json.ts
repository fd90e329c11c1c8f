import { isUnknown } from "@pulumi/pulumi/output";
import { specialArchiveSig, specialAssetSig, specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { StaleExemption } from "../../policies/lib/stale-exemptions";
import { changeSummary, plannedSteps, type StepOp } from "./plan";
import { findingOf, type StackPreview } from "./report";

/**
 * `orderflow preview --offline --json` on stdout: one document in the shape of `pulumi preview --json` (pulumi/pulumi,
 * pkg/display/json.go, PreviewDigest; built by pkg/backend/display/json.go, ShowPreviewDigest) for every stack of the
 * run: `steps` (each resource's step with its new state; the URN names the stack), `diagnostics` and `changeSummary`.
 * The CLI leaves policy events out of its digest; here each violation is a diagnostic (mandatory as `error`, the rest
 * as `warning`) carrying its policy, so a pipeline can act on them without parsing the text. `stacks` adds each stack's
 * own change summary.
 */
export interface PreviewDigest {
  readonly steps: readonly PreviewStep[];
  readonly diagnostics: readonly PreviewDiagnostic[];
  /** Nanoseconds, as Go's time.Duration marshals. */
  readonly duration: number;
  readonly changeSummary: Partial<Record<StepOp, number>>;
  readonly stacks: readonly { readonly stack: string; readonly changeSummary: Partial<Record<StepOp, number>> }[];
}

export interface PreviewStep {
  readonly op: StepOp;
  readonly urn: string;
  readonly provider?: string;
  /** apitype.ResourceV3, as a first preview knows the resource: its inputs, and outputs not yet known. */
  readonly newState: {
    readonly urn: string;
    readonly custom: boolean;
    readonly type: string;
    readonly inputs: Record<string, unknown>;
    readonly outputs: Record<string, unknown>;
    readonly parent?: string;
    readonly dependencies?: readonly string[];
    readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  };
  readonly detailedDiff: null;
}

export interface PreviewDiagnostic {
  readonly urn?: string;
  readonly prefix?: string;
  readonly message: string;
  readonly severity: "error" | "warning" | "info";
  readonly policyName?: string;
  readonly policyPackName?: string;
  readonly enforcementLevel?: string;
  /** True for a check the preview had to defer (a value it reads is unknown), with its outcome on resolved values. */
  readonly deferred?: boolean;
}

export async function previewDigest(previews: readonly StackPreview[], stale: readonly StaleExemption[], durationMs: number): Promise<PreviewDigest> {
  const steps: PreviewStep[] = [];
  const diagnostics: PreviewDiagnostic[] = [];
  const total: Partial<Record<StepOp, number>> = {};
  for (const { stack, policy } of previews) {
    for (const { op, resource: r } of plannedSteps(stack.preview.resources)) {
      steps.push({
        op,
        urn: r.urn,
        ...(r.provider ? { provider: r.provider } : {}),
        newState: {
          urn: r.urn,
          custom: r.custom,
          type: r.type,
          inputs: (await wire(r.inputs)) as Record<string, unknown>,
          outputs: r.type === "pulumi:pulumi:Stack" ? ((await wire(r.outputs)) as Record<string, unknown>) : {},
          ...(r.parent ? { parent: r.parent } : {}),
          ...(r.dependencies.length > 0 ? { dependencies: r.dependencies } : {}),
          ...(Object.keys(r.propertyDependencies).length > 0 ? { propertyDependencies: r.propertyDependencies } : {}),
        },
        detailedDiff: null,
      });
    }
    for (const warning of stack.warnings) diagnostics.push({ urn: stack.preview.resources[0]?.urn, message: warning, severity: "warning" });
    for (const r of [...policy.mandatory, ...policy.advisory, ...policy.exempted]) {
      diagnostics.push({
        ...(r.urn ? { urn: r.urn } : {}),
        prefix: `${r.enforcementLevel === "mandatory" ? "error" : "warning"}: `,
        message: `[${r.enforcementLevel}]  ${r.policyName}: ${findingOf(r)}`,
        severity: r.enforcementLevel === "mandatory" ? "error" : "warning",
        policyName: r.policyName,
        policyPackName: r.policyPackName,
        enforcementLevel: r.enforcementLevel,
      });
    }
    for (const d of policy.deferred) {
      diagnostics.push({
        ...(d.urn ? { urn: d.urn } : {}),
        message: `[deferred]  ${d.policyName}: ${d.previewMessage.split("\n").at(-1)} With resolved values: ${d.resolved.length === 0 ? "passes" : d.resolved.map(findingOf).join(" ")}`,
        severity: "info",
        policyName: d.policyName,
        deferred: true,
      });
    }
    for (const [op, n] of Object.entries(changeSummary(stack.preview.resources)) as [StepOp, number][]) total[op] = (total[op] ?? 0) + n;
  }
  for (const e of stale) {
    diagnostics.push({ message: `policy config: the ${e.policy} exemption for "${e.resource}" is stale: no stack of the environment uses it; remove it.`, severity: "warning", policyName: e.policy });
  }
  return {
    steps,
    diagnostics,
    duration: Math.round(durationMs * 1e6),
    changeSummary: total,
    stacks: previews.map((p) => ({ stack: p.stack.stack, changeSummary: changeSummary(p.stack.preview.resources) })),
  };
}

// Values as the engine serializes them in a checkpoint: unknowns as its sentinel string, secrets masked (the CLI shows
// `[secret]` unless --show-secrets), assets and archives as their signature and source path.
async function wire(value: unknown): Promise<unknown> {
  if (isUnknown(value)) return unknownValue;
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[specialSigKey] === specialSecretSig) return "[secret]";
  if (record.__pulumiArchive === true || record.__pulumiAsset === true) {
    const sig = record.__pulumiArchive === true ? specialArchiveSig : specialAssetSig;
    const source = await record.path;
    return { [specialSigKey]: sig, ...(typeof source === "string" ? { path: source } : {}) };
  }
  if (Array.isArray(value)) return Promise.all(value.map(wire));
  return Object.fromEntries(await Promise.all(Object.entries(record).map(async ([k, v]) => [k, await wire(v)] as const)));
}
