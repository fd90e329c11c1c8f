import { exemptionMatches, readExemptions, type Exemption } from "./exemptions";

/** What an environment-wide check needs of a policy: its name and the resource types an exemption can name. */
export interface ExemptablePolicy {
  readonly name: string;
  readonly resourceTypes: readonly string[];
}

/** A resource as any stack run reports it: its URN says its name and type. */
export interface StackResourceRef {
  readonly urn: string;
  readonly type: string;
}

/** An exemption that no stack of the environment uses, with the policy it sits under. */
export interface StaleExemption extends Exemption {
  readonly policy: string;
}

/**
 * The exemptions of an environment's policy config (`policies/config/<env>.json`) that match no resource of their
 * policy's types in any of the environment's stacks. The config is per environment and every stack is checked with
 * it, so an exemption used by one stack is not stale because the others lack the resource; only a run that saw every
 * stack of the environment can call one stale. Malformed exemptions are left out: the pack reports those itself.
 */
export function staleExemptions(
  config: Readonly<Record<string, unknown>>,
  policies: readonly ExemptablePolicy[],
  stacks: readonly (readonly StackResourceRef[])[],
): StaleExemption[] {
  const resources = stacks.flat().map((r) => ({ ...r, name: r.urn.split("::").at(-1) ?? r.urn }));
  return policies.flatMap((policy) =>
    readExemptions(policy.name, config[policy.name])
      .filter((e) => !e.problem)
      .filter((e) => !resources.some((r) => policy.resourceTypes.includes(r.type) && exemptionMatches(e, r)))
      .map((e) => ({ policy: policy.name, resource: e.resource, reason: e.reason })),
  );
}
