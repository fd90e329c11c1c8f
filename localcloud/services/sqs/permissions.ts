import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { queueNameOf } from "./queue-reference";

/**
 * SQS's actions: the operation on the queue the request acts on (its `QueueUrl`; `QueueName` for GetQueueUrl and
 * CreateQueue, see queue-reference.ts); ListQueues on `*`. The
 * batch operations are authorized as their single counterparts (SQS developer guide, "Amazon SQS API permissions").
 * A message move task is authorized on its source (the dead-letter queue), and StartMessageMoveTask needs
 * sqs:SendMessage on the destination it names; CancelMessageMoveTask's source is the one its task handle names.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
export function sqsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const { partition, region, account } = graph.cloud;
  const name = operation.operation;
  if (name === "ListQueues") return [{ action: "sqs:ListQueues", resource: "*" }];
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  if (name === "StartMessageMoveTask" || name === "ListMessageMoveTasks") {
    const source = str(operation.input.SourceArn);
    if (!source) return undefined;
    const destination = name === "StartMessageMoveTask" ? str(operation.input.DestinationArn) : undefined;
    return [{ action: `sqs:${name}`, resource: source }, ...(destination ? [{ action: "sqs:SendMessage", resource: destination }] : [])];
  }
  if (name === "CancelMessageMoveTask") {
    const source = sourceOfTaskHandle(str(operation.input.TaskHandle));
    return source ? [{ action: "sqs:CancelMessageMoveTask", resource: source }] : undefined;
  }
  // The queue SQS acts on, read as the service reads it (never a QueueName beside a QueueUrl).
  const queueName = queueNameOf(name, operation.input);
  if (!queueName) return undefined;
  const action = name.replace(/Batch$/, "");
  return [{ action: `sqs:${action}`, resource: graph.queues.find((q) => q.name === queueName)?.arn ?? `arn:${partition}:sqs:${region}:${account}:${queueName}` }];
}

/** The source queue a message move task's handle names (base64 JSON `{"taskId", "sourceArn"}`, as SQS makes them). */
function sourceOfTaskHandle(handle: string | undefined): string | undefined {
  if (!handle) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { sourceArn?: unknown };
    return typeof parsed.sourceArn === "string" ? parsed.sourceArn : undefined;
  } catch {
    return undefined;
  }
}
