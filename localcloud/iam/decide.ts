import { runSimulation, type EvaluationResult } from "@cloud-copilot/iam-simulate";
import type { GraphPolicies } from "./policies-from-graph";

/** One authorization request: who, doing what, on what, on whose behalf. */
export interface AuthorizationRequest {
  /** A role ARN (the caller holds a session of it), or a service principal (`events.amazonaws.com`). */
  readonly principal: string;
  /** The session name of a role's session (Lambda names it after the function). */
  readonly sessionName?: string;
  /** `sqs:SendMessage`. */
  readonly action: string;
  /** The resource's ARN. */
  readonly resource: string;
  /** `aws:SourceArn`: the rule, topic, pipe or API method a service acts for. */
  readonly sourceArn?: string;
}

export interface Decision {
  readonly allowed: boolean;
  readonly result: EvaluationResult;
  /** The principal as AWS names it in a denial: the assumed-role session ARN, or the service principal. */
  readonly principalArn: string;
  /** Which kind of policy decided a denial. */
  readonly deniedBy?: "identity-based" | "resource-based";
  /** AWS's sentence for a denial: `User: <principal> is not authorized to perform: <action> on resource: <arn> because...`. */
  readonly message?: string;
}

/**
 * Decides a request with @cloud-copilot/iam-simulate, as IAM's policy evaluation logic does for a request within one
 * account: an explicit deny in any policy denies; otherwise an allow in the principal's identity policies or in the
 * resource's policy allows (a KMS key policy must allow itself, or delegate to the account's IAM policies).
 *
 * Every request counts as made over TLS (`aws:SecureTransport` true): the AWS SDK reaches AWS over HTTPS, and the local
 * endpoint's plain HTTP stands in for that endpoint, so the `DenyInsecureTransport` statements every queue and topic
 * policy carries decide nothing here, as they decide nothing for the SDK in AWS.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export async function decide(policies: GraphPolicies, request: AuthorizationRequest, account: string): Promise<Decision> {
  const isRole = request.principal.startsWith("arn:");
  const principalArn = isRole ? sessionArn(request.principal, policies.roleName(request.principal), request.sessionName ?? "local", account) : request.principal;
  const context: Record<string, string> = { "aws:SecureTransport": "true" };
  if (request.sourceArn) {
    context["aws:SourceArn"] = request.sourceArn;
    context["aws:SourceAccount"] = account;
  }
  const result = await runSimulation(
    {
      request: { principal: principalArn, action: request.action, resource: { resource: request.resource, accountId: account }, contextVariables: context },
      identityPolicies: isRole ? policies.identityPolicies(request.principal).map((p) => ({ name: p.name, policy: p.policy })) : [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: policies.resourcePolicy(request.resource),
    },
    { simulationMode: "Strict" },
  );
  if (result.resultType === "error") {
    throw new Error(`IAM could not decide ${request.action} on ${request.resource} for ${principalArn}: ${result.errors.message} ${JSON.stringify(result.errors)}`);
  }
  if (result.overallResult === "Allowed") return { allowed: true, result: "Allowed", principalArn };
  const analysis = result.resultType === "single" ? result.result.analysis : result.results[0]?.analysis;
  const identityDenied = analysis?.identityAnalysis?.result === "ExplicitlyDenied";
  const resourceDenied = analysis?.resourceAnalysis?.result === "ExplicitlyDenied";
  const deniedBy = result.overallResult === "ExplicitlyDenied" ? (identityDenied || !resourceDenied ? "identity-based" : "resource-based") : isRole ? "identity-based" : "resource-based";
  const because = result.overallResult === "ExplicitlyDenied" ? `with an explicit deny in ${deniedBy === "identity-based" ? "an" : "a"} ${deniedBy} policy` : `because no ${deniedBy} policy allows the ${request.action} action`;
  return {
    allowed: false,
    result: result.overallResult,
    principalArn,
    deniedBy,
    message: `User: ${principalArn} is not authorized to perform: ${request.action} on resource: ${request.resource} ${because}`,
  };
}

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session name>`: how a role's session signs and is named in denials. */
export function sessionArn(roleArn: string, roleName: string, sessionName: string, account: string): string {
  const partition = roleArn.split(":")[1] ?? "aws";
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}
