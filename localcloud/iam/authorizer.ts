import path from "node:path";
import type { Activity } from "../kernel/activity";
import { AwsError } from "../kernel/aws-error";
import type { CredentialIssuer } from "../kernel/credentials";
import type { DeliveryFailure, DeliveryOptions } from "../kernel/delivery";
import type { LocalGraph } from "../graph/graph";
import { decide, type AuthorizationRequest, type Decision } from "./decide";
import { GrantHints } from "./grant-hints";
import { requiredPermissions, serviceOf, type EndpointOperation } from "./operations";
import { GraphPolicies } from "./policies-from-graph";
import { verifySignature, type SignatureFailure, type SignedRequestParts } from "./sigv4";

/** A call one part of the local cloud makes on another's behalf (a pipe invoking its enrichment, a saga putting events). */
export interface InternalCall extends AuthorizationRequest {
  /** What makes the call, for the activity log (`pipe newOrders`). */
  readonly via?: string;
  readonly traceId?: string;
}

/** The action a delivery to a target of each service is authorized as. */
const DELIVERY_ACTIONS: Readonly<Record<string, string>> = {
  sqs: "sqs:SendMessage",
  sns: "sns:Publish",
  lambda: "lambda:InvokeFunction",
  states: "states:StartExecution",
  events: "events:PutEvents",
};

/**
 * The local cloud's IAM: every request a function or task signs reaches the endpoint, whose signature is verified with
 * the secret its role's session was issued, and is decided on the role's identity policies and the resource's policy;
 * every delivery between services (a rule to its target, a topic to a queue, a pipe to its enrichment and target, the
 * saga to its functions and bus, API Gateway to a function) is decided the same way for the service principal or role
 * that makes it. A denial is answered as AWS answers it, and recorded in the activity with the grant that would allow it.
 */
export class LocalIam {
  readonly policies: GraphPolicies;
  readonly hints: GrantHints;
  private readonly decisions = new Map<string, Promise<Decision>>();
  private readonly sessionNames = new Map<string, string>();

  constructor(
    private readonly graph: LocalGraph,
    private readonly credentials: CredentialIssuer,
    private readonly activity: Activity,
    root: string,
    /** The operator's role (scenarios, tools): administrator access, as a developer's own profile in the account. */
    operatorRoleArn?: string,
  ) {
    this.policies = new GraphPolicies(graph);
    if (operatorRoleArn) this.policies.addAdministrator(operatorRoleArn);
    this.hints = new GrantHints(graph, path.join(root, "components"));
    // Lambda names a function's session after the function; ECS a task's after the task (the service stands in).
    for (const f of graph.functions) this.sessionNames.set(f.roleArn, f.name);
    for (const s of graph.containerServices) this.sessionNames.set(s.taskRoleArn, s.name);
  }

  /**
   * The endpoint's check of a request: a valid signature of a session the local cloud issued, then an allow for each
   * action the request needs. Throws the error the service answers with.
   */
  async authorizeRequest(request: SignedRequestParts, operation: EndpointOperation): Promise<void> {
    const service = serviceOf(operation);
    const verified = await verifySignature(request, (key) => this.credentials.byAccessKey(key));
    if ("kind" in verified) throw signatureError(service, verified);
    const roleArn = this.credentials.byAccessKey(verified.accessKeyId)!.roleArn;
    const needed = requiredPermissions(operation, this.graph);
    const name = operation.protocol === "json" ? `${operation.targetPrefix}.${operation.operation}` : operation.protocol === "query" ? `${service.toUpperCase()} ${operation.params.Action}` : `${operation.method} ${operation.path}`;
    if (!needed) {
      throw denialError(service, `The local cloud cannot tell which IAM action and resource ${name} needs, so it refuses it rather than allow it unchecked (run with --iam off to skip IAM).`);
    }
    for (const permission of [...needed, ...needed.flatMap((p) => this.keyPermissions(p.action, p.resource))]) {
      const decision = await this.check({ principal: roleArn, action: permission.action, resource: permission.resource, via: this.hints.ownerOf(roleArn) });
      if (!decision.allowed) throw denialError(permission.action.startsWith("kms:") ? "kms" : service, decision.message!);
    }
  }

