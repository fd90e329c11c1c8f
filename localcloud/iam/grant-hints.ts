import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { LocalGraph } from "../graph/graph";
import type { PolicyDocument, PolicyStatement } from "./policies-from-graph";

/** A grant the graph already holds somewhere: `<grantee>-<verb>-<resource>` and what it allows. */
interface KnownGrant {
  readonly verb: string;
  readonly resourceName: string;
  readonly statements: readonly PolicyStatement[];
  readonly actionCount: number;
}

/**
 * Says which `grant*` method of which component would allow a denied call (`labels.grantSend(createShipment)`).
 * Learned, not listed: the grant methods are the `grant<Verb>(grantee)` methods the components declare, and the graph's
 * own RolePolicies — named `<grantee>-<verb>-<resource>` by `grant()` in components/grant.ts — show which verb grants
 * which actions on which resources. The hint is the narrowest such grant that allows the action on the resource, or on a
 * resource of the same type when no grant in the graph names that resource.
 */
export class GrantHints {
  private readonly methods: readonly string[];
  private readonly grants: KnownGrant[] = [];
  private readonly owners = new Map<string, string>();
  private readonly components = new Map<string, string>();

  constructor(graph: Pick<LocalGraph, "resources" | "functions" | "pipes" | "stateMachines" | "containerServices" | "queues" | "tables" | "topics" | "buses">, componentsDir: string) {
    this.methods = grantMethods(componentsDir);
    for (const f of graph.functions) this.owners.set(f.roleArn, f.component);
    for (const p of graph.pipes) this.owners.set(p.roleArn, p.component);
    for (const s of graph.stateMachines) this.owners.set(s.roleArn, s.component);
    for (const s of graph.containerServices) this.owners.set(s.taskRoleArn, s.component);
    for (const spec of [...graph.queues, ...graph.tables, ...graph.topics, ...graph.buses, ...graph.functions, ...graph.stateMachines]) this.components.set(spec.arn, spec.component);
    for (const r of graph.resources.flatMap((s) => s.resources)) {
      if (r.type !== "aws:iam/rolePolicy:RolePolicy") continue;
      const parsed = this.parseName(r.name);
      if (!parsed) continue;
      const doc = (typeof r.inputs.policy === "string" ? JSON.parse(r.inputs.policy) : r.inputs.policy) as PolicyDocument;
      const statements = ([] as PolicyStatement[]).concat(doc.Statement as PolicyStatement | PolicyStatement[]).filter((s) => s.Effect === "Allow");
      this.grants.push({ ...parsed, statements, actionCount: statements.reduce((n, s) => n + list(s.Action).length, 0) });
    }
  }

  /** The component a role belongs to (`createShipment`), or the role's name. */
  ownerOf(roleArn: string): string {
    return this.owners.get(roleArn) ?? roleArn.split("/").pop() ?? roleArn;
  }

  /** `<resource>.grant<Verb>(<grantee>)`, or undefined when no grant method in the graph allows such an action. */
  hint(roleArn: string, action: string, resource: string): string | undefined {
    const allows = (g: KnownGrant, onResource: (pattern: string) => boolean) =>
      g.statements.some((s) => list(s.Action).some((a) => matches(a, action)) && list(s.Resource).some(onResource));
    const type = resourceType(resource);
    const exact = this.grants.filter((g) => allows(g, (p) => p !== "*" && matches(p, resource)));
    const sameType = this.grants.filter((g) => allows(g, (p) => p !== "*" && resourceType(p) === type));
    const best = [...(exact.length > 0 ? exact : sameType)].sort((a, b) => a.actionCount - b.actionCount)[0];
    if (!best) return undefined;
    const method = this.methods.find((m) => m.toLowerCase() === `grant${best.verb}`.toLowerCase()) ?? `grant${best.verb[0].toUpperCase()}${best.verb.slice(1)}`;
    const target = exact.length > 0 ? best.resourceName : (this.components.get(baseArn(resource)) ?? resource.split(/[:/]/).pop());
    return `${target}.${method}(${this.ownerOf(roleArn)})`;
  }

  /** `<grantee>-<verb>-<resource>`: the verb is the segment that names a grant method. */
  private parseName(name: string): { verb: string; resourceName: string } | undefined {
    const parts = name.split("-");
    for (let i = 1; i < parts.length - 1; i++) {
      if (this.methods.some((m) => m.toLowerCase() === `grant${parts[i]}`.toLowerCase())) return { verb: parts[i], resourceName: parts.slice(i + 1).join("-") };
    }
    return undefined;
  }
}

/** The `grant<Verb>(grantee...)` methods the components declare. */
function grantMethods(componentsDir: string): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(componentsDir).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(path.join(componentsDir, file), "utf8").matchAll(/^\s+(grant[A-Z]\w*)\(grantee\b/gm)) found.add(m[1]);
  }
  return [...found];
}

function list(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === "string" ? [value] : value;
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive for actions as IAM compares them. */
function matches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(value);
}

/** `sqs` for a queue, `dynamodb:table` for a table or its index, `events:event-bus`... */
function resourceType(arn: string): string {
  const [, , service, , , rest = ""] = arn.split(":");
  const kind = rest.includes("/") ? rest.split("/")[0] : service === "sqs" || service === "sns" ? "" : rest.split(":")[0];
  return `${service}:${kind}`;
}

/** A table's ARN from an index's or stream's, a function's from a qualified one. */
function baseArn(arn: string): string {
  const table = /^(arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/[^/]+)/.exec(arn);
  if (table) return table[1];
  const fn = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)/.exec(arn);
  return fn ? fn[1] : arn;
}
