import type * as pulumi from "@pulumi/pulumi";

/**
 * Changes one child resource before it is created: either an object merged over the component's arguments, or a
 * function that edits them (and may change the child's name and options), as SST's `transform` does.
 */
export type Transform<Args> =
  | Partial<Args>
  | ((args: Args, opts: pulumi.CustomResourceOptions, name: string) => void);

/** Applies a transform to a child's name, arguments and options; returns what to construct the child with. */
export function transform<Args extends object>(
  transformation: Transform<Args> | undefined,
  name: string,
  args: Args,
  opts: pulumi.CustomResourceOptions,
): [string, Args, pulumi.CustomResourceOptions] {
  if (typeof transformation === "function") {
    transformation(args, opts, name);
    return [name, args, opts];
  }
  return [name, { ...args, ...(transformation ?? {}) }, opts];
}
