import { stackName, type Environment, type StackKind } from "../../stacks/environments";
import { dependencies, deploymentWaves, withUpstreams } from "../../stacks/graph";

/** The real operations on an environment's stacks. */
export const OPERATIONS = ["up", "preview", "destroy", "drift"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** One stack of a run. */
export interface PlannedStack {
  readonly kind: StackKind;
  /** The Pulumi stack name, `<env>` or `<env>.<domain>`. */
  readonly stack: string;
  /**
   * The kinds of this run that must succeed before this stack runs: its upstreams, or for destroy its dependents
   * (a stack still read by another must outlive it).
   */
  readonly after: readonly StackKind[];
}

/** The stacks of a run in waves: a wave's stacks run in parallel, each wave after the previous one. */
export interface RunPlan {
  readonly env: Environment;
  readonly operation: Operation;
  readonly waves: readonly (readonly PlannedStack[])[];
}

/** A kind and every kind that reads from it, transitively. */
export function withDependents(kind: StackKind): Set<StackKind> {
  const deps = dependencies();
  const found = new Set<StackKind>([kind]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [k, upstreams] of deps) {
      if (!found.has(k) && upstreams.some((u) => found.has(u))) {
        found.add(k);
        grew = true;
      }
    }
  }
  return found;
}

/**
 * The stacks an operation runs, in the waves of stacks/graph.ts. `only` limits the run to a kind and its upstreams,
 * or for destroy to the kind and its dependents: those are the stacks that must exist for it, or that cannot outlive it.
 * Destroy never takes the account's bootstrap stack: the environment needs it but does not own it, and the account's
 * other environments still do (`pulumi destroy --stack bootstrap.<account>` removes it after the last of them).
 */
export function planRun(env: Environment, operation: Operation, only?: StackKind): RunPlan {
  const destroying = operation === "destroy";
  const selected: Set<StackKind> =
    only === undefined ? new Set(deploymentWaves().flat()) : destroying ? withDependents(only) : new Set(withUpstreams(only));
  if (destroying) selected.delete("bootstrap");
  const deps = dependencies();
  const waves = (destroying ? deploymentWaves().reverse() : deploymentWaves())
    .map((wave) => wave.filter((kind) => selected.has(kind)))
    .filter((wave) => wave.length > 0)
    .map((wave) =>
      wave.map((kind): PlannedStack => {
        const after = destroying
          ? [...deps].filter(([k, upstreams]) => upstreams.includes(kind) && selected.has(k)).map(([k]) => k)
          : (deps.get(kind) ?? []).filter((k) => selected.has(k));
        return { kind, stack: stackName(env, kind), after };
      }),
    );
  return { env, operation, waves };
}
