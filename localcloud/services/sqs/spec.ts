import { json, num, str, type GraphResources, type Origin } from "../../graph/resources";

export interface QueueSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  /** The URL the graph holds (`https://sqs.<region>.amazonaws.com/...`); the local cloud serves its own. */
  readonly url: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitTimeSeconds: number;
  readonly maximumMessageSize: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  /** The queue policy document, when a QueuePolicy names this queue. */
  readonly policy?: unknown;
  readonly kmsMasterKeyId?: string;
}

/** The graph's queues, with the policy their QueuePolicy attaches (keyed by the queue URL). */
export function readQueues(graph: GraphResources): QueueSpec[] {
  const { of, origin, out } = graph;
  const queuePolicies = new Map(of("aws:sqs/queuePolicy:QueuePolicy").map(({ r }) => [String(r.inputs.queueUrl), json(r.inputs.policy)]));
  return of("aws:sqs/queue:Queue").map(({ stack, r }) => {
    const i = r.inputs;
    const redrive = json(i.redrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
    const url = String(out(r).url);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn: String(out(r).arn),
      url,
      fifo: i.fifoQueue === true,
      contentBasedDeduplication: i.contentBasedDeduplication === true,
      // SQS's defaults (CreateQueue API reference): visibility 30 s, retention 4 days, no delay, short polling, 256 KiB.
      visibilityTimeoutSeconds: num(i.visibilityTimeoutSeconds) ?? 30,
      messageRetentionSeconds: num(i.messageRetentionSeconds) ?? 345600,
      delaySeconds: num(i.delaySeconds) ?? 0,
      receiveWaitTimeSeconds: num(i.receiveWaitTimeSeconds) ?? 0,
      maximumMessageSize: num(i.maxMessageSize) ?? 262144,
      ...(redrive && typeof redrive === "object" && redrive.deadLetterTargetArn
        ? { redrive: { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount ?? 10) } }
        : {}),
      ...(queuePolicies.has(url) ? { policy: queuePolicies.get(url) } : {}),
      ...(str(i.kmsMasterKeyId) ? { kmsMasterKeyId: str(i.kmsMasterKeyId) } : {}),
    };
  });
}
