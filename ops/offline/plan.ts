import type { RecordedResource } from "../engine/run-program";

/**
 * The plan of one stack as `pulumi preview` prints it for a new stack: every resource to create, indented under the
 * component that owns it, with its type.
 */
export function renderPlanTree(resources: readonly RecordedResource[]): string {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) {
    const siblings = children.get(r.parent) ?? [];
    siblings.push(r);
    children.set(r.parent, siblings);
  }
  const lines: string[] = [];
  const visit = (r: RecordedResource, depth: number) => {
    lines.push(`${"  ".repeat(depth)}+ ${r.type} ${r.name}`);
    for (const child of children.get(r.urn) ?? []) visit(child, depth + 1);
  };
  const urns = new Set(resources.map((r) => r.urn));
  for (const root of resources.filter((r) => r.parent === undefined || !urns.has(r.parent))) visit(root, 0);
  return lines.join("\n");
}

/** How many resources of each type the stack creates (components included), most frequent first. */
export function countsByType(resources: readonly RecordedResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The resources AWS would create: custom resources, without components and the stack itself. */
export function cloudResources(resources: readonly RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference" && !r.type.startsWith("pulumi:providers:"));
}
