import type { RecordedResource } from "../../ops/engine/recording-monitor";
import type { LocalGraph } from "../graph/graph";

/** A policy document with the name IAM knows it by (an inline policy's name, a managed policy's ARN). */
export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
  /** The recorded resource it came from (a RolePolicy, a Role's inline policy, a Policy), for hints. */
  readonly urn: string;
}

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: unknown;
}

/**
 * Every policy the graph holds, indexed for decisions: each role's identity policies (its inline RolePolicies, the
 * Role's own `inlinePolicies`, and the customer managed policies attached through RolePolicyAttachment or
 * `managedPolicyArns`), and each resource's policy (queue, topic, bus, table, KMS key, and a function's policy made of
 * its Lambda permissions). Read once from the recorded resources; nothing is typed a second time.
 */
export class GraphPolicies {
  private readonly roles = new Map<string, { name: string; policies: NamedPolicy[] }>();
  private readonly resourcePolicies = new Map<string, PolicyDocument>();
  private readonly keys = new Map<string, string>();
  private readonly encryptedBy = new Map<string, string>();
  /** Managed policies a role names that the graph does not hold (AWS managed ones): they grant nothing here. */
  readonly unresolvedManagedPolicies: { readonly roleArn: string; readonly policyArn: string }[] = [];

  constructor(graph: Pick<LocalGraph, "resources" | "queues" | "topics" | "buses" | "functions" | "cloud">) {
    const all = graph.resources.flatMap((s) => s.resources);
    const of = (type: string) => all.filter((r) => r.type === type);
    this.readRoles(of);
    for (const queue of graph.queues) if (queue.policy) this.resourcePolicies.set(queue.arn, document(queue.policy));
    for (const topic of graph.topics) if (topic.policy) this.resourcePolicies.set(topic.arn, document(topic.policy));
    for (const bus of graph.buses) if (bus.policy) this.resourcePolicies.set(bus.arn, document(bus.policy));
    for (const r of of("aws:dynamodb/resourcePolicy:ResourcePolicy")) this.resourcePolicies.set(String(r.inputs.resourceArn), document(r.inputs.policy));
    this.readFunctionPolicies(of, graph);
    this.readKeys(of, graph);
  }

