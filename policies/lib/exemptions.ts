import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

// CrossGuard hands each policy only its own config (`args.getConfig()` reads `config[policyName]`); there is no
// pack-wide config a policy can read. So an exemption lives under the policy it exempts from:
//   { "sqs-has-dlq": { "exemptions": [{ "resource": "legacy*", "reason": "drained by the batch job until Q3" }] } }
// `exemptionsConfig` turns the flat `{policy, resource, reason}` list people write into that shape.

/** cdk-nag's rule: a suppression says why, in at least this many characters. */
export const MIN_REASON_LENGTH = 10;

/** One exemption as written in the `--policy-pack-config` file. */
export interface Exemption {
  /** The policy it exempts from; optional under the policy's own key, checked against it when given. */
  readonly policy?: string;
  /** A logical resource name, or a URN (starting `urn:`); `*` and `?` are wildcards. */
  readonly resource: string;
  /** Why the finding is accepted: at least MIN_REASON_LENGTH characters. */
  readonly reason: string;
}

/** An exemption from config, with what was wrong with it (a problem makes it apply to nothing). */
export interface ConfiguredExemption extends Exemption {
  readonly problem?: string;
}

/** The JSON schema of a policy's `exemptions` config, which `pulumi preview --policy-pack-config` validates. */
export function exemptionsSchema(policy: string): PolicyConfigJSONSchema {
  return {
    type: "array",
    description: `Resources exempt from ${policy}, each with the reason; a used exemption is reported; one that no stack of the environment uses is reported as stale by \`orderflow preview\`.`,
    default: [],
    items: {
      type: "object",
      required: ["resource", "reason"],
      additionalProperties: false,
      properties: {
        policy: { type: "string", const: policy },
        resource: { type: "string", minLength: 1, description: "Logical name or URN; * and ? are wildcards." },
        reason: { type: "string", minLength: MIN_REASON_LENGTH },
      },
    },
  };
}

/**
 * The exemptions of one policy's config. The CLI validates the schema, but the runtime trusts whatever reaches it
 * (Automation API, hand-written configs), so each entry is checked again and a bad one is kept with its problem.
 */
export function readExemptions(policy: string, config: unknown): ConfiguredExemption[] {
  const raw = config !== null && typeof config === "object" ? (config as Record<string, unknown>).exemptions : undefined;
  if (raw === undefined) return [];
  const entries = Array.isArray(raw) ? raw : [raw];
  return entries.map((entry): ConfiguredExemption => {
    const e = (entry !== null && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
    const resource = typeof e.resource === "string" ? e.resource : "";
    const reason = typeof e.reason === "string" ? e.reason.trim() : "";
    const named = typeof e.policy === "string" ? e.policy : undefined;
    let problem: string | undefined;
    if (resource === "") problem = "it names no `resource` (a logical name or URN glob)";
    else if (named !== undefined && named !== policy) problem = `it names policy "${named}" but sits under "${policy}"`;
    else if (reason.length < MIN_REASON_LENGTH) {
      problem = `its reason "${reason}" is shorter than ${MIN_REASON_LENGTH} characters; say why the finding is accepted`;
    }
    return { policy: named, resource, reason, ...(problem ? { problem } : {}) };
  });
}

/** True when the exemption's pattern names this resource: by URN when it starts with `urn:`, else by logical name. */
export function exemptionMatches(exemption: Exemption, resource: { readonly urn: string; readonly name: string }): boolean {
  const subject = exemption.resource.startsWith("urn:") ? resource.urn : resource.name;
  return globToRegExp(exemption.resource).test(subject);
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

/** Pulumi's policy config for a flat list of exemptions: each one placed under its policy's key. */
export function exemptionsConfig(
  exemptions: readonly (Exemption & { readonly policy: string })[],
): Record<string, { exemptions: Exemption[] }> {
  const byPolicy: Record<string, { exemptions: Exemption[] }> = {};
  for (const e of exemptions) {
    (byPolicy[e.policy] ??= { exemptions: [] }).exemptions.push({ policy: e.policy, resource: e.resource, reason: e.reason });
  }
  return byPolicy;
}
