import { createHash, randomUUID } from "node:crypto";
import type { Clock } from "../../kernel/clock";
import type { QueueSpec } from "./spec";
import { md5OfBody, md5OfMessageAttributes, type MessageAttributeValue } from "./md5";
import { chunksOf64KiB, type Usage } from "../../kernel/usage";

import { sqsErrors } from "./errors";

/** What a producer puts on a queue. */
export interface OutgoingMessage {
  readonly body: string;
  readonly messageAttributes?: Readonly<Record<string, MessageAttributeValue>>;
  /** The X-Ray trace header, carried as the `AWSTraceHeader` system attribute. */
  readonly traceHeader?: string;
  readonly delaySeconds?: number;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  /** Who sent it: an account id or a role's unique id, as `SenderId` reports. */
  readonly senderId?: string;
}

export interface SentMessage {
  readonly messageId: string;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string;
  readonly sequenceNumber?: string;
}

/** One stored message. */
export interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly messageAttributes: Readonly<Record<string, MessageAttributeValue>>;
  readonly traceHeader?: string;
  readonly senderId: string;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
  /** When it entered its first queue (SentTimestamp). */
  readonly sentTimestamp: number;
  /**
   * Where its retention period counts from: the first enqueue, in a standard queue's dead-letter queue too; the move,
   * in a FIFO queue's (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
   */
  retainedSince: number;
  /** When the message last entered this queue. */
  enqueuedAt: number;
  visibleAt: number;
  receiveCount: number;
  firstReceiveTimestamp?: number;
  /** When the latest receive handed it out: its visibility cannot be extended past 12 hours from here. */
  receivedAt?: number;
  /** The receipt handle of the latest receive, while the message is in flight. */
  receiptHandle?: string;
  /** The queue this message was moved from, when it was dead-lettered. */
  deadLetterSourceArn?: string;
  /** A second copy the fault plan stored (SQS's at-least-once delivery, made to happen). */
  readonly injectedDuplicate?: boolean;
}

/** A message as ReceiveMessage hands it out. */
export interface ReceivedMessage {
  readonly message: StoredMessage;
  readonly receiptHandle: string;
}

export interface ReceiveOptions {
  readonly maxNumberOfMessages?: number;
  /** Overrides the queue's visibility timeout for these messages (seconds). */
  readonly visibilityTimeoutSeconds?: number;
  /** Long polling: seconds to wait for a message when none is visible; the queue's setting when undefined. */
  readonly waitTimeSeconds?: number;
  readonly signal?: AbortSignal;
}

/** Moves a message that exceeded maxReceiveCount to the dead-letter queue; the service wires it to the other queue. */
export type DeadLetterSink = (message: StoredMessage, deadLetterTargetArn: string) => void;

/** Decides whether a message just stored is stored a second time: a duplicate delivery the fault plan injects. */
export type DuplicateDelivery = (message: StoredMessage) => boolean;

const FIFO_DEDUPLICATION_MS = 5 * 60 * 1000;
/** "The maximum visibility timeout is 12 hours", counted from the receive (ChangeMessageVisibility cannot go past it). */
const MAX_VISIBILITY_SECONDS = 43200;
/**
 * "The total size of all messages sent in a single SendMessageBatch call cannot exceed 1,048,576 bytes (1 MiB)"
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html); one message may be
 * as large (quotas, https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html).
 */
export const MAX_BATCH_BYTES = 1_048_576;

/** A message's size as SQS counts it against its limits: the body and every attribute's name, type and value. */
export function messageSize(message: Pick<OutgoingMessage, "body" | "messageAttributes">): number {
  return (
    Buffer.byteLength(message.body, "utf8") +
    Object.entries(message.messageAttributes ?? {}).reduce(
      (n, [name, v]) => n + Buffer.byteLength(name) + Buffer.byteLength(v.DataType) + Buffer.byteLength(v.StringValue ?? "") + Buffer.from(v.BinaryValue ?? "", "base64").length,
      0,
    )
  );
}

