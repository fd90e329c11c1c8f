import type { RecordedResource } from "../engine/recording-monitor";
import { startPolicyPack, type PolicyPackOptions, type PolicyPackSession } from "./analyzer-client";
import { toAnalyzedResources } from "./recorded-resources";
import type { PolicyPackConfig, PolicyResult } from "./results";

/**
 * Runs a pack over one stack's recorded resources as a preview or update does: Analyze on each resource's inputs,
 * then AnalyzeStack on all resources' outputs. Resource results come in registration order, stack results last.
 */
export async function evaluateRecordedStack(
  session: PolicyPackSession,
  resources: readonly RecordedResource[],
): Promise<PolicyResult[]> {
  // The pack serves requests concurrently, as the engine issues them while it walks the program's registrations.
  const perResource = await Promise.all(toAnalyzedResources(resources, "inputs").map((r) => session.analyze(r)));
  const stack = await session.analyzeStack(toAnalyzedResources(resources, "outputs"));
  return [...perResource.flat(), ...stack];
}

/** Starts the pack, evaluates one stack's resources, and stops the pack. For many stacks, share one session. */
export async function evaluatePolicyPack(
  packDir: string,
  resources: readonly RecordedResource[],
  config?: PolicyPackConfig,
  options: Omit<PolicyPackOptions, "packDir" | "config"> = {},
): Promise<PolicyResult[]> {
  const session = await startPolicyPack({ ...options, packDir, ...(config ? { config } : {}) });
  try {
    return await evaluateRecordedStack(session, resources);
  } finally {
    await session.close();
  }
}
