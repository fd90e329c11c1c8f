import * as pulumi from "@pulumi/pulumi";
import type { StackIdentity } from "./environments";

/** The tags every taggable resource of a stack carries: its environment (for a bootstrap stack, its account) and kind. */
export function standardTags(id: StackIdentity): Record<string, string> {
  const owner: Record<string, string> = id.kind === "bootstrap" ? { account: id.account } : { environment: id.env };
  return { ...owner, domain: id.kind, "managed-by": "pulumi" };
}

/**
 * Tags every resource that takes tags. A resource class passes `tags` among its properties exactly when its AWS type
 * is taggable, so the presence of the key is the test; tags a component sets itself win over these.
 */
export function tagEverything(id: StackIdentity): void {
  const tags = standardTags(id);
  pulumi.runtime.registerStackTransformation((args) => {
    if (!args.type.startsWith("aws:") || !("tags" in args.props)) return undefined;
    return { props: { ...args.props, tags: pulumi.output(args.props.tags).apply((own) => ({ ...tags, ...(own ?? {}) })) }, opts: args.opts };
  });
}
