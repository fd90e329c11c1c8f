import type { LocalGraph } from "../graph/graph";
import { isOperationOf, type ApiIdentity, type EndpointOperation } from "../endpoint/operation";
import { jsonAuthErrors, type AuthErrors, type RequiredPermission, type ServiceIam } from "./service-iam";

/** A service as the operation table sees it: the registry's modules are these. */
export interface IamService {
  /** Its name in ARNs (`arn:aws:<name>:...`), where deliveries to it are told apart. */
  readonly name: string;
  readonly api?: ApiIdentity;
  readonly iam?: ServiceIam;
}

/** The answers of a service the table does not know (KMS, on a queue's or topic's key). */
const JSON_ERRORS = jsonAuthErrors();

/**
 * What IAM authorizes a request as, and how a refusal is answered, from the services the registry lists: each says
 * which requests are its own (its API identity), which IAM action and resource each operation needs, and its errors.
 */
export class OperationTable {
  constructor(private readonly services: readonly IamService[]) {}

  /** The service whose API a request is. */
  serviceOf(operation: EndpointOperation): IamService | undefined {
    return this.services.find((s) => s.api && isOperationOf(s.api, operation));
  }

  /**
   * The actions and resources a request needs (batch and transaction operations: each item's own); undefined for a
   * request the local cloud cannot map, which the caller refuses rather than let it through.
   */
  requiredPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues" | "buses" | "tables">): RequiredPermission[] | undefined {
    return this.serviceOf(operation)?.iam?.permissions?.(operation, graph);
  }

  /** The errors a request's service answers a refusal with. */
  errorsOf(operation: EndpointOperation): AuthErrors {
    return this.serviceOf(operation)?.iam?.errors ?? JSON_ERRORS;
  }

  /** The errors of the service an IAM action belongs to (`sqs:SendMessage`: SQS's). */
  errorsOfAction(action: string): AuthErrors {
    const prefix = action.split(":")[0];
    return this.services.find((s) => s.iam?.prefix === prefix)?.iam?.errors ?? JSON_ERRORS;
  }

  /** The action a delivery to a target ARN is authorized as (`sqs:SendMessage` for a queue); undefined when none is. */
  deliveryActionOf(targetArn: string): string | undefined {
    const service = targetArn.split(":")[2];
    return this.services.find((s) => s.name === service)?.iam?.deliveryAction;
  }
}
