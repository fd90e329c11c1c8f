import type { RecordedResource } from "../../ops/engine/recording-monitor";

export interface StackResources {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
}

/** Where a spec came from: its stack, the component that created it (its name in the program) and its URN. */
export interface Origin {
  readonly stack: string;
  /** The owning component's name (`createShipment`), or the resource's own name when it has no component parent. */
  readonly component: string;
  readonly urn: string;
}

export type Inputs = Record<string, unknown>;

export const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const obj = (v: unknown): Inputs => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Inputs) : {});
export const json = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
export const stringRecord = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === "string") as [string, string][]);

/**
 * The graph's common reading: the recorded resources of every stack, by type, each with its origin (its stack, the
 * component that created it, its URN). Each service's spec.ts reads its own resources through it.
 */
export class GraphResources {
  /** Every recorded resource, with its stack. */
  readonly all: readonly { readonly stack: string; readonly r: RecordedResource }[];
  private readonly byUrn: ReadonlyMap<string, RecordedResource>;

  constructor(stacks: readonly StackResources[]) {
    this.all = stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.stack, r })));
    this.byUrn = new Map(this.all.map(({ r }) => [r.urn, r]));
  }

  /** The resources of a type (`aws:sqs/queue:Queue`), with their stacks. */
  readonly of = (type: string): { readonly stack: string; readonly r: RecordedResource }[] => this.all.filter(({ r }) => r.type === type);

  /** Where a resource came from. */
  readonly origin = (stack: string, r: RecordedResource): Origin => ({ stack, component: componentName(r, this.byUrn), urn: r.urn });

  /** A resource's outputs, as recorded. */
  readonly out = (r: RecordedResource): Inputs => r.outputs as Inputs;
}

/** The name of the component that created a resource: the last part of its parent's URN, unless that is the stack. */
function componentName(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
  const parent = r.parent ? byUrn.get(r.parent) : undefined;
  if (!parent || parent.type === "pulumi:pulumi:Stack") return r.name;
  return parent.name;
}

/** The component name of each of these resources (for readers of a flat list of resources). */
export function componentOf(resources: readonly RecordedResource[]): (r: RecordedResource) => string {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return (r) => componentName(r, byUrn);
}
