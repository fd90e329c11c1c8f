import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Who receives a grant: a role, with the name its grant policies are called by. Functions, sagas, pipes and
 * container workers are grantees; a bare `aws.iam.Role` is one too (its Pulumi name names the policies).
 */
export interface Grantee {
  /** The role the permissions are attached to, as inline policies. */
  readonly role: aws.iam.Role;
  /** Prefix of the grant policies' logical names; unique in the stack. */
  readonly grantName: string;
  /** The resource the grant policies are parented to, so they sit beside the role in the component tree. */
  readonly grantParent: pulumi.Resource;
}

/** Anything a `grant*` method accepts. */
export type GranteeLike = Grantee | aws.iam.Role;

/** One Allow statement: exact actions on exact ARNs. */
export interface Permission {
  readonly actions: readonly string[];
  readonly resources: readonly pulumi.Input<string>[];
}

export function toGrantee(grantee: GranteeLike): Grantee {
  if (aws.iam.Role.isInstance(grantee)) {
    return { role: grantee, grantName: pulumi.resourceName(grantee), grantParent: grantee };
  }
  return grantee;
}

// One role may be granted the same thing twice (two subscriptions of one function, say). The second call returns the
// first policy instead of registering a duplicate URN; a second call with other actions under the same id is a
// mistake (the first policy would silently win), and fails.
const issued = new WeakMap<aws.iam.Role, Map<string, { policy: aws.iam.RolePolicy; actions: string }>>();

/**
 * Attaches one inline policy to the grantee's role, named `<grantee>-<grantId>`, with one Allow statement per
 * permission. `grantId` says what and on what (`send-ordersQueue`), so the policy's name reads as the grant it is.
 */
export function grant(granteeLike: GranteeLike, grantId: string, permissions: readonly Permission[]): aws.iam.RolePolicy {
  const grantee = toGrantee(granteeLike);
  const byRole = issued.get(grantee.role) ?? new Map<string, { policy: aws.iam.RolePolicy; actions: string }>();
  issued.set(grantee.role, byRole);
  const actions = permissions.map((p) => p.actions.join(",")).join(";");
  const existing = byRole.get(grantId);
  if (existing) {
    if (existing.actions !== actions) {
      throw new Error(`${grantee.grantName} was already granted "${grantId}" with ${existing.actions.replace(/;/g, "; ")}, and now with ${actions.replace(/;/g, "; ")}: grant every action it needs in one call.`);
    }
    return existing.policy;
  }

  const policy = new aws.iam.RolePolicy(
    `${grantee.grantName}-${grantId}`,
    { role: grantee.role.name, policy: policyDocument(permissions) },
    { parent: grantee.grantParent },
  );
  byRole.set(grantId, { policy, actions });
  return policy;
}

/** An identity policy document, as the JSON string IAM takes. */
export function policyDocument(permissions: readonly Permission[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: permissions.map((p) => ({ Effect: "Allow", Action: [...p.actions], Resource: [...p.resources] })),
  });
}

/** The KMS action a consumer needs on a customer key to read encrypted messages. */
export const KMS_DECRYPT = ["kms:Decrypt"] as const;