/**
 * One SQS queue with the semantics the SQS developer guide documents: messages stay invisible for the visibility
 * timeout once received, come back when it ends unless deleted, count their receives, and move to the dead-letter
 * queue when a receive would exceed the redrive policy's maxReceiveCount; they expire after the retention period.
 * FIFO queues keep order within a message group (a group with a message in flight hands out nothing else) and drop
 * duplicates by deduplication id for five minutes.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
export class LocalQueue {
  private messages: StoredMessage[] = [];
  private readonly waiters = new Set<() => void>();
  private wakeTimer?: NodeJS.Timeout;
  private readonly deduplication = new Map<string, { at: number; sent: SentMessage }>();
  private sequence = 0n;
  /** Messages moved to a dead-letter queue from this one, for reports. */
  deadLettered = 0;
  /** Where the queue reports its billed requests (the cloud's activity), when anyone listens. */
  meter?: (usage: Usage) => void;

  constructor(
    readonly spec: QueueSpec,
    /** The URL the local cloud serves for this queue. */
    readonly url: string,
    private readonly clock: Clock,
    private readonly deadLetter: DeadLetterSink,
    private readonly duplicate: DuplicateDelivery = () => false,
  ) {}

  get arn(): string {
    return this.spec.arn;
  }

  send(message: OutgoingMessage): SentMessage {
    this.validate(message);
    const now = this.clock.now();
    const md5 = { md5OfBody: md5OfBody(message.body), md5OfMessageAttributes: md5OfMessageAttributes(message.messageAttributes) };
    let dedupId: string | undefined;
    if (this.spec.fifo) {
      dedupId = message.messageDeduplicationId ?? createHash("sha256").update(message.body).digest("hex");
      const seen = this.deduplication.get(dedupId);
      // A duplicate inside the deduplication interval is accepted and not delivered again.
      if (seen && now - seen.at < FIFO_DEDUPLICATION_MS) return seen.sent;
    }
    const sequenceNumber = this.spec.fifo ? (++this.sequence).toString().padStart(20, "0") : undefined;
    const delay = this.spec.fifo ? this.spec.delaySeconds : (message.delaySeconds ?? this.spec.delaySeconds);
    const stored: StoredMessage = {
      messageId: randomUUID(),
      body: message.body,
      messageAttributes: message.messageAttributes ?? {},
      ...(message.traceHeader ? { traceHeader: message.traceHeader } : {}),
      senderId: message.senderId ?? this.spec.arn.split(":")[4],
      ...(message.messageGroupId ? { messageGroupId: message.messageGroupId } : {}),
      ...(dedupId ? { messageDeduplicationId: dedupId } : {}),
      ...(sequenceNumber ? { sequenceNumber } : {}),
      sentTimestamp: now,
      retainedSince: now,
      enqueuedAt: now,
      visibleAt: now + this.clock.ms(delay),
      receiveCount: 0,
    };
    this.messages.push(stored);
    this.bill(chunksOf64KiB(messageSize(message)));
    // SQS stores copies of a message on several servers and may deliver one twice (at-least-once delivery): the same
    // message id, each copy received and deleted on its own. FIFO queues do not.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html
    if (!this.spec.fifo && this.duplicate(stored)) this.messages.push({ ...stored, injectedDuplicate: true });
    const sent: SentMessage = { messageId: stored.messageId, ...md5, ...(sequenceNumber ? { sequenceNumber } : {}) };
    if (dedupId) this.deduplication.set(dedupId, { at: now, sent });
    this.changed();
    return sent;
  }

  /**
   * Takes a message moved from another queue's redrive; it keeps its id, body, attributes and SentTimestamp. Its
   * retention keeps counting from its first enqueue, except in a FIFO queue, where the move resets it ("For FIFO
   * queues, the enqueue timestamp resets when the message is moved to a dead-letter queue",
   * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html).
   */
  acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    const now = this.clock.now();
    this.messages.push({
      ...message,
      retainedSince: this.spec.fifo ? now : message.retainedSince,
      enqueuedAt: now,
      visibleAt: now,
      receiveCount: 0,
      firstReceiveTimestamp: undefined,
      receivedAt: undefined,
      receiptHandle: undefined,
      deadLetterSourceArn: sourceArn,
    });
    this.changed();
  }

  /**
   * Takes the oldest available message (not in flight, not delayed) out of the queue, for a message move task
   * (dead-letter queue redrive); undefined when none is available.
   */
  takeAvailable(): StoredMessage | undefined {
    this.expire();
    const now = this.clock.now();
    const index = this.messages.findIndex((m) => m.visibleAt <= now);
    if (index < 0) return undefined;
    const [message] = this.messages.splice(index, 1);
    this.changed();
    return message;
  }

  /** Puts a message a move task took back at the head of the queue, as it was (the task failed on it). */
  putBack(message: StoredMessage): void {
    this.messages.unshift(message);
    this.changed();
  }

  /**
   * Takes a message a move task redrove here: it keeps its id, body, attributes and original timestamp, and starts
   * over, available at once with no receives and no dead-letter source.
   */
  acceptMoved(message: StoredMessage): void {
    const now = this.clock.now();
    this.messages.push({ ...message, enqueuedAt: now, visibleAt: now, receiveCount: 0, firstReceiveTimestamp: undefined, receiptHandle: undefined, deadLetterSourceArn: undefined });
    this.changed();
  }

  /**
   * Hands out up to `maxNumberOfMessages` visible messages, waiting up to the wait time for one when none is visible.
   * Each message returned becomes invisible for the visibility timeout and counts a receive.
   */
  async receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    const max = options.maxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw sqsErrors.InvalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
    }
    const visibility = options.visibilityTimeoutSeconds ?? this.spec.visibilityTimeoutSeconds;
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43200) {
      throw sqsErrors.InvalidParameterValue(`Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.`);
    }
    const wait = options.waitTimeSeconds ?? this.spec.receiveWaitTimeSeconds;
    if (!Number.isInteger(wait) || wait < 0 || wait > 20) {
      throw sqsErrors.InvalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    }
    const deadline = this.clock.now() + this.clock.ms(wait);
    for (;;) {
      const taken = this.take(max, visibility);
      // A receive that returns messages is billed per 64 KB chunk of what it returns; the empty long polls of a
      // consumer that waits are billed too, but they do not depend on orders: the fixed cost counts them.
      if (taken.length > 0) this.bill(chunksOf64KiB(taken.reduce((n, t) => n + Buffer.byteLength(t.message.body), 0)));
      if (taken.length > 0 || this.clock.now() >= deadline || options.signal?.aborted) return taken;
      await this.waitForChange(deadline - this.clock.now(), options.signal);
    }
  }

  delete(receiptHandle: string): void {
    this.checkHandle(receiptHandle);
    // Deleting a message that is gone already (deleted, or received again under a newer handle) succeeds, as in SQS.
    const index = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    if (index >= 0) {
      this.messages.splice(index, 1);
      this.changed();
    }
    this.bill(1);
  }

  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number): void {
    this.checkHandle(receiptHandle);
    if (!Number.isInteger(visibilityTimeoutSeconds) || visibilityTimeoutSeconds < 0 || visibilityTimeoutSeconds > 43200) {
      throw sqsErrors.InvalidParameterValue(`Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
    }
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message || message.visibleAt <= this.clock.now()) {
      throw sqsErrors.MessageNotInflight("Message does not exist or is not available for visibility timeout change.");
    }
    // "If you try to extend the visibility timeout beyond the maximum, your request is rejected": 12 hours from the
    // receive (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
    const visibleAt = this.clock.now() + this.clock.ms(visibilityTimeoutSeconds);
    if (message.receivedAt !== undefined && visibleAt > message.receivedAt + this.clock.ms(MAX_VISIBILITY_SECONDS)) {
      throw sqsErrors.InvalidParameterValue(`Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${MAX_VISIBILITY_SECONDS} seconds]`);
    }
    message.visibleAt = visibleAt;
    this.changed();
    this.bill(1);
  }

  /**
   * Reports billed requests: every SQS API action is a request, each 64 KB chunk of its payload one more, FIFO queues
   * at their own price (https://aws.amazon.com/sqs/pricing/). A batch action is reported per entry here, which is
   * what a batch of one costs and an upper bound for larger ones.
   */
  private bill(requests: number): void {
    this.meter?.({ [`sqs.requests.${this.spec.fifo ? "fifo" : "standard"}`]: requests });
  }

  /**
   * Sets when an in-flight message becomes visible again (epoch ms); false when the receipt is no longer the message's
   * latest. Not an SQS API: what the local event source mappings use to keep the visibility timeout's promise under a
   * time scale (see SqsEventSource).
   */
  setVisibleAt(receiptHandle: string, at: number): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    message.visibleAt = at;
    this.changed();
    return true;
  }

  purge(): void {
    this.messages = [];
    this.changed();
  }

  /** ApproximateNumberOfMessages (visible), ...NotVisible (in flight) and ...Delayed, as GetQueueAttributes counts them. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    this.expire();
    const now = this.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Every message now stored, for scenarios and reports (not an SQS API: SQS has no peek). */
  peek(): readonly StoredMessage[] {
    this.expire();
    return this.messages;
  }

  /** Ends every long poll now (the local cloud is stopping). */
  close(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private take(max: number, visibilitySeconds: number): ReceivedMessage[] {
    this.expire();
    const now = this.clock.now();
    const taken: ReceivedMessage[] = [];
    const blockedGroups = new Set<string>();
    if (this.spec.fifo) {
      for (const m of this.messages) if (m.messageGroupId && m.receiveCount > 0 && m.visibleAt > now) blockedGroups.add(m.messageGroupId);
    }
    for (const message of [...this.messages]) {
      if (taken.length >= max) break;
      if (message.visibleAt > now) {
        // FIFO: a later message of a group must wait for the earlier one, in flight or delayed.
        if (this.spec.fifo && message.messageGroupId) blockedGroups.add(message.messageGroupId);
        continue;
      }
      if (this.spec.fifo && message.messageGroupId && blockedGroups.has(message.messageGroupId)) continue;
      const redrive = this.spec.redrive;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messages.splice(this.messages.indexOf(message), 1);
        this.deadLettered++;
        this.deadLetter(message, redrive.deadLetterTargetArn);
        continue;
      }
      message.receiveCount++;
      message.firstReceiveTimestamp ??= now;
      message.receivedAt = now;
      message.visibleAt = now + this.clock.ms(visibilitySeconds);
      message.receiptHandle = receiptHandleFor(message.messageId);
      taken.push({ message, receiptHandle: message.receiptHandle });
    }
    if (taken.length > 0) this.scheduleWake();
    return taken;
  }

  /** Drops messages older than the retention period (see `retainedSince`). */
  private expire(): void {
    const cutoff = this.clock.now() - this.clock.ms(this.spec.messageRetentionSeconds);
    if (this.messages.some((m) => m.retainedSince < cutoff)) this.messages = this.messages.filter((m) => m.retainedSince >= cutoff);
  }

  private validate(message: OutgoingMessage): void {
    if (Buffer.byteLength(message.body, "utf8") === 0) throw sqsErrors.MissingParameter("The request must contain the parameter MessageBody.");
    const attributes = Object.entries(message.messageAttributes ?? {});
    if (messageSize(message) > this.spec.maximumMessageSize) {
      throw sqsErrors.InvalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${this.spec.maximumMessageSize} bytes.`);
    }
    // The characters SQS accepts (SendMessage API reference): #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
    // eslint-disable-next-line no-control-regex -- tab, line feed and carriage return are the control characters SQS admits
    if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(message.body)) {
      throw sqsErrors.InvalidMessageContents("Invalid binary character in the message body.");
    }
    if (attributes.length > 10) throw sqsErrors.InvalidParameterValue(`Number of message attributes [${attributes.length}] exceeds the allowed maximum [10].`);
    if (this.spec.fifo) {
      if (!message.messageGroupId) throw sqsErrors.MissingParameter("The request must contain the parameter MessageGroupId.");
      if (!message.messageDeduplicationId && !this.spec.contentBasedDeduplication) {
        throw sqsErrors.InvalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      }
      if (message.delaySeconds !== undefined && message.delaySeconds !== 0) {
        throw sqsErrors.InvalidParameterValue("Value " + message.delaySeconds + " for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
      }
    } else if (message.messageGroupId !== undefined && message.messageDeduplicationId !== undefined) {
      throw sqsErrors.InvalidParameterValue("The request include parameter that is not valid for this queue type");
    }
    if (message.delaySeconds !== undefined && (!Number.isInteger(message.delaySeconds) || message.delaySeconds < 0 || message.delaySeconds > 900)) {
      throw sqsErrors.InvalidParameterValue(`Value ${message.delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
    }
  }

  private checkHandle(receiptHandle: string): void {
    if (!/^[A-Za-z0-9+/=_-]{20,}$/.test(receiptHandle ?? "")) {
      throw sqsErrors.ReceiptHandleIsInvalid(`The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
    }
  }

  private changed(): void {
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    this.scheduleWake();
  }

  /** Wakes long polls when the next invisible or delayed message becomes visible. */
  private scheduleWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    const now = this.clock.now();
    const next = this.messages.reduce((min, m) => (m.visibleAt > now && m.visibleAt < min ? m.visibleAt : min), Infinity);
    if (next === Infinity) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      for (const wake of this.waiters) wake();
      this.waiters.clear();
      this.scheduleWake();
    }, next - now + 1);
    this.wakeTimer.unref();
  }

  private waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}

/** A fresh receipt handle: opaque, and different on every receive of the same message, as in SQS. */
function receiptHandleFor(messageId: string): string {
  return Buffer.from(`${messageId}:${randomUUID()}`).toString("base64url");
}
