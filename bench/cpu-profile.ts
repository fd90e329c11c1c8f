import { readFileSync } from "node:fs";

/** A V8 CPU profile (`node --cpu-prof`), the parts read here. */
interface CpuProfile {
  readonly nodes: readonly { id: number; callFrame: { functionName: string; url: string } }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly category: string;
  readonly ms: number;
}

/**
 * Self time of a CPU profile by where it is spent: Node's own code (module loading, file system), a package, the
 * project's folders, garbage collection, or idle (the process waiting: on the policy pack's process, the type-check's
 * child, esbuild's service). What a speed goal has to cut shows at the top.
 */
export function profileShares(file: string, top = 12): { totalMs: number; shares: ProfileShare[] } {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byCategory = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const category = categoryOf(nodes.get(id)?.callFrame ?? { functionName: "", url: "" });
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
  });
  const shares = [...byCategory].map(([category, us]) => ({ category, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, shares: shares.slice(0, top) };
}

function categoryOf(frame: { functionName: string; url: string }): string {
  if (frame.functionName === "(idle)") return "idle: waiting on other processes (policy pack, type-check, esbuild)";
  if (frame.functionName === "(garbage collector)") return "garbage collection";
  if (frame.functionName === "(program)") return "V8 and native code";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return `package ${pkg}`;
  if (frame.url === "" || frame.url.startsWith("node:")) return "Node.js itself (module loading, file system)";
  const folder = /\/(components|stacks|handlers|ops|policies)\//.exec(frame.url)?.[1];
  return folder ? `orderflow ${folder}/` : "other";
}
