import type { PolicyResult } from "../policy/results";

/** A check a real first preview would defer (a value it reads is unknown until the resource exists). */
export interface DeferredCheck {
  readonly policyName: string;
  readonly urn?: string;
  /** What the preview pass said. */
  readonly previewMessage: string;
  /** The same policy on the same resource with every value resolved: its findings, none meaning it passed. */
  readonly resolved: readonly PolicyResult[];
}

/** One stack's policy results, sorted into what a reader acts on. */
export interface StackPolicyReport {
  readonly stack: string;
  /** Mandatory violations: these fail the preview. */
  readonly mandatory: readonly PolicyResult[];
  /** Advisory findings (not exemptions, not deferrals). */
  readonly advisory: readonly PolicyResult[];
  /** Findings an exemption accepted, with its reason. */
  readonly exempted: readonly PolicyResult[];
  readonly deferred: readonly DeferredCheck[];
}

const EXEMPTED = /: exempted from /;
const DEFERRED = /cannot be checked until the value is known/;

/** Whether a result is a check the policy could not run on an unknown value. */
export function isDeferral(result: PolicyResult): boolean {
  return result.deferred || DEFERRED.test(result.message);
}

/**
 * Sorts one stack's results from both passes. The resolved pass decides mandatory and advisory findings; the preview
 * pass adds the checks a real preview would defer, each with its outcome on resolved values, and any mandatory finding
 * that only the preview saw.
 */
export function stackPolicyReport(stack: string, previewPass: readonly PolicyResult[], resolvedPass: readonly PolicyResult[]): StackPolicyReport {
  const key = (r: PolicyResult) => `${r.policyName}|${r.urn ?? ""}|${r.message}`;
  const mandatory = new Map<string, PolicyResult>();
  const advisory: PolicyResult[] = [];
  const exempted: PolicyResult[] = [];
  for (const r of resolvedPass) {
    if (isDeferral(r)) continue;
    if (EXEMPTED.test(r.message)) exempted.push(r);
    else if (r.enforcementLevel === "mandatory") mandatory.set(key(r), r);
    else if (r.enforcementLevel === "advisory") advisory.push(r);
  }
  for (const r of previewPass) {
    if (!isDeferral(r) && r.enforcementLevel === "mandatory" && !EXEMPTED.test(r.message)) mandatory.set(key(r), r);
  }
  const seen = new Set<string>();
  const deferred: DeferredCheck[] = [];
  for (const r of previewPass.filter(isDeferral)) {
    const id = `${r.policyName}|${r.urn ?? ""}`;
    if (seen.has(id)) continue;
    seen.add(id);
    deferred.push({
      policyName: r.policyName,
      urn: r.urn,
      previewMessage: r.message,
      resolved: resolvedPass.filter((x) => x.policyName === r.policyName && x.urn === r.urn && !isDeferral(x)),
    });
  }
  return { stack, mandatory: [...mandatory.values()], advisory, exempted, deferred };
}
