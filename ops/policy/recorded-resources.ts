import type { RecordedResource } from "../engine/recording-monitor";
import type { AnalyzedResource } from "./results";

/**
 * Which recorded values a policy sees. The engine sends Analyze a resource's inputs (its goal state, before the
 * provider acts) and AnalyzeStack the resources' outputs (their state after the step; in a preview, the planned
 * state, where what the cloud computes is still unknown).
 */
export type PropertySource = "inputs" | "outputs";

/**
 * The resources of one recorded program run as the analyzer protocol carries them: every resource but providers
 * (the engine shows policies no provider resources), with parent, dependencies, property dependencies and, for
 * explicit providers, the provider resource's type, name and inputs.
 */
export function toAnalyzedResources(recorded: readonly RecordedResource[], source: PropertySource): AnalyzedResource[] {
  const byUrn = new Map(recorded.map((r) => [r.urn, r]));
  return recorded
    .filter((r) => !isProvider(r.type))
    .map((r) => {
      const provider = r.provider === undefined ? undefined : byUrn.get(providerUrn(r.provider));
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r[source],
        ...(r.parent ? { parent: r.parent } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        ...(provider
          ? { provider: { urn: provider.urn, type: provider.type, name: provider.name, properties: provider.inputs } }
          : {}),
      };
    });
}

function isProvider(type: string): boolean {
  return type.startsWith("pulumi:providers:");
}

// A provider reference is `<urn>::<id>`; URNs contain `::` themselves, so the ID is what follows the last one.
function providerUrn(reference: string): string {
  const separator = reference.lastIndexOf("::");
  return separator < 0 ? reference : reference.slice(0, separator);
}
