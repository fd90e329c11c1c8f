import { GraphError } from "../../graph/errors";

/** A stack as the seed reads it: its kind and its outputs. */
interface StackWithOutputs {
  readonly kind: string;
  readonly resolved: { readonly outputs: Readonly<Record<string, unknown>> };
}

/** The stock table's name, from the inventory stack's outputs (its contract). */
export function stockTableOf(stacks: readonly StackWithOutputs[]): string {
  const inventory = stacks.find((s) => s.kind === "inventory");
  const name = inventory?.resolved.outputs.stockTableName;
  if (typeof name !== "string") throw new GraphError("The inventory stack exports no stockTableName: the local cloud seeds stock into that table.");
  return name;
}
