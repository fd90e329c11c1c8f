import * as pulumi from "@pulumi/pulumi";
import { contracts, type Exports } from "./contracts";
import { parseStackName, type StackKind } from "./environments";
import { tagEverything } from "./tags";

/** A stack program: builds the stack and returns its contract's outputs. */
export type StackProgram<K extends StackKind> = () => Exports<K> | Promise<Exports<K>>;

/** The program of every stack kind. Loaded lazily so a stack pays only for its own imports. */
const programs: { [K in StackKind]: () => Promise<StackProgram<K>> } = {
  bootstrap: async () => (await import("./bootstrap")).bootstrapStack,
  platform: async () => (await import("./platform")).platformStack,
  orders: async () => (await import("./orders")).ordersStack,
  inventory: async () => (await import("./inventory")).inventoryStack,
  payments: async () => (await import("./payments")).paymentsStack,
  shipping: async () => (await import("./shipping")).shippingStack,
  notifications: async () => (await import("./notifications")).notificationsStack,
  checkout: async () => (await import("./checkout")).checkoutStack,
};

/**
 * Runs the program of the current stack (`pulumi stack select dev.orders` runs the orders program of dev). An unknown
 * stack name fails with the list of valid ones. The outputs are checked against the stack's contract key by key, so a
 * stack can neither forget an output its consumers need nor export one the contract does not know.
 */
export async function runStack(): Promise<Record<string, pulumi.Input<unknown>>> {
  const id = parseStackName(pulumi.getStack());
  tagEverything(id);
  const program = (await programs[id.kind]()) as StackProgram<typeof id.kind>;
  const outputs = (await program()) as Record<string, pulumi.Input<unknown>>;
  const expected = Object.keys(contracts[id.kind].shape).sort();
  const actual = Object.keys(outputs).sort();
  if (expected.join() !== actual.join()) {
    throw new Error(
      `Stack "${id.stack}" must export exactly [${expected.join(", ")}] (stacks/contracts.ts), but exports [${actual.join(", ")}].`,
    );
  }
  return outputs;
}
