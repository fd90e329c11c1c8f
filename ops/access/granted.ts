import type { RecordedResource } from "../engine/recording-monitor";

/** One Allow statement of a grant, as IAM holds it. */
export interface GrantStatement {
  readonly actions: readonly string[];
  readonly resources: readonly string[];
}

/** One identity policy of a role: an inline RolePolicy (what `grant*` methods make), an inline or a managed policy. */
export interface Grant {
  /** The policy's name (`placeOrder-readwrite-orders`), or a managed policy's ARN. */
  readonly name: string;
  readonly urn: string;
  readonly statements: readonly GrantStatement[];
  readonly document: PolicyDocument;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly RawStatement[] | RawStatement;
}

interface RawStatement {
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
}

/** Each role's grants (by role ARN), and the managed policies the graph does not hold (AWS managed ones). */
export function grantsByRole(resources: readonly RecordedResource[]): { grants: Map<string, Grant[]>; opaque: { roleArn: string; policyArn: string }[] } {
  const grants = new Map<string, Grant[]>();
  const opaque: { roleArn: string; policyArn: string }[] = [];
  const roleByRef = new Map<string, string>();
  const managed = new Map(resources.filter((r) => r.type === "aws:iam/policy:Policy").map((r) => [String(r.outputs.arn), r]));
  const add = (roleArn: string, name: string, urn: string, policy: unknown) => {
    const document = parse(policy);
    const list = grants.get(roleArn) ?? [];
    list.push({ name, urn, document, statements: allowStatements(document) });
    grants.set(roleArn, list);
  };
  const attach = (roleArn: string, policyArn: string) => {
    const policy = managed.get(policyArn);
    if (policy) add(roleArn, policyArn, policy.urn, policy.inputs.policy);
    else opaque.push({ roleArn, policyArn });
  };
  for (const role of resources.filter((r) => r.type === "aws:iam/role:Role")) {
    const arn = String(role.outputs.arn);
    grants.set(arn, []);
    for (const ref of [arn, String(role.outputs.name ?? ""), role.id ?? ""]) if (ref) roleByRef.set(ref, arn);
    for (const inline of (role.inputs.inlinePolicies as { name?: string; policy?: unknown }[] | undefined) ?? []) {
      if (inline.policy) add(arn, String(inline.name ?? "inline"), role.urn, inline.policy);
    }
    for (const policyArn of (role.inputs.managedPolicyArns as string[] | undefined) ?? []) attach(arn, policyArn);
  }
  for (const r of resources) {
    const roleArn = roleByRef.get(String(r.inputs.role));
    if (!roleArn) continue;
    // The logical name (`placeOrder-readwrite-orders`), as grant() wrote it; the physical one has a random suffix.
    if (r.type === "aws:iam/rolePolicy:RolePolicy") add(roleArn, r.name, r.urn, r.inputs.policy);
    if (r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") attach(roleArn, String(r.inputs.policyArn));
  }
  return { grants, opaque };
}

function parse(policy: unknown): PolicyDocument {
  const parsed = (typeof policy === "string" ? JSON.parse(policy) : policy) as PolicyDocument | undefined;
  if (!parsed || typeof parsed !== "object" || !("Statement" in parsed)) throw new Error(`A role's policy is not a policy document: ${JSON.stringify(policy).slice(0, 200)}`);
  return parsed;
}

/** The Allow statements with Action and Resource lists (NotAction/NotResource grant too broadly to list: kept as `*`). */
function allowStatements(document: PolicyDocument): GrantStatement[] {
  const list = (v: string | readonly string[] | undefined) => (v === undefined ? [] : typeof v === "string" ? [v] : [...v]);
  return ([] as RawStatement[])
    .concat(document.Statement as RawStatement | RawStatement[])
    .filter((s) => s.Effect === "Allow")
    .map((s) => ({ actions: s.NotAction ? ["*"] : list(s.Action), resources: s.NotResource ? ["*"] : list(s.Resource) }));
}
