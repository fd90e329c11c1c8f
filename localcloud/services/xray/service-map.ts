import type { Call } from "./journey";

// The environment's trace map, as X-Ray's console draws it: a node per service or resource, an edge per caller and
// callee, each with its call count, error count and median latency.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-console-servicemap.html

interface Stats {
  count: number;
  errors: number;
  latencies: number[];
}

function add(map: Map<string, Stats>, key: string, call: Call): void {
  const stats = map.get(key) ?? { count: 0, errors: 0, latencies: [] };
  stats.count++;
  if (call.error) stats.errors++;
  stats.latencies.push(call.durationMs);
  map.set(key, stats);
}

/** The median, as X-Ray's response time distribution reports p50. */
export function p50(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

function describe(s: Stats): string {
  return `${s.count} call${s.count === 1 ? "" : "s"} · ${s.errors} error${s.errors === 1 ? "" : "s"} · p50 ${p50(s.latencies)} ms`;
}

/** A Mermaid flowchart of every call recorded: nodes with what they served, edges with what went through them. */
export function serviceMapMermaid(calls: readonly Call[]): string {
  const nodes = new Map<string, Stats>();
  const edges = new Map<string, Stats>();
  const ids = new Map<string, string>();
  const id = (name: string) => {
    if (!ids.has(name)) ids.set(name, `N${ids.size + 1}`);
    return ids.get(name)!;
  };
  for (const call of calls) {
    id(call.from);
    add(nodes, call.to, call);
    add(edges, `${call.from}\u0000${call.to}`, call);
  }
  const lines = ["flowchart LR"];
  for (const name of [...new Set(calls.flatMap((c) => [c.from, c.to]))]) {
    const stats = nodes.get(name);
    lines.push(`  ${id(name)}["${label(name)}${stats ? `<br/>${describe(stats)}` : ""}"]${stats && stats.errors > 0 ? ":::failing" : ""}`);
  }
  for (const [key, stats] of edges) {
    const [from, to] = key.split("\u0000");
    lines.push(`  ${id(from)} -->|"${describe(stats)}"| ${id(to)}`);
  }
  lines.push("  classDef failing stroke:#d33,stroke-width:2px");
  return `${lines.join("\n")}\n`;
}

function label(text: string): string {
  return text.replace(/"/g, "'");
}
