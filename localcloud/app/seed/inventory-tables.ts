import { GraphError } from "../../graph/errors";

/** A stack as the seed reads it: its kind and its outputs. */
interface StackWithOutputs {
  readonly kind: string;
  readonly resolved: { readonly outputs: Readonly<Record<string, unknown>> };
}

/** The stock and catalog tables' names, from the inventory stack's outputs (its contract). */
export function inventoryTablesOf(stacks: readonly StackWithOutputs[]): { stock: string; catalog: string } {
  const outputs = stacks.find((s) => s.kind === "inventory")?.resolved.outputs ?? {};
  const [stock, catalog] = [outputs.stockTableName, outputs.catalogTableName];
  if (typeof stock !== "string") throw new GraphError("The inventory stack exports no stockTableName: the local cloud seeds stock into that table.");
  if (typeof catalog !== "string") throw new GraphError("The inventory stack exports no catalogTableName: the local cloud seeds prices into that table.");
  return { stock, catalog };
}
