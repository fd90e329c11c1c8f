import type { RecordedResource } from "../engine/run-program";

/** What a first preview does with a resource: every one is new, and a stack reference is only read. */
export type StepOp = "create" | "read";

/** One row of the plan: a resource and its step. */
export interface PlannedStep {
  readonly op: StepOp;
  readonly resource: RecordedResource;
  /** How deep it sits under its parents; the stack resource is 0. */
  readonly depth: number;
  /** Whether it is the last child of its parent (└─ rather than ├─). */
  readonly last: boolean;
  /** For each ancestor level above this row, whether that ancestor was a last child (no │ drawn in its column). */
  readonly ancestorsLast: readonly boolean[];
}

// The engine's step prefixes (pulumi/pulumi, pkg/resource/deploy/step.go, RawPrefix).
const PREFIX: Record<StepOp, string> = { create: "+ ", read: "> " };

/**
 * The steps of a stack's first preview, in the order the CLI lists them: depth first from the stack resource, each
 * resource under its parent. Provider resources are left out, as the CLI leaves default providers out.
 */
export function plannedSteps(resources: readonly RecordedResource[]): PlannedStep[] {
  const shown = resources.filter((r) => !r.type.startsWith("pulumi:providers:"));
  const urns = new Set(shown.map((r) => r.urn));
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of shown) {
    const parent = r.parent !== undefined && urns.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const steps: PlannedStep[] = [];
  const visit = (r: RecordedResource, depth: number, last: boolean, ancestorsLast: readonly boolean[]) => {
    steps.push({ op: r.type === "pulumi:pulumi:StackReference" ? "read" : "create", resource: r, depth, last, ancestorsLast });
    const kids = children.get(r.urn) ?? [];
    kids.forEach((kid, i) => visit(kid, depth + 1, i === kids.length - 1, depth === 0 ? [] : [...ancestorsLast, last]));
  };
  const roots = children.get(undefined) ?? [];
  roots.forEach((root, i) => visit(root, 0, i === roots.length - 1, []));
  return steps;
}

/** The change summary of a first preview: how many resources each step op touches (the CLI's `changeSummary`). */
export function changeSummary(resources: readonly RecordedResource[]): Partial<Record<StepOp, number>> {
  const summary: Partial<Record<StepOp, number>> = {};
  for (const step of plannedSteps(resources)) summary[step.op] = (summary[step.op] ?? 0) + 1;
  return summary;
}

/**
 * The plan as the CLI's progress table shows it (pkg/backend/display/progress.go): a `Type  Name  Plan` header, then
 * one row per resource with its step prefix, its type as the CLI displays it (`aws:sqs:Queue` for
 * `aws:sqs/queue:Queue`) indented under its parent with `├─`/`└─`, its name and its step.
 */
export function renderPlanTable(resources: readonly RecordedResource[]): string {
  const rows = plannedSteps(resources).map((step) => {
    const tree = step.depth === 0 ? "" : `${step.ancestorsLast.map((l) => (l ? "   " : "│  ")).join("")}${step.last ? "└─ " : "├─ "}`;
    return { prefix: PREFIX[step.op], type: `${tree}${displayType(step.resource.type)}`, name: step.resource.name, plan: step.op };
  });
  const typeWidth = Math.max("Type".length, ...rows.map((r) => r.type.length));
  const nameWidth = Math.max("Name".length, ...rows.map((r) => r.name.length));
  const line = (prefix: string, type: string, name: string, plan: string) =>
    ` ${prefix}  ${type.padEnd(typeWidth)}  ${name.padEnd(nameWidth)}  ${plan}`.trimEnd();
  return [line("  ", "Type", "Name", "Plan"), ...rows.map((r) => line(r.prefix, r.type, r.name, r.plan))].join("\n");
}

/**
 * A type token as the CLI displays it: the module's last path segment dropped when it only repeats the type's name
 * (`aws:sqs/queue:Queue` → `aws:sqs:Queue`); other tokens unchanged (pulumi/pulumi, sdk/go/common/tokens/tokens.go,
 * Type.DisplayName).
 */
export function displayType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3 || parts[2] === "") return type;
  const [pkg, module, name] = parts;
  const slash = module.lastIndexOf("/");
  if (slash < 0 || module.slice(slash + 1) !== name.charAt(0).toLowerCase() + name.slice(1)) return type;
  return `${pkg}:${module.slice(0, slash)}:${name}`;
}

/** The resources AWS would create: custom resources, without components and the stack itself. */
export function cloudResources(resources: readonly RecordedResource[]): RecordedResource[] {
  return resources.filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference" && !r.type.startsWith("pulumi:providers:"));
}
