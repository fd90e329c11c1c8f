import { requires } from "./contracts";
import { DOMAINS, type StackKind } from "./environments";

/** Every stack kind with the kinds it reads from, derived from `requires` in contracts.ts. */
export function dependencies(): Map<StackKind, StackKind[]> {
  const kinds: StackKind[] = ["bootstrap", "platform", ...DOMAINS];
  return new Map(kinds.map((kind) => [kind, Object.keys(requires[kind]) as StackKind[]]));
}

/** The kinds that read from a kind (its dependents). */
export function dependents(kind: StackKind): StackKind[] {
  return [...dependencies()].filter(([, deps]) => deps.includes(kind)).map(([k]) => k);
}

/**
 * Deployment waves: each wave's stacks depend only on earlier waves, so a wave deploys in parallel and destroy walks
 * the waves backwards. Fails naming the stacks of a cycle.
 */
export function deploymentWaves(): StackKind[][] {
  const remaining = dependencies();
  const done = new Set<StackKind>();
  const waves: StackKind[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining].filter(([, deps]) => deps.every((d) => done.has(d))).map(([k]) => k);
    if (wave.length === 0) {
      throw new Error(`The stack dependencies in stacks/contracts.ts have a cycle among: ${[...remaining.keys()].join(", ")}.`);
    }
    for (const kind of wave) {
      done.add(kind);
      remaining.delete(kind);
    }
    waves.push(wave);
  }
  return waves;
}

/** All kinds in one valid deployment order. */
export function deploymentOrder(): StackKind[] {
  return deploymentWaves().flat();
}

/** A kind and everything it reads from, transitively, in deployment order (for `--stack`). */
export function withUpstreams(kind: StackKind): StackKind[] {
  const deps = dependencies();
  const needed = new Set<StackKind>();
  const visit = (k: StackKind) => {
    if (needed.has(k)) return;
    needed.add(k);
    for (const d of deps.get(k) ?? []) visit(d);
  };
  visit(kind);
  return deploymentOrder().filter((k) => needed.has(k));
}
