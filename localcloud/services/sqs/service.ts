import { AwsError } from "../../kernel/aws-error";
import { queueNameFromUrl } from "./queue-reference";
import type { Clock } from "../../kernel/clock";
import type { QueueSpec } from "./spec";
import { Activity } from "../../kernel/activity";
import { page } from "../../endpoint/pagination";
import { md5OfBody as md5Of, md5OfMessageAttributes as md5OfSelected, type MessageAttributeValue } from "./md5";
import { MessageMoveTasks } from "./message-move-tasks";
import { LocalQueue, MAX_BATCH_BYTES, messageSize, type OutgoingMessage, type ReceivedMessage, type SentMessage, type StoredMessage } from "./queue";
import { sqsErrors } from "./errors";
import type { FaultInjector } from "../../faults/fault-injector";

/** Who is calling: the principal the endpoint authenticated (issue 12 decides access; here it names the sender). */
export interface Caller {
  readonly principalId: string;
  readonly signal?: AbortSignal;
  /** The request's X-Amzn-Trace-Id. */
  readonly traceHeader?: string;
}

type Input = Record<string, unknown>;

const SYSTEM_ATTRIBUTES = [
  "ApproximateReceiveCount",
  "ApproximateFirstReceiveTimestamp",
  "SentTimestamp",
  "SenderId",
  "AWSTraceHeader",
  "MessageGroupId",
  "MessageDeduplicationId",
  "SequenceNumber",
  "DeadLetterQueueSourceArn",
] as const;

/**
 * SQS for the environment's queues: the queues themselves (redrive between them wired here), and the API the SDK's
 * JSON protocol calls (`AmazonSQS.<Action>`), with SQS's parameter names, limits and error codes.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 */
export class SqsService {
  private readonly byArn = new Map<string, LocalQueue>();
  private readonly byName = new Map<string, LocalQueue>();
  /** Dead-letter queue redrives (StartMessageMoveTask and its kin). */
  readonly moveTasks: MessageMoveTasks;

  constructor(
    specs: readonly QueueSpec[],
    /** The local endpoint queue URLs are served from (`http://127.0.0.1:<port>`). */
    readonly endpoint: string,
    clock: Clock,
    /** Where a message moved to a dead-letter queue, a redrive, or a message delivered twice by the fault plan is reported. */
    activity?: Activity,
    /** The fault plan in force: it may store a message twice (a duplicate delivery). */
    faults?: FaultInjector,
  ) {
    for (const spec of specs) {
      const duplicate = (message: StoredMessage) => {
        if (!faults?.duplicates(spec.component, message.body)) return false;
        faults.count("duplicate-delivery");
        activity?.record({ service: "sqs", kind: "fault", name: spec.component, detail: `duplicate-delivery (fault injected): message ${message.messageId} stored twice, to be delivered twice`, error: true, ...(message.traceHeader ? { traceId: message.traceHeader } : {}) });
        return true;
      };
      const queue = new LocalQueue(spec, `${endpoint}/${spec.arn.split(":")[4]}/${spec.name}`, clock, (message, dlqArn) => {
        const dlq = this.byArn.get(dlqArn);
        // A redrive policy naming a queue outside the environment loses the message in AWS too; say so here.
        if (!dlq) throw new Error(`Queue ${spec.name} redrives to ${dlqArn}, which is not in the environment.`);
        dlq.acceptDeadLetter(message, spec.arn);
        activity?.record({
          service: "sqs",
          kind: "dead-letter",
          name: spec.component,
          detail: `message ${message.messageId} moved to its dead-letter queue ${dlq.spec.component} after ${message.receiveCount} receives (maxReceiveCount ${spec.redrive?.maxReceiveCount ?? "?"})${about(message.body)}`,
          error: true,
          ...(message.traceHeader ? { traceId: message.traceHeader } : {}),
        });
      }, duplicate);
      if (activity) queue.meter = (usage) => activity.meter(usage);
      this.byArn.set(spec.arn, queue);
      this.byName.set(spec.name, queue);
    }
    this.moveTasks = new MessageMoveTasks({ byArn: (arn) => this.byArn.get(arn), sourcesOf: (arn) => this.sourcesOf(arn) }, clock, activity ?? new Activity());
  }

  /** The queues whose redrive policy names this one as their dead-letter queue. */
  sourcesOf(deadLetterArn: string): LocalQueue[] {
    return this.queues.filter((q) => q.spec.redrive?.deadLetterTargetArn === deadLetterArn);
  }

  get queues(): readonly LocalQueue[] {
    return [...this.byArn.values()];
  }

