/**
 * The queue an SQS request acts on, as SQS reads it: the last segment of `QueueUrl` for every operation that takes a
 * queue URL (the SDK sends the request to that URL's host, which is the local cloud's); `QueueName` only for the
 * operations that take a name instead (GetQueueUrl, CreateQueue). The service and IAM both read the queue through this
 * one function, so that the queue a request is authorized for is the queue it acts on.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 */
export function queueNameOf(operation: string, input: Readonly<Record<string, unknown>>): string | undefined {
  if (operation === "GetQueueUrl" || operation === "CreateQueue") return nonEmpty(input.QueueName);
  return queueNameFromUrl(input.QueueUrl);
}

/** `http://127.0.0.1:4566/123456789012/orders` → `orders`. */
export function queueNameFromUrl(url: unknown): string | undefined {
  return nonEmpty(typeof url === "string" ? url.split("/").pop() : undefined);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}
