import { AwsError } from "../kernel/aws-error";
import type { EndpointOperation } from "../endpoint/operation";
import type { LocalGraph } from "../graph/graph";
import type { SignatureFailure } from "./sigv4";

/** One action on one resource that IAM authorizes for a request. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
}

/** How a service answers a request IAM refuses, in the error shapes of its own API. */
export interface AuthErrors {
  /** The caller may not do what it asked. */
  accessDenied(message: string): AwsError;
  /** The request is unsigned, signed with a key the local cloud did not issue, or signed wrongly. */
  badSignature(failure: SignatureFailure): AwsError;
}

/** What IAM needs to know of a service: a service module's `iam`. */
export interface ServiceIam {
  /** The service prefix of its IAM actions (`sqs`, `sms-voice`), as the Service Authorization Reference lists them. */
  readonly prefix: string;
  /**
   * What IAM authorizes each of its endpoint operations as: the action and the resource read from the request's
   * parameters. Undefined for a request it cannot map: the caller refuses it rather than let it through.
   * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
   */
  readonly permissions?: (operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues" | "buses" | "tables">) => RequiredPermission[] | undefined;
  /** The action a delivery from another service to one of its resources is authorized as (`sqs:SendMessage`). */
  readonly deliveryAction?: string;
  readonly errors: AuthErrors;
}

/**
 * The JSON services' answers (DynamoDB, EventBridge, Step Functions, End User Messaging SMS, KMS):
 * AccessDeniedException, and MissingAuthenticationTokenException, IncompleteSignatureException,
 * UnrecognizedClientException or InvalidSignatureException for a bad signature; 400 unless the API says otherwise.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */
export function jsonAuthErrors(status: { readonly denied: number; readonly signature: number } = { denied: 400, signature: 400 }): AuthErrors {
  return {
    accessDenied: (message) => new AwsError("AccessDeniedException", message, status.denied),
    badSignature: (failure) => {
      const code = { missing: "MissingAuthenticationTokenException", incomplete: "IncompleteSignatureException", "unknown-key": "UnrecognizedClientException", mismatch: "InvalidSignatureException" }[failure.kind];
      return new AwsError(code, failure.message, status.signature, "Sender");
    },
  };
}

/**
 * The query-era codes of a bad signature (MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId,
 * SignatureDoesNotMatch; 403), which SQS and SNS answer; SQS's JSON protocol repeats the code in its query-compatible
 * header.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 */
export function querySignatureError(failure: SignatureFailure, queryCompatible: boolean): AwsError {
  const code = { missing: "MissingAuthenticationToken", incomplete: "IncompleteSignature", "unknown-key": "InvalidClientTokenId", mismatch: "SignatureDoesNotMatch" }[failure.kind];
  return new AwsError(code, failure.message, 403, "Sender", queryCompatible ? code : undefined);
}
