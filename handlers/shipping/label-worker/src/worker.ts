import type { Logger } from "@aws-lambda-powertools/logger";
import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { Consumer } from "sqs-consumer";
import { labelJob } from "../../../shared/label-job";
import { storeLabel } from "./labels";
import { noTracing, type Tracing } from "./tracing";

// The label worker's loop: sqs-consumer long-polls the labels queue and deletes a message only when its handler
// resolves, so a failed job stays on the queue, comes back after the visibility timeout and, after the queue's
// maxReceiveCount, lands in its DLQ. stop() drains: no new receive, in-flight messages finish (and are deleted).

export interface LabelWorkerOptions {
  readonly queueUrl: string;
  readonly tableName: string;
  readonly sqs: SQSClient;
  readonly db: DynamoDBDocumentClient;
  readonly logger: Logger;
  /** @default noTracing */
  readonly tracing?: Tracing;
  /**
   * Long-poll wait per receive, from 0 to 20 seconds.
   * @default 20
   */
  readonly waitTimeSeconds?: number;
  /**
   * Messages per receive, from 1 to 10; they are handled concurrently.
   * @default 10
   */
  readonly batchSize?: number;
}

export interface LabelWorker {
  /** Starts polling. */
  start(): void;
  /** Stops receiving and resolves once the messages in flight are done (handled and deleted, or left for retry). */
  stop(): Promise<void>;
}

export function createLabelWorker(options: LabelWorkerOptions): LabelWorker {
  const { logger, tracing = noTracing } = options;
  let stopping = false;
  let drained: Promise<void> | undefined;

  const consumer = Consumer.create({
    queueUrl: options.queueUrl,
    sqs: options.sqs,
    batchSize: options.batchSize ?? 10,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    messageSystemAttributeNames: ["AWSTraceHeader", "ApproximateReceiveCount"],
    handleMessage,
  });
  // Without listeners an EventEmitter throws on "error"; these are the failures a job or a receive can have.
  consumer.on("error", (error, message) => logger.error("queue request failed", { error, messageId: messageIdOf(message) }));
  consumer.on("processing_error", (error, message) =>
    logger.error("label job failed; left on the queue for retry", { error, messageId: message.MessageId, receiveCount: receiveCount(message) }),
  );

  return {
    start() {
      logger.info("label worker started", { queueUrl: options.queueUrl });
      consumer.start();
    },
    stop() {
      drained ??= drain();
      return drained;
    },
  };

  async function handleMessage(message: Message): Promise<Message | undefined> {
    // A receive that was already waiting when stop() came can still deliver: give those back at once rather than
    // start work the process may not live to finish.
    if (stopping) {
      await release(message);
      return undefined;
    }
    const job = labelJob.parse(JSON.parse(message.Body ?? ""));
    const annotations = { shipmentId: job.shipmentId, orderId: job.orderId };
    const result = await tracing.inSegment("label-worker", message.Attributes?.AWSTraceHeader, annotations, () =>
      storeLabel(options.db, options.tableName, job),
    );
    logger.info(result.printed ? "label printed" : "label existed; duplicate job", {
      ...annotations,
      labelId: result.label.labelId,
      messageId: message.MessageId,
      ...(job.correlationId ? { correlation_id: job.correlationId } : {}),
    });
    return message;
  }

  async function release(message: Message): Promise<void> {
    await options.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }),
    );
  }

  async function drain(): Promise<void> {
    stopping = true;
    logger.info("label worker stopping: no new receives, finishing messages in flight");
    consumer.stop();
    // isPolling stays true until the last receive's messages are handled and deleted.
    while (consumer.status.isPolling) await new Promise((resolve) => setTimeout(resolve, 10));
    logger.info("label worker stopped");
  }
}

function messageIdOf(message: Message | Message[] | undefined): string | string[] | undefined {
  if (Array.isArray(message)) return message.map((m) => m.MessageId ?? "");
  return message?.MessageId;
}

function receiveCount(message: Message): number | undefined {
  const count = message.Attributes?.ApproximateReceiveCount;
  return count === undefined ? undefined : Number(count);
}
