import type { RecordedResource } from "../engine/run-program";
import { plannedSteps } from "./plan";
import { printable, propertyLines } from "./property-values";

/**
 * The plan as `pulumi preview --diff` prints it for a new stack (pulumi/pulumi, pkg/backend/display/diff.go): each
 * resource as `+ <type>: (create)` with its URN and every input it is created with, nested under its parent. Values
 * AWS computes are `output<string>`, as a first preview knows them; JSON documents (IAM policies, event patterns) are
 * shown as documents.
 */
export async function renderDiff(resources: readonly RecordedResource[]): Promise<string> {
  const lines: string[] = [];
  for (const step of plannedSteps(resources)) {
    const pad = "    ".repeat(step.depth);
    const r = step.resource;
    lines.push(`${pad}${step.op === "read" ? ">" : "+"} ${r.type}: (${step.op})`);
    lines.push(`${pad}    [urn=${r.urn}]`);
    if (r.provider) lines.push(`${pad}    [provider=${r.provider}]`);
    // Components and the stack have no inputs of their own worth showing; the CLI prints none for them either.
    if (r.custom) lines.push(...propertyLines((await printable(r.inputs)) as Record<string, unknown>, step.depth + 1, { json: true }));
  }
  return lines.join("\n");
}
