import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Grant } from "./granted";
import type { GrantCalls } from "./grant-calls";
import type { Need, Unresolved } from "./need";

/** One decision the local cloud recorded for a principal (`.orderflow/local/<env>/access.json`). */
export interface UsedAccess {
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

/** What the verdict knows of one principal. */
export interface PrincipalAccess {
  /** `placeOrder`, `checkout`, `labelWorker (execution)`. */
  readonly name: string;
  readonly roleArn: string;
  readonly grants: readonly Grant[];
  /** What its code and the services acting with it can ask for. */
  readonly needs: readonly Need[];
  readonly unresolved: readonly Unresolved[];
  /** What the scenarios asked for with it, when a local run recorded it. */
  readonly used?: readonly UsedAccess[];
}

export type Finding =
  /** A grant's actions that nothing can ask for and no scenario used. */
  | { readonly kind: "unused"; readonly principal: string; readonly grant: string; readonly call: string; readonly actions: readonly string[]; readonly keep: readonly string[]; readonly message: string }
  /** An action the code or a service can ask for that no grant allows. */
  | { readonly kind: "ungranted"; readonly principal: string; readonly need: Need; readonly message: string }
  /** A call whose resource the analysis could not tell. */
  | { readonly kind: "unresolved"; readonly principal: string; readonly message: string };

export interface PrincipalVerdict {
  readonly name: string;
  readonly roleArn: string;
  /** The actions its grants allow (as written, wildcards kept). */
  readonly granted: readonly string[];
  /** The actions its code and services can ask for. */
  readonly reachable: readonly string[];
  /** The actions the scenarios used (undefined without a recorded run). */
  readonly used?: readonly string[];
  readonly findings: readonly Finding[];
}

/**
 * The verdict on one principal: every action a grant allows must be reachable (statically) or used (in a scenario),
 * and every reachable action must be allowed by a grant. An unused action names the grant call to narrow and the
 * actions of that grant still needed; an ungranted one names the call site that needs it.
 */
export async function verdictOn(principal: PrincipalAccess, grantCalls: GrantCalls, account: string): Promise<PrincipalVerdict> {
  const findings: Finding[] = [];
  const usedAllowed = (principal.used ?? []).filter((u) => u.allowed);
  const touches = (actions: readonly string[], resources: readonly string[], action: string, resource: string) =>
    actions.some((a) => wildcardMatch(a, action, true)) && resources.some((r) => wildcardMatch(r, resource, false));

  for (const grant of principal.grants) {
    const unused: string[] = [];
    const keep: string[] = [];
    for (const statement of grant.statements) {
      for (const action of statement.actions) {
        const reachable = principal.needs.some((n) => touches([action], statement.resources, n.action, n.resource));
        const used = usedAllowed.some((u) => touches([action], statement.resources, u.action, u.resource));
        (reachable || used ? keep : unused).push(action);
      }
    }
    if (unused.length === 0) continue;
    const call = grantCalls.callOf(grant.name, principal.name);
    const fix = keep.length === 0 ? `remove \`${call}\`` : `narrow \`${call}\` to the actions it needs: ${keep.join(", ")}`;
    findings.push({
      kind: "unused",
      principal: principal.name,
      grant: grant.name,
      call,
      actions: unused,
      keep,
      message: `${principal.name}: ${grant.name} grants ${unused.join(", ")}, which ${principal.name} can never call (no code path, no AWS service acting with its role)${principal.used ? " and no scenario used" : ""}; ${fix}`,
    });
  }

  const documents = principal.grants.map((g) => ({ name: g.name, policy: g.document }));
  const checked = new Set<string>();
  for (const need of principal.needs) {
    const key = `${need.action} ${need.resource}`;
    if (checked.has(key)) continue;
    checked.add(key);
    if (await allows(documents, need, principal.roleArn, account)) continue;
    findings.push({
      kind: "ungranted",
      principal: principal.name,
      need,
      message: `${principal.name}: ${need.why} calls ${need.action} on ${need.resource}, and no grant of its role allows it${grantCalls.hintFor(need, principal.name)}`,
    });
  }
  for (const u of principal.unresolved) {
    findings.push({ kind: "unresolved", principal: principal.name, message: `${principal.name}: ${u.why} calls ${u.action}, but ${u.problem}; pass the resource through the function's environment` });
  }

  return {
    name: principal.name,
    roleArn: principal.roleArn,
    granted: unique(principal.grants.flatMap((g) => g.statements.flatMap((s) => s.actions))),
    reachable: unique(principal.needs.map((n) => n.action)),
    ...(principal.used ? { used: unique(usedAllowed.map((u) => u.action)) } : {}),
    findings,
  };
}

/** Whether the role's identity policies allow the action on the resource, as IAM decides (@cloud-copilot/iam-simulate). */
async function allows(documents: { name: string; policy: unknown }[], need: Need, roleArn: string, account: string): Promise<boolean> {
  const roleName = roleArn.split("/").pop() ?? "role";
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${account}:assumed-role/${roleName}/verdict`,
        action: need.action,
        resource: { resource: need.resource, accountId: account },
        contextVariables: { "aws:SecureTransport": "true" },
      },
      identityPolicies: documents,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: undefined,
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") throw new Error(`IAM could not decide ${need.action} on ${need.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult === "Allowed";
}

/** IAM's wildcards: `*` any run, `?` one character; actions compare case-insensitively, ARNs as written. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, ignoreCase ? "i" : "");
  return regex.test(value);
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)].sort();
}
