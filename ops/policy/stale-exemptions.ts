import { existsSync, readFileSync } from "node:fs";
import type { StackResourceRef, StaleExemption } from "../../policies/lib/stale-exemptions";

/**
 * The exemptions of an environment's policy config file that no stack of the environment uses (see
 * policies/lib/stale-exemptions.ts), given every stack's resources. The pack's modules load only when the file has
 * exemptions at all, so a run without any pays nothing.
 */
export async function staleExemptionsOf(configFile: string | undefined, stacks: readonly (readonly StackResourceRef[])[]): Promise<StaleExemption[]> {
  if (configFile === undefined || !existsSync(configFile)) return [];
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configFile, "utf8")) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${configFile} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const hasExemptions = Object.values(config).some((c) => typeof c === "object" && c !== null && "exemptions" in c);
  if (!hasExemptions) return [];
  const [{ orderflowPolicies }, { staleExemptions }] = await Promise.all([import("../../policies/all"), import("../../policies/lib/stale-exemptions")]);
  return staleExemptions(config, orderflowPolicies, stacks);
}

/** How a run reports them: once for the environment. */
export function formatStaleExemptions(stale: readonly StaleExemption[], configFile: string, env: string): string {
  return [
    `Stale exemptions: ${stale.length} in ${configFile} that no stack of ${env} uses; remove ${stale.length === 1 ? "it" : "them"}:`,
    ...stale.map((e) => `    - ${e.policy}: "${e.resource}" (reason: "${e.reason}")`),
  ].join("\n");
}
