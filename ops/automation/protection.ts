import type { StackDeployment } from "./workspace";

/** A resource of a stack's state that will stop `destroy`, and what turns its protection off. */
export interface ProtectedResource {
  readonly stack: string;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** Why the destroy stops there, and how to lift it. */
  readonly reason: string;
}

/**
 * The settings AWS refuses a delete for while they are on, per resource type, with what turns them off here. (DynamoDB:
 * "you can't delete a table that has deletion protection enabled", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection.)
 */
const AWS_DELETION_PROTECTION: readonly { type: string; property: string; fix: string }[] = [
  { type: "aws:dynamodb/table:Table", property: "deletionProtectionEnabled", fix: "set `orderflow:deletionProtection: false` in Pulumi.<env>.yaml and run `up` first" },
  { type: "aws:rds/instance:Instance", property: "deletionProtection", fix: "turn `deletionProtection` off and run `up` first" },
  { type: "aws:rds/cluster:Cluster", property: "deletionProtection", fix: "turn `deletionProtection` off and run `up` first" },
  { type: "aws:lb/loadBalancer:LoadBalancer", property: "enableDeletionProtection", fix: "turn `enableDeletionProtection` off and run `up` first" },
];

/**
 * What in a stack's state will stop its destroy: resources Pulumi protects (`protect: true`, which `pulumi destroy`
 * refuses to delete) and resources whose AWS deletion protection is on (the provider's delete call fails).
 */
export function protectedResources(stack: string, deployment: StackDeployment): ProtectedResource[] {
  const found: ProtectedResource[] = [];
  for (const r of deployment.resources ?? []) {
    const name = r.urn.split("::").at(-1) ?? r.urn;
    if (r.protect) {
      found.push({ stack, urn: r.urn, type: r.type, name, reason: `Pulumi protects it (protect: true); \`pulumi state unprotect '${r.urn}'\` lifts that` });
    }
    const rule = AWS_DELETION_PROTECTION.find((p) => p.type === r.type);
    if (rule && (r.outputs?.[rule.property] === true || r.inputs?.[rule.property] === true)) {
      found.push({ stack, urn: r.urn, type: r.type, name, reason: `AWS deletion protection is on (${rule.property}); ${rule.fix}` });
    }
  }
  return found;
}
