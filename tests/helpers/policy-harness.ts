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