  /**
   * Adds a role outside the graph with administrator access (`*` on `*`, as the AdministratorAccess managed policy):
   * the operator's session that scenarios and tools use, as a developer's own profile would be in the account.
   */
  addAdministrator(roleArn: string): void {
    this.roles.set(roleArn, { name: roleArn.split("/").pop() ?? roleArn, policies: [{ name: "AdministratorAccess", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }, urn: "" }] });
  }

  /** The identity policies of a role, by its ARN; none for a role the graph does not hold. */
  identityPolicies(roleArn: string): readonly NamedPolicy[] {
    return this.roles.get(roleArn)?.policies ?? [];
  }

  /** A role's name (`arn:aws:iam::<account>:role/<path/>name` ends with it). */
  roleName(roleArn: string): string {
    return this.roles.get(roleArn)?.name ?? roleArn.split("/").pop() ?? roleArn;
  }

  hasRole(roleArn: string): boolean {
    return this.roles.has(roleArn);
  }

  /** The resource-based policy of a queue, topic, bus, table or function, or a key policy, by ARN. */
  resourcePolicy(arn: string): PolicyDocument | undefined {
    return this.resourcePolicies.get(arn);
  }

  /** The ARN of the customer managed key a queue, topic or table is encrypted with (AWS managed keys: none). */
  keyFor(resourceArn: string): string | undefined {
    return this.encryptedBy.get(resourceArn);
  }

  private readRoles(of: (type: string) => RecordedResource[]): void {
    const managed = new Map(of("aws:iam/policy:Policy").map((r) => [String(r.outputs.arn), r]));
    const byNameOrId = new Map<string, string>();
    for (const role of of("aws:iam/role:Role")) {
      const arn = String(role.outputs.arn);
      const name = String(role.outputs.name ?? role.name);
      byNameOrId.set(name, arn);
      if (role.id) byNameOrId.set(role.id, arn);
      byNameOrId.set(arn, arn);
      const policies: NamedPolicy[] = [];
      for (const inline of (role.inputs.inlinePolicies as { name?: string; policy?: unknown }[] | undefined) ?? []) {
        if (inline.policy) policies.push({ name: String(inline.name ?? "inline"), policy: document(inline.policy), urn: role.urn });
      }
      this.roles.set(arn, { name, policies });
      for (const policyArn of (role.inputs.managedPolicyArns as string[] | undefined) ?? []) this.attach(arn, policyArn, managed);
    }
    const roleOf = (ref: unknown) => byNameOrId.get(String(ref));
    for (const r of of("aws:iam/rolePolicy:RolePolicy")) {
      const arn = roleOf(r.inputs.role);
      if (arn) this.roles.get(arn)!.policies.push({ name: String(r.outputs.name ?? r.name), policy: document(r.inputs.policy), urn: r.urn });
    }
    for (const r of of("aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
      const arn = roleOf(r.inputs.role);
      if (arn) this.attach(arn, String(r.inputs.policyArn), managed);
    }
  }

  private attach(roleArn: string, policyArn: string, managed: ReadonlyMap<string, RecordedResource>): void {
    const policy = managed.get(policyArn);
    if (!policy) {
      this.unresolvedManagedPolicies.push({ roleArn, policyArn });
      return;
    }
    this.roles.get(roleArn)!.policies.push({ name: policyArn, policy: document(policy.inputs.policy), urn: policy.urn });
  }

  /**
   * A function's resource-based policy, as GetPolicy shows the statements AddPermission made: the principal (a service,
   * an account, an ARN), the action, the function (with its qualifier), and the source ARN and account as conditions.
   * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
   */
  private readFunctionPolicies(of: (type: string) => RecordedResource[], graph: Pick<LocalGraph, "functions" | "cloud">): void {
    const statements = new Map<string, PolicyStatement[]>();
    for (const r of of("aws:lambda/permission:Permission")) {
      const ref = String(r.inputs.function);
      const fn = graph.functions.find((f) => f.name === ref || f.arn === ref || ref.startsWith(`${f.arn}:`));
      if (!fn) continue;
      const principal = String(r.inputs.principal);
      const condition: Record<string, Record<string, string>> = {};
      if (r.inputs.sourceArn) condition.ArnLike = { "AWS:SourceArn": String(r.inputs.sourceArn) };
      if (r.inputs.sourceAccount) condition.StringEquals = { "AWS:SourceAccount": String(r.inputs.sourceAccount) };
      const list = statements.get(fn.arn) ?? [];
      list.push({
        Sid: String(r.inputs.statementId ?? r.name),
        Effect: "Allow",
        Principal: principal.endsWith(".amazonaws.com") ? { Service: principal } : principal === "*" ? "*" : { AWS: /^\d{12}$/.test(principal) ? `arn:${graph.cloud.partition}:iam::${principal}:root` : principal },
        Action: String(r.inputs.action),
        Resource: r.inputs.qualifier ? `${fn.arn}:${String(r.inputs.qualifier)}` : fn.arn,
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      });
      statements.set(fn.arn, list);
    }
    for (const [arn, list] of statements) this.resourcePolicies.set(arn, { Version: "2012-10-17", Statement: list });
  }

  private readKeys(of: (type: string) => RecordedResource[], graph: Pick<LocalGraph, "queues" | "topics">): void {
    for (const key of of("aws:kms/key:Key")) {
      const arn = String(key.outputs.arn);
      for (const ref of [arn, key.id, key.outputs.keyId]) if (typeof ref === "string" && ref) this.keys.set(ref, arn);
      if (key.inputs.policy) this.resourcePolicies.set(arn, document(key.inputs.policy));
    }
    for (const alias of of("aws:kms/alias:Alias")) {
      const target = this.keys.get(String(alias.inputs.targetKeyId));
      if (target) this.keys.set(String(alias.inputs.name), target);
    }
    const keyOf = (ref: unknown) => (typeof ref === "string" ? this.keys.get(ref) : undefined);
    for (const queue of graph.queues) {
      const key = keyOf(queue.kmsMasterKeyId);
      if (key) this.encryptedBy.set(queue.arn, key);
    }
    for (const topic of graph.topics) {
      const key = keyOf(topic.kmsMasterKeyId);
      if (key) this.encryptedBy.set(topic.arn, key);
    }
    for (const table of of("aws:dynamodb/table:Table")) {
      const sse = table.inputs.serverSideEncryption as { enabled?: boolean; kmsKeyArn?: string } | undefined;
      const key = sse?.enabled ? keyOf(sse.kmsKeyArn) : undefined;
      if (key) this.encryptedBy.set(String(table.outputs.arn), key);
    }
  }
}

function document(value: unknown): PolicyDocument {
  const parsed = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
  if (parsed === null || typeof parsed !== "object" || !("Statement" in parsed)) {
    throw new Error(`A policy in the graph is not a policy document: ${JSON.stringify(value).slice(0, 200)}`);
  }
  return parsed as PolicyDocument;
}
