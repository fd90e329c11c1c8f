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
