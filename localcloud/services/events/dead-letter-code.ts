import type { DeliveryFailure } from "../../kernel/delivery";

// The ERROR_CODE an EventBridge target's dead-letter message carries. EventBridge reports its own codes, not the
// target service's exception names; the rule DLQ page lists them ("The following is a sample of the error codes a DLQ
// can return": CONNECTION_FAILURE, ERROR_FROM_TARGET, INVALID_JSON, INVALID_PARAMETER, NO_PERMISSIONS, NO_RESOURCE,
// SDK_CLIENT_ERROR, THROTTLING, TIMEOUT, UNKNOWN, ...),
// https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html. The target's own error stays readable in
// ERROR_MESSAGE.

/** EventBridge's codes, as the page spells them. */
const EVENTBRIDGE_CODES = new Set([
  "CONNECTION_FAILURE",
  "CROSS_ACCOUNT_INGESTION_FAILED",
  "CROSS_REGION_INGESTION_FAILED",
  "ERROR_FROM_TARGET",
  "EVENTS_IN_BATCH_REQUEST_REJECTED",
  "FAILED_TO_ASSUME_ROLE",
  "INTERNAL_ERROR",
  "INVALID_JSON",
  "INVALID_PARAMETER",
  "NO_PERMISSIONS",
  "NO_RESOURCE",
  "RESOURCE_ALREADY_EXISTS",
  "RESOURCE_LIMIT_EXCEEDED",
  "RESOURCE_MODIFICATION_COLLISION",
  "SDK_CLIENT_ERROR",
  "THIRD_ACCOUNT_HOP_DETECTED",
  "THIRD_REGION_HOP_DETECTED",
  "THROTTLING",
  "TIMEOUT",
  "TRANSIENT_ASSUME_ROLE",
  "UNKNOWN",
]);

/** The code EventBridge puts in ERROR_CODE for a failed delivery. */
export function deadLetterErrorCode(failure: DeliveryFailure): string {
  const code = failure.code;
  if (EVENTBRIDGE_CODES.has(code)) return code;
  // A denied call: the rule's role, or the target's resource policy, does not allow it.
  if (/AccessDenied|NotAuthorized|AuthorizationError|Forbidden/i.test(code)) return "NO_PERMISSIONS";
  // The target is gone: a deleted queue, function, topic, state machine or bus.
  if (/NotFound|DoesNotExist|NonExistent|NoSuch/i.test(code)) return "NO_RESOURCE";
  if (/Throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(code)) return "THROTTLING";
  if (/Timeout|TimedOut/i.test(code)) return "TIMEOUT";
  // The input transformer rendered something that is not the JSON its template promised.
  if (code === "InvalidInputTransformer") return "INVALID_JSON";
  if (/InvalidParameter|Validation|InvalidMessageContents|InvalidRequest/i.test(code)) return "INVALID_PARAMETER";
  // Whatever else the target answered (its own fault, a 5xx) is an error from the target.
  return "ERROR_FROM_TARGET";
}
