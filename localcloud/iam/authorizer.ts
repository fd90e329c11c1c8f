import path from "node:path";
import type { Activity } from "../kernel/activity";
import type { CredentialIssuer } from "../kernel/credentials";
import type { DeliveryFailure, DeliveryOptions } from "../kernel/delivery";
import type { LocalGraph } from "../graph/graph";
import { AccessLog } from "./access-log";
import { decide, type AuthorizationRequest, type Decision } from "./decide";
import { GrantHints } from "./grant-hints";
import { operationName, type EndpointOperation } from "../endpoint/operation";
import type { OperationTable } from "./operations";
import { GraphPolicies } from "./policies-from-graph";
import { verifySignature, type SignedRequestParts } from "./sigv4";

/** A call one part of the local cloud makes on another's behalf (a pipe invoking its enrichment, a saga putting events). */
export interface InternalCall extends AuthorizationRequest {
  /** What makes the call, for the activity log (`pipe newOrders`). */
  readonly via?: string;
  readonly traceId?: string;
}

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
  /** Every decision, per principal: what `orderflow local --scenario` writes to access.json. */
  readonly accessLog: AccessLog;
  private readonly decisions = new Map<string, Promise<Decision>>();
  private readonly sessionNames = new Map<string, string>();

  constructor(
    private readonly graph: LocalGraph,
    /** What each request needs and how each service refuses: the registry's services. */
    private readonly operations: OperationTable,
    private readonly credentials: CredentialIssuer,
    private readonly activity: Activity,
    root: string,
    /** The operator's role (scenarios, tools): administrator access, as a developer's own profile in the account. */
    operatorRoleArn?: string,
  ) {
    this.policies = new GraphPolicies(graph);
    if (operatorRoleArn) this.policies.addAdministrator(operatorRoleArn);
    this.hints = new GrantHints(graph, path.join(root, "components"));
    this.accessLog = new AccessLog(new Set(operatorRoleArn ? [operatorRoleArn] : []));
    // Lambda names a function's session after the function; ECS a task's after the task (the service stands in).
    for (const f of graph.functions) this.sessionNames.set(f.roleArn, f.name);
    for (const s of graph.containerServices) this.sessionNames.set(s.taskRoleArn, s.name);
  }

  /**
   * The endpoint's check of a request: a valid signature of a session the local cloud issued, then an allow for each
   * action the request needs. Throws the error the service answers with.
   */
  async authorizeRequest(request: SignedRequestParts, operation: EndpointOperation): Promise<void> {
    const errors = this.operations.errorsOf(operation);
    const verified = await verifySignature(request, (key) => this.credentials.byAccessKey(key));
    if ("kind" in verified) throw errors.badSignature(verified);
    const roleArn = this.credentials.byAccessKey(verified.accessKeyId)!.roleArn;
    const needed = this.operations.requiredPermissions(operation, this.graph);
    if (!needed) {
      throw errors.accessDenied(`The local cloud cannot tell which IAM action and resource ${operationName(operation)} needs, so it refuses it rather than allow it unchecked (run with --iam off to skip IAM).`);
    }
    for (const permission of [...needed, ...needed.flatMap((p) => this.keyPermissions(p.action, p.resource))]) {
      const decision = await this.check({ principal: roleArn, action: permission.action, resource: permission.resource, via: this.hints.ownerOf(roleArn) });
      if (!decision.allowed) throw (permission.action.startsWith("kms:") ? this.operations.errorsOfAction(permission.action) : errors).accessDenied(decision.message!);
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
    const isRole = call.principal.startsWith("arn:");
    this.accessLog.record(call.principal, isRole ? this.hints.ownerOf(call.principal) : call.principal, {
      action: call.action,
      resource: call.resource,
      ...(call.sourceArn ? { sourceArn: call.sourceArn } : {}),
      allowed: result.allowed,
    });
    if (!result.allowed) this.recordDenial(call, result);
    return result;
  }

  /** Decides an internal call; throws AccessDenied in the target service's shape when denied. */
  async assertAllowed(call: InternalCall): Promise<void> {
    const decision = await this.check(call);
    if (!decision.allowed) throw this.operations.errorsOfAction(call.action).accessDenied(decision.message!);
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
    const action = this.operations.deliveryActionOf(targetArn);
    if (!action) return undefined;
    const base = { principal: options.principal, ...(options.sourceArn ? { sourceArn: options.sourceArn } : {}), via: options.source, ...(options.traceId ? { traceId: options.traceId } : {}) };
    const key = service === "sqs" || service === "sns" ? this.policies.keyFor(targetArn) : undefined;
    const calls: InternalCall[] = [{ ...base, action, resource: targetArn }, ...(key ? ["kms:GenerateDataKey", "kms:Decrypt"].map((a) => ({ ...base, action: a, resource: key })) : [])];
    for (const call of calls) {
      const decision = await this.check(call);
      if (decision.allowed) continue;
      const fromRule = /^arn:[^:]+:events:[^:]*:[^:]*:rule\//.test(options.sourceArn ?? "");
      const error = this.operations.errorsOfAction(call.action).accessDenied(decision.message!);
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
