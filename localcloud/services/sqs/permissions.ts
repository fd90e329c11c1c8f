import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { queueNameOf } from "./queue-reference";

/**
 * SQS's actions: the operation on the queue the request acts on (its `QueueUrl`; `QueueName` for GetQueueUrl and
 * CreateQueue, see queue-reference.ts); ListQueues on `*`. The
 * batch operations are authorized as their single counterparts (SQS developer guide, "Amazon SQS API permissions").
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
 */
export function sqsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const { partition, region, account } = graph.cloud;
  const name = operation.operation;
  if (name === "ListQueues") return [{ action: "sqs:ListQueues", resource: "*" }];
  // The queue SQS acts on, read as the service reads it (never a QueueName beside a QueueUrl).
  const queueName = queueNameOf(name, operation.input);
  if (!queueName) return undefined;
  const action = name.replace(/Batch$/, "");
  return [{ action: `sqs:${action}`, resource: graph.queues.find((q) => q.name === queueName)?.arn ?? `arn:${partition}:sqs:${region}:${account}:${queueName}` }];
}