  /** The queue with this ARN, or QueueDoesNotExist. */
  queue(arn: string): LocalQueue {
    const queue = this.byArn.get(arn);
    if (!queue) throw nonExistentQueue();
    return queue;
  }

  /** The local URL of every queue whose graph URL appears in a value (function environments, task definitions). */
  localUrlFor(graphUrl: string): string | undefined {
    return this.queues.find((q) => q.spec.url === graphUrl)?.url;
  }

  /** Sends from inside the local cloud (EventBridge, SNS, destinations); the same checks as the API. */
  send(arn: string, message: OutgoingMessage): SentMessage {
    return this.queue(arn).send(message);
  }

  /** The `AmazonSQS.<action>` operations; resolves to the JSON answer. */
  async call(action: string, input: Input, caller: Caller): Promise<Input> {
    switch (action) {
      case "SendMessage": {
        const queue = this.fromUrl(input.QueueUrl);
        const sent = queue.send(outgoing(input, caller));
        return {
          MessageId: sent.messageId,
          MD5OfMessageBody: sent.md5OfBody,
          ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
          ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}),
        };
      }
      case "SendMessageBatch": {
        const queue = this.fromUrl(input.QueueUrl);
        const entries = batchEntries(input.Entries);
        const messages = entries.map((entry) => outgoingOrError(entry, caller));
        // The whole request is refused when its messages together exceed the batch limit, before any is sent.
        const total = messages.reduce((n, m) => n + (m instanceof AwsError ? 0 : messageSize(m)), 0);
        if (total > MAX_BATCH_BYTES) {
          throw new AwsError("BatchRequestTooLong", `Batch requests cannot be longer than ${MAX_BATCH_BYTES} bytes. You have sent ${total} bytes.`, 400, "Sender", "AWS.SimpleQueueService.BatchRequestTooLong");
        }
        const Successful: Input[] = [];
        const Failed: Input[] = [];
        for (const [i, entry] of entries.entries()) {
          try {
            const message = messages[i];
            if (message instanceof AwsError) throw message;
            const sent = queue.send(message);
            Successful.push({
              Id: entry.Id,
              MessageId: sent.messageId,
              MD5OfMessageBody: sent.md5OfBody,
              ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
              ...(sent.sequenceNumber ? { SequenceNumber: sent.sequenceNumber } : {}),
            });
          } catch (error) {
            if (!(error instanceof AwsError)) throw error;
            Failed.push({ Id: entry.Id, Code: error.code, Message: error.message, SenderFault: error.fault === "Sender" });
          }
        }
        return { Successful, Failed };
      }
      case "ReceiveMessage": {
        const queue = this.fromUrl(input.QueueUrl);
        const received = await queue.receive({
          maxNumberOfMessages: optionalInteger(input.MaxNumberOfMessages, "MaxNumberOfMessages"),
          visibilityTimeoutSeconds: optionalInteger(input.VisibilityTimeout, "VisibilityTimeout"),
          waitTimeSeconds: optionalInteger(input.WaitTimeSeconds, "WaitTimeSeconds"),
          signal: caller.signal,
        });
        const wanted = [...strings(input.AttributeNames), ...strings(input.MessageSystemAttributeNames)];
        const attributeNames = strings(input.MessageAttributeNames);
        return received.length === 0 ? {} : { Messages: received.map((r) => wireMessage(r, wanted, attributeNames)) };
      }
      case "DeleteMessage":
        this.fromUrl(input.QueueUrl).delete(requiredString(input.ReceiptHandle, "ReceiptHandle"));
        return {};
      case "DeleteMessageBatch":
        return this.batch(input, (queue, entry) => queue.delete(requiredString(entry.ReceiptHandle, "ReceiptHandle")));
      case "ChangeMessageVisibility":
        this.fromUrl(input.QueueUrl).changeVisibility(requiredString(input.ReceiptHandle, "ReceiptHandle"), requiredInteger(input.VisibilityTimeout, "VisibilityTimeout"));
        return {};
      case "ChangeMessageVisibilityBatch":
        return this.batch(input, (queue, entry) => queue.changeVisibility(requiredString(entry.ReceiptHandle, "ReceiptHandle"), requiredInteger(entry.VisibilityTimeout, "VisibilityTimeout")));
      case "GetQueueUrl": {
        const queue = this.byName.get(requiredString(input.QueueName, "QueueName"));
        if (!queue) throw nonExistentQueue();
        return { QueueUrl: queue.url };
      }
      case "GetQueueAttributes":
        return { Attributes: queueAttributes(this.fromUrl(input.QueueUrl), strings(input.AttributeNames)) };
      case "PurgeQueue":
        this.fromUrl(input.QueueUrl).purge();
        return {};
      case "ListQueues": {
        const prefix = typeof input.QueueNamePrefix === "string" ? input.QueueNamePrefix : "";
        return { QueueUrls: this.queues.filter((q) => q.spec.name.startsWith(prefix)).map((q) => q.url) };
      }
      case "ListDeadLetterSourceQueues": {
        const dlq = this.fromUrl(input.QueueUrl);
        const { items, next } = page(this.sourcesOf(dlq.arn), { max: input.MaxResults, token: input.NextToken, limit: 1000, error: (m) => new AwsError("InvalidParameterValue", m) });
        // Without MaxResults, SQS answers every source and no NextToken.
        return { queueUrls: items.map((q) => q.url), ...(next && input.MaxResults !== undefined ? { NextToken: next } : {}) };
      }
      case "StartMessageMoveTask":
        return this.moveTasks.start(input);
      case "ListMessageMoveTasks":
        return this.moveTasks.list(input);
      case "CancelMessageMoveTask":
        return this.moveTasks.cancel(input);
      default:
        throw sqsErrors.UnsupportedOperation(`The local cloud does not serve SQS ${action}.`);
    }
  }

  /** Ends every long poll and every message move task (a task stops before its next message). */
  close(): void {
    for (const queue of this.queues) queue.close();
    void this.moveTasks.stop();
  }

  private fromUrl(url: unknown): LocalQueue {
    requiredString(url, "QueueUrl");
    const queue = this.byName.get(queueNameFromUrl(url) ?? "");
    if (!queue) throw nonExistentQueue();
    return queue;
  }

  private batch(input: Input, apply: (queue: LocalQueue, entry: Input) => void): Input {
    const queue = this.fromUrl(input.QueueUrl);
    const Successful: Input[] = [];
    const Failed: Input[] = [];
    for (const entry of batchEntries(input.Entries)) {
      try {
        apply(queue, entry);
        Successful.push({ Id: entry.Id });
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        Failed.push({ Id: entry.Id, Code: error.code, Message: error.message, SenderFault: error.fault === "Sender" });
      }
    }
    return { Successful, Failed };
  }
}

