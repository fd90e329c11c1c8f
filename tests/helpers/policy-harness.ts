import { orderflowPolicies } from "../../policies/all";
import { evaluatePolicies, type EngineResource, type PackConfig, type Violation } from "../../policies/evaluate";
import { ENGINE_UNKNOWN } from "../../policies/lib/values";

export { evaluatePolicies, reconcileConfig, analyzeResource, analyzeStack } from "../../policies/evaluate";
export type { EngineResource, PackConfig, Violation } from "../../policies/evaluate";

/** A value the engine does not know yet, as it sends it (a preview's computed ARN, say). */
export const UNKNOWN = ENGINE_UNKNOWN;

/** The URN the engine gives a resource of this type and name in the test stack. */
export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::orderflow::${type}::${name}`;
}

/** A resource as the engine registers it; `outputs` default to the inputs (a created resource, AWS values aside). */
export function resource(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  links: { outputs?: Record<string, unknown>; propertyDependencies?: Record<string, readonly EngineResource[]>; parent?: EngineResource } = {},
): EngineResource {
  const propertyDependencies = Object.fromEntries(
    Object.entries(links.propertyDependencies ?? {}).map(([k, rs]) => [k, rs.map((r) => r.urn)]),
  );
  return {
    urn: urnOf(type, name),
    type,
    name,
    inputs,
    outputs: links.outputs ?? inputs,
    propertyDependencies,
    dependencies: [...new Set(Object.values(propertyDependencies).flat())],
    ...(links.parent ? { parent: links.parent.urn } : {}),
  };
}

/** The diagnostics one policy reports for these resources, running only that policy (as the runtime would). */
export async function runPolicy(name: string, resources: readonly EngineResource[], config: PackConfig = {}): Promise<Violation[]> {
  const policy = orderflowPolicies.find((p) => p.name === name);
  if (!policy) throw new Error(`no policy named ${name}; the pack has ${orderflowPolicies.map((p) => p.name).join(", ")}`);
  return evaluatePolicies(resources, config, { policies: [policy] });
}

/** Diagnostics at a level. */
export function atLevel(violations: readonly Violation[], level: Violation["enforcementLevel"]): Violation[] {
  return violations.filter((v) => v.enforcementLevel === level);
}

/**
 * What one policy is expected to report at each level: one entry per finding, a substring of its message (or several,
 * all in the same message).
 */
export interface Expected {
  readonly mandatory?: readonly (string | readonly string[])[];
  readonly advisory?: readonly (string | readonly string[])[];
}

/**
 * Fails unless the diagnostics are exactly the expected findings at each level (one diagnostic per string, each
 * message naming the resource), listing what was reported otherwise.
 */
export function expectFindings(violations: readonly Violation[], expected: Expected): void {
  for (const level of ["mandatory", "advisory"] as const) {
    const got = atLevel(violations, level);
    const want = expected[level] ?? [];
    const unmatched = [...got];
    for (const w of want) {
      const parts = typeof w === "string" ? [w] : w;
      const i = unmatched.findIndex((v) => parts.every((p) => v.message.includes(p)));
      if (i < 0) throw new Error(`expected a ${level} finding containing ${JSON.stringify(w)}; got:\n${got.map((v) => `- ${v.message}`).join("\n") || "(none)"}`);
      unmatched.splice(i, 1);
    }
    if (unmatched.length > 0) {
      throw new Error(`unexpected ${level} findings:\n${unmatched.map((v) => `- ${v.message}`).join("\n")}`);
    }
  }
}

/** One scenario of a policy: the resources the engine sees, an optional pack config, what must be reported. */
export interface PolicyCase {
  readonly title: string;
  readonly resources: readonly EngineResource[];
  readonly config?: PackConfig;
  readonly expected: Expected;
}

/** A mocha `describe` per policy with an `it` per scenario, each running only that policy through the runtime mirror. */
export function describePolicy(policy: string, list: readonly PolicyCase[]): void {
  describe(policy, () => {
    for (const c of list) {
      it(c.title, async () => expectFindings(await runPolicy(policy, c.resources, c.config), c.expected));
    }
  });
}

/** A pack config exempting one resource (name or URN glob) from one policy. */
export function exemption(policy: string, resource: string, reason = "accepted until the Q3 migration"): PackConfig {
  return { [policy]: { exemptions: [{ resource, reason }] } };
}
