/**
 * An error a local service answers with, in the terms of the AWS API it emulates: the error code the SDK turns into an
 * exception name, the HTTP status, and whether the caller (Sender) or the service (Receiver) is at fault.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: "Sender" | "Receiver" = status >= 500 ? "Receiver" : "Sender",
    /** The code of the API's query-compatible header (SQS answers `AWS.SimpleQueueService.NonExistentQueue`). */
    readonly queryCode?: string,
    /** Members the API's error shape adds to the JSON body (End User Messaging SMS: `Reason`, `ResourceType`...). */
    readonly fields: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** A factory of one error of an API: its code, HTTP status and query-compatible code in one place; the message given. */
export type ErrorFactory = (message: string, fields?: Readonly<Record<string, unknown>>) => AwsError;

/**
 * An error code of an API, as a factory: each service's errors.ts lists its codes this way, so a call site names the
 * error (`sqsErrors.QueueDoesNotExist(...)`) and its status and query-compatible code are written once.
 */
export function errorCode(code: string, status = 400, queryCode?: string): ErrorFactory {
  return (message, fields = {}) => new AwsError(code, message, status, status >= 500 ? "Receiver" : "Sender", queryCode, fields);
}
