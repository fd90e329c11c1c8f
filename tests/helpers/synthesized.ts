import { synthesizeEnvironment, type SynthesizedStack } from "../../ops/offline/synthesize";
import type { Environment } from "../../stacks/environments";

const synthesized = new Map<Environment, Promise<SynthesizedStack[]>>();

/**
 * Every stack of an environment, synthesized once per mocha run (about 6 s for dev) and shared by the test files that
 * read the graph. Treat the result as read-only.
 */
export function synthesizedEnvironment(env: Environment): Promise<SynthesizedStack[]> {
  if (!synthesized.has(env)) synthesized.set(env, synthesizeEnvironment({ env }));
  return synthesized.get(env)!;
}