  /**
   * What a call on an encrypted queue or topic also needs on its customer managed key: a producer kms:GenerateDataKey
   * and kms:Decrypt, a consumer kms:Decrypt (SQS developer guide, "Key management"; SNS, "Managing encryption keys").
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
   */
  private keyPermissions(action: string, resource: string): { action: string; resource: string }[] {
    const key = this.policies.keyFor(resource);
    if (!key) return [];
    if (action === "sqs:SendMessage" || action === "sns:Publish") return ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => ({ action: a, resource: key }));
    if (action === "sqs:ReceiveMessage") return [{ action: "kms:Decrypt", resource: key }];
    return [];
  }

  /** Decides an internal call and records a denial; resolves to the decision. */
  async check(call: InternalCall): Promise<Decision> {
    const request: AuthorizationRequest = { ...call, ...(call.principal.startsWith("arn:") ? { sessionName: this.sessionNames.get(call.principal) ?? call.via ?? "local" } : {}) };
    const key = JSON.stringify([request.principal, request.sessionName, request.action, request.resource, request.sourceArn]);
    let decision = this.decisions.get(key);
    if (!decision) {
      decision = decide(this.policies, request, this.graph.cloud.account);
      this.decisions.set(key, decision);
    }
    const result = await decision;
    if (!result.allowed) this.recordDenial(call, result);
    return result;
  }

  /** Decides an internal call; throws AccessDenied in the target service's shape when denied. */
  async assertAllowed(call: InternalCall): Promise<void> {
    const decision = await this.check(call);
    if (!decision.allowed) throw denialError(call.action.split(":")[0], decision.message!);
  }

  /**
   * A delivery between services, decided for the principal that makes it: the target's action (sqs:SendMessage for a
   * queue...), and on an encrypted queue or topic kms:GenerateDataKey and kms:Decrypt on its customer managed key.
   * EventBridge does not retry a target it has no permission for: the failure's code is NO_PERMISSIONS, the code its
   * dead-letter messages carry (EventBridge user guide, "Using dead-letter queues").
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
   * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
   */
  async authorizeDelivery(targetArn: string, options: DeliveryOptions): Promise<DeliveryFailure | undefined> {
    const service = targetArn.split(":")[2];
    const action = DELIVERY_ACTIONS[service];
    if (!action) return undefined;
    const base = { principal: options.principal, ...(options.sourceArn ? { sourceArn: options.sourceArn } : {}), via: options.source, ...(options.traceId ? { traceId: options.traceId } : {}) };
    const key = service === "sqs" || service === "sns" ? this.policies.keyFor(targetArn) : undefined;
    const calls: InternalCall[] = [{ ...base, action, resource: targetArn }, ...(key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => ({ ...base, action: a, resource: key })) : [])];
    for (const call of calls) {
      const decision = await this.check(call);
      if (decision.allowed) continue;
      const fromRule = /^arn:[^:]+:events:[^:]*:[^:]*:rule\//.test(options.sourceArn ?? "");
      const error = denialError(call.action.split(":")[0], decision.message!);
      return { code: fromRule ? "NO_PERMISSIONS" : error.code, message: decision.message!, retryable: false };
    }
    return undefined;
  }

  private recordDenial(call: InternalCall, decision: Decision): void {
    const hint = call.principal.startsWith("arn:")
      ? this.hints.hint(call.principal, call.action, call.resource)
      : undefined;
    const remedy = hint
      ? ` — ${hint} would allow it`
      : !call.principal.startsWith("arn:")
        ? ` — the resource policy of ${call.resource.split(/[:/]/).pop()} must allow ${call.principal}${call.sourceArn ? ` for aws:SourceArn ${call.sourceArn}` : ""}`
        : "";
    this.activity.record({
      service: "iam",
      kind: "access-denied",
      name: call.principal.startsWith("arn:") ? this.hints.ownerOf(call.principal) : (call.via ?? call.principal),
      detail: `AccessDenied: ${decision.message}${remedy}`,
      error: true,
      ...(call.traceId ? { traceId: call.traceId } : {}),
    });
  }
}

/**
 * Each service's own error for a denial: SQS answers AccessDenied (403, its query-compatible code), SNS
 * AuthorizationError (403), the JSON services AccessDeniedException (400), SES v2 AccessDeniedException (403).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
export function denialError(service: string, message: string): AwsError {
  switch (service) {
    case "sqs":
    case "cloudwatch":
      return new AwsError("AccessDenied", message, 403, "Sender", "AccessDenied");
    case "sts":
      return new AwsError("AccessDenied", message, 403);
    case "sns":
      return new AwsError("AuthorizationError", message, 403);
    case "ses":
    case "lambda":
      return new AwsError("AccessDeniedException", message, 403);
    default:
      return new AwsError("AccessDeniedException", message, 400);
  }
}

/**
 * Each service's own error for a request that is unsigned, signed with a key it does not know, or signed wrongly: the
 * query-era codes (MissingAuthenticationToken, InvalidClientTokenId, SignatureDoesNotMatch; 403) for SQS and SNS, the
 * JSON services' (MissingAuthenticationTokenException, UnrecognizedClientException, InvalidSignatureException; 400,
 * 403 for SES v2).
 */
export function signatureError(service: string, failure: SignatureFailure): AwsError {
  const legacy = service === "sqs" || service === "sns" || service === "sts" || service === "cloudwatch";
  const status = legacy || service === "ses" ? 403 : 400;
  const code = {
    missing: legacy ? "MissingAuthenticationToken" : "MissingAuthenticationTokenException",
    incomplete: legacy ? "IncompleteSignature" : "IncompleteSignatureException",
    "unknown-key": legacy ? "InvalidClientTokenId" : "UnrecognizedClientException",
    mismatch: legacy ? "SignatureDoesNotMatch" : "InvalidSignatureException",
  }[failure.kind];
  return new AwsError(code, failure.message, status, "Sender", service === "sqs" || service === "cloudwatch" ? code : undefined);
}