function nonExistentQueue(): AwsError {
  return sqsErrors.QueueDoesNotExist("The specified queue does not exist.");
}

/** A batch entry's message, or why it is malformed (that entry fails; the others are sent). */
function outgoingOrError(input: Input, caller: Caller): OutgoingMessage | AwsError {
  try {
    return outgoing(input, caller);
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
}

function outgoing(input: Input, caller: Caller): OutgoingMessage {
  const system = (input.MessageSystemAttributes ?? {}) as Record<string, MessageAttributeValue>;
  const trace = system.AWSTraceHeader;
  if (trace && trace.DataType !== "String") throw sqsErrors.InvalidParameterValue("AWSTraceHeader must be of DataType String.");
  return {
    body: requiredString(input.MessageBody, "MessageBody"),
    ...(input.MessageAttributes ? { messageAttributes: messageAttributes(input.MessageAttributes) } : {}),
    // The AWSTraceHeader system attribute, else the request's X-Amzn-Trace-Id (which the X-Ray SDK adds to the calls it
    // captures): the attribute wins when both are set. https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sqs.html
    ...(trace?.StringValue ? { traceHeader: trace.StringValue } : caller.traceHeader ? { traceHeader: caller.traceHeader } : {}),
    ...(input.DelaySeconds !== undefined ? { delaySeconds: requiredInteger(input.DelaySeconds, "DelaySeconds") } : {}),
    ...(typeof input.MessageGroupId === "string" ? { messageGroupId: input.MessageGroupId } : {}),
    ...(typeof input.MessageDeduplicationId === "string" ? { messageDeduplicationId: input.MessageDeduplicationId } : {}),
    senderId: caller.principalId,
  };
}

function messageAttributes(value: unknown): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(value as Record<string, MessageAttributeValue>)) {
    if (!/^[A-Za-z0-9_.-]{1,256}$/.test(name) || name.startsWith("AWS.") || name.startsWith("Amazon.") || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw sqsErrors.InvalidParameterValue(`Message attribute name '${name}' is invalid.`);
    }
    if (!/^(String|Number|Binary)(\..+)?$/.test(attribute?.DataType ?? "")) {
      throw sqsErrors.InvalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (attribute.StringValue === undefined && attribute.BinaryValue === undefined) {
      throw sqsErrors.InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value.`);
    }
    out[name] = attribute;
  }
  return out;
}

function wireMessage(received: ReceivedMessage, wanted: readonly string[], attributeNames: readonly string[]): Input {
  const { message } = received;
  const all = wanted.includes("All");
  const system: Record<string, string | undefined> = {
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: message.firstReceiveTimestamp !== undefined ? String(message.firstReceiveTimestamp) : undefined,
    SentTimestamp: String(message.sentTimestamp),
    SenderId: message.senderId,
    AWSTraceHeader: message.traceHeader,
    MessageGroupId: message.messageGroupId,
    MessageDeduplicationId: message.messageDeduplicationId,
    SequenceNumber: message.sequenceNumber,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const attributes = Object.fromEntries(
    SYSTEM_ATTRIBUTES.filter((name) => (all || wanted.includes(name)) && system[name] !== undefined).map((name) => [name, system[name]!]),
  );
  // MessageAttributeNames: `All`, `.*`, exact names, or `prefix.*` (ReceiveMessage API reference).
  const selected = Object.fromEntries(
    Object.entries(message.messageAttributes).filter(([name]) =>
      attributeNames.some((n) => n === "All" || n === ".*" || n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -1)))),
    ),
  );
  return {
    MessageId: message.messageId,
    ReceiptHandle: received.receiptHandle,
    MD5OfBody: md5Of(message.body),
    Body: message.body,
    ...(Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
    ...(Object.keys(selected).length > 0 ? { MessageAttributes: selected, MD5OfMessageAttributes: md5OfSelected(selected) } : {}),
  };
}

function queueAttributes(queue: LocalQueue, names: readonly string[]): Record<string, string> {
  const counts = queue.counts();
  const spec = queue.spec;
  const all: Record<string, string | undefined> = {
    QueueArn: spec.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.messageRetentionSeconds),
    DelaySeconds: String(spec.delaySeconds),
    ReceiveMessageWaitTimeSeconds: String(spec.receiveWaitTimeSeconds),
    MaximumMessageSize: String(spec.maximumMessageSize),
    FifoQueue: spec.fifo ? "true" : undefined,
    ContentBasedDeduplication: spec.fifo ? String(spec.contentBasedDeduplication) : undefined,
    RedrivePolicy: spec.redrive ? JSON.stringify(spec.redrive) : undefined,
    Policy: spec.policy !== undefined ? JSON.stringify(spec.policy) : undefined,
    SqsManagedSseEnabled: spec.kmsMasterKeyId ? "false" : "true",
    KmsMasterKeyId: spec.kmsMasterKeyId,
  };
  const wanted = names.length === 0 ? [] : names.includes("All") ? Object.keys(all) : names;
  const out: Record<string, string> = {};
  for (const name of wanted) {
    if (!(name in all)) throw sqsErrors.InvalidAttributeName(`Unknown Attribute ${name}.`);
    if (all[name] !== undefined) out[name] = all[name]!;
  }
  return out;
}

function batchEntries(value: unknown): Input[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw sqsErrors.EmptyBatchRequest("There should be at least one entry in the request.");
  }
  if (value.length > 10) {
    throw sqsErrors.TooManyEntriesInBatchRequest(`Maximum number of entries per request are 10. You have sent ${value.length}.`);
  }
  const ids = new Set<string>();
  for (const entry of value as Input[]) {
    const id = String(entry.Id ?? "");
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw sqsErrors.InvalidBatchEntryId(`A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.`);
    }
    if (ids.has(id)) throw sqsErrors.BatchEntryIdsNotDistinct(`Id ${id} repeated.`);
    ids.add(id);
  }
  return value as Input[];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw sqsErrors.MissingParameter(`The request must contain the parameter ${name}.`);
  return value;
}

function requiredInteger(value: unknown, name: string): number {
  if (value === undefined) throw sqsErrors.MissingParameter(`The request must contain the parameter ${name}.`);
  const n = Number(value);
  if (!Number.isInteger(n)) throw sqsErrors.InvalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid. Reason: must be an integer.`);
  return n;
}

function optionalInteger(value: unknown, name: string): number | undefined {
  return value === undefined || value === null ? undefined : requiredInteger(value, name);
}

/** The order a message is about, for the activity (a failed step's report finds its scenario's orders by it). */
function about(body: string): string {
  const orderId = /"orderId"\s*:\s*"([^"]{1,100})"/.exec(body)?.[1];
  return orderId ? `, about order ${orderId}` : "";
}
