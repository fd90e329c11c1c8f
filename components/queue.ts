import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Collected } from "./collected";
import { DeadLetterQueue } from "./dead-letter-queue";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { eventPatternProblems, type EventPattern } from "./event-pattern";
import type { IConsumerFunction, IQueue, PolicyStatement } from "./interfaces";
import { createQueuePolicy, MAX_RETENTION_SECONDS, MIN_RETENTION_SECONDS, queueEncryption, QueueBase } from "./queue-base";
import { transform, type Transform } from "./transform";

/** Tag a queue carries when it opted out of a dead-letter queue; its value is the reason. The policy pack reads it. */
export const DEAD_LETTER_OPT_OUT_TAG = "orderflow:dead-letter-opt-out";
/** AWS's guidance for Lambda consumers: a visibility timeout of at least 6 x the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

const DEFAULT_VISIBILITY_TIMEOUT_SECONDS = 30;
const DEFAULT_MAX_RECEIVE_COUNT = 5;
const MIN_OPT_OUT_REASON_LENGTH = 10;
// SQS tag values: up to 256 Unicode letters, digits, white space and _ . : / = + - @.
const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u;
const MAX_FILTERS = 5;

/** Where messages go after failing `maxReceiveCount` times. */
export interface DeadLetterArgs {
  /**
   * An existing queue to dead-letter into; it must be FIFO exactly when this queue is. A DeadLetterQueue passed here
   * also admits this queue in its redrive-allow policy.
   * @default - A DeadLetterQueue created for this queue, named `${name}Dlq`.
   */
  queue?: IQueue;
  /**
   * How many times a message is received before it moves to the dead-letter queue, from 1 to 1000.
   * @default 5
   */
  maxReceiveCount?: number;
}

export interface QueueArgs {
  /**
   * A FIFO queue: exactly-once processing, in order per message group. Its dead-letter queue is FIFO too.
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the body instead of an explicit deduplication ID.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * The dead-letter queue: options for the one created by default, an existing queue, or `false` to have none
   * (which requires `deadLetterOptOutReason`).
   * @default - A DeadLetterQueue `${name}Dlq` (14 days' retention) after 5 receives.
   */
  deadLetter?: DeadLetterArgs | false;
  /**
   * Why this queue has no dead-letter queue, at least 10 characters, kept as the tag `orderflow:dead-letter-opt-out`
   * (tag-value characters only: letters, digits, spaces and `_ . : / = + - @`, at most 256). Only with
   * `deadLetter: false`.
   * @default - None: a queue without a dead-letter queue must say why.
   */
  deadLetterOptOutReason?: string;
  /**
   * A customer-managed KMS key to encrypt messages with; grants then add the KMS actions, and the created
   * dead-letter queue uses the same key.
   * @default - SQS-managed server-side encryption.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * How long a received message stays hidden, from 0 to 43,200 seconds (12 hours). With function subscribers it
   * must be at least 6 x each one's timeout, or `subscribe()` fails.
   * @default - 6 x the longest timeout of the functions that subscribe, or 30 seconds without subscribers.
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Long polling: how long a receive waits for messages, from 0 to 20 seconds.
   * @default 20
   */
  receiveWaitTimeSeconds?: number;
  /**
   * How long messages are kept, from 60 to 1,209,600 seconds (14 days).
   * @default 345600 (4 days, the SQS default)
   */
  messageRetentionSeconds?: number;
  /**
   * The SNS topic the dead-letter queue's alarm notifies.
   * @default - The alarm has no actions.
   */
  alarmTopicArn?: pulumi.Input<string>;
  /** Changes the child resources before they are created. */
  transform?: {
    queue?: Transform<aws.sqs.QueueArgs>;
    policy?: Transform<aws.sqs.QueuePolicyArgs>;
    eventSourceMapping?: Transform<aws.lambda.EventSourceMappingArgs>;
  };
}

/** How a function consumes the queue. */
export interface QueueSubscribeArgs {
  /**
   * Messages per invocation, from 1 to 10,000 (at most 10 for a FIFO queue). Above 10 needs a
   * `maxBatchingWindow` of at least 1 second.
   * @default 10
   */
  batchSize?: number;
  /**
   * Seconds to gather a batch before invoking, from 0 to 300. FIFO queues do not support it.
   * @default 0
   */
  maxBatchingWindow?: number;
  /**
   * Up to 5 patterns (Lambda event filtering syntax) on the SQS record, e.g. `{ body: { status: ["PAID"] } }`;
   * a message matching none is deleted without invoking the function.
   * @default - Every message is delivered.
   */
  filters?: EventPattern[];
  /**
   * The most concurrent invocations this subscription may use, from 2 to 1000, and within the function's reserved
   * concurrency (with its other queue subscriptions).
   * @default - The function's reserved concurrency not taken by its other subscriptions; without a reservation, as many as Lambda scales to.
   */
  maxConcurrency?: number;
}

/** The attributes of a queue owned by another stack. */
export interface QueueAttributes {
  arn: pulumi.Input<string>;
  url: pulumi.Input<string>;
  /** @default false */
  fifo?: boolean;
  /** The queue's customer-managed KMS key, when it has one; grants then include the KMS actions. */
  kmsKeyArn?: pulumi.Input<string>;
}

/**
 * An SQS queue, standard or FIFO, encrypted, TLS-only and long-polling, with a dead-letter queue by default.
 * Functions consume it through `subscribe()`, which sizes the visibility timeout from their timeouts and reports
 * partial batch failures.
 *
 * @example
 * ```ts
 * const shipping = new Queue("shipping", { alarmTopicArn });
 * shipping.subscribe(createShipment, { batchSize: 10, maxBatchingWindow: 5 });
 * shipping.grantSend(checkout);
 * ```
 */
export class Queue extends QueueBase {
  /** The ARN of the queue. */
  readonly arn: pulumi.Output<string>;
  /** The URL of the queue. */
  readonly url: pulumi.Output<string>;
  /** The physical name of the queue. */
  readonly queueName: pulumi.Output<string>;
  /** Whether the queue is FIFO. */
  readonly fifo: boolean;
  /** The customer-managed KMS key encrypting the queue, when `kmsKeyArn` was given. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** The ARN of the dead-letter queue; undefined with `deadLetter: false`. */
  readonly deadLetterQueueArn?: pulumi.Output<string>;
  /** The raw resources this component created. */
  readonly nodes: {
    readonly queue: aws.sqs.Queue;
    readonly policy: aws.sqs.QueuePolicy;
    readonly deadLetterQueue?: DeadLetterQueue;
    /** One per `subscribe()`. */
    readonly subscriptions: aws.lambda.EventSourceMapping[];
  };

  private readonly label: string;
  private readonly statements: Collected<pulumi.Input<PolicyStatement>>;
  private readonly consumerTimeouts: Collected<number>;
  private readonly explicitVisibilityTimeout?: number;
  private readonly subscriberNames = new Set<string>();
  private readonly mappingTransform?: Transform<aws.lambda.EventSourceMappingArgs>;

  /** A queue owned by another stack, with the same grants; its queue policy stays with its owner. */
  static fromAttributes(name: string, attributes: QueueAttributes, opts?: pulumi.ComponentResourceOptions): IQueue {
    return new ImportedQueue(name, attributes, opts);
  }

  constructor(name: string, args: QueueArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const label = `Queue "${name}"`;
    // Before super(): impossible options must not leave even the component behind.
    validate(label, args);
    super("orderflow:messaging:Queue", name, opts);

    const fifo = args.fifo ?? false;
    const consumerTimeouts = new Collected<number>(label, "subscribers' minimum visibility timeouts");
    const { created: deadLetterQueue, target: deadLetterTarget } = resolveDeadLetter(this);
    const queue = createQueue(this);
    if (deadLetterTarget) allowRedrive(deadLetterTarget, queue.arn);
    const { policy, statements } = createQueuePolicy(label, name, queue, args.transform?.policy, this);

    this.label = label;
    this.statements = statements;
    this.consumerTimeouts = consumerTimeouts;
    this.explicitVisibilityTimeout = args.visibilityTimeoutSeconds;
    this.mappingTransform = args.transform?.eventSourceMapping;
    this.arn = queue.arn;
    this.url = queue.url;
    this.queueName = queue.name;
    this.fifo = fifo;
    this.kmsKeyArn = args.kmsKeyArn === undefined ? undefined : pulumi.output(args.kmsKeyArn);
    this.deadLetterQueueArn = deadLetterTarget?.arn;
    this.nodes = { queue, policy, deadLetterQueue, subscriptions: [] };
    this.registerOutputs({ arn: this.arn, url: this.url, queueName: this.queueName, deadLetterQueueArn: this.deadLetterQueueArn });

    function resolveDeadLetter(parent: Queue): { created?: DeadLetterQueue; target?: IQueue } {
      if (args.deadLetter === false) return {};
      if (args.deadLetter?.queue) return { target: args.deadLetter.queue };
      // The DLQ inherits what makes it usable as this queue's target: the same FIFO-ness and the same key.
      const created = new DeadLetterQueue(`${name}Dlq`, { fifo, kmsKeyArn: args.kmsKeyArn, alarmTopicArn: args.alarmTopicArn }, { parent });
      return { created, target: created };
    }

    function createQueue(parent: Queue): aws.sqs.Queue {
      const maxReceiveCount = (args.deadLetter || undefined)?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
      return new aws.sqs.Queue(
        ...transform(
          args.transform?.queue,
          `${name}Queue`,
          {
            fifoQueue: fifo || undefined,
            contentBasedDeduplication: args.contentBasedDeduplication,
            ...queueEncryption(args.kmsKeyArn),
            receiveWaitTimeSeconds: args.receiveWaitTimeSeconds ?? 20,
            messageRetentionSeconds: args.messageRetentionSeconds,
            visibilityTimeoutSeconds:
              args.visibilityTimeoutSeconds ??
              consumerTimeouts.all.apply((minimums) => (minimums.length === 0 ? DEFAULT_VISIBILITY_TIMEOUT_SECONDS : Math.max(...minimums))),
            redrivePolicy: deadLetterTarget && pulumi.jsonStringify({ deadLetterTargetArn: deadLetterTarget.arn, maxReceiveCount }),
            tags: args.deadLetter === false ? { [DEAD_LETTER_OPT_OUT_TAG]: args.deadLetterOptOutReason! } : undefined,
          },
          { parent },
        ),
      );
    }
  }

  /** Adds a statement to the queue's one queue policy, after its TLS-only deny. Only during the program's setup. */
  addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void {
    this.statements.add(statement);
  }

  /**
   * Has a function consume the queue: an event source mapping reporting partial batch failures
   * (`ReportBatchItemFailures`), and `grantPoll` for the function's role (the mapping polls with it), which the mapping waits for. Unless
   * `visibilityTimeoutSeconds` was set, the queue's visibility timeout becomes 6 x the longest subscriber timeout plus
   * that subscription's batching window (AWS's guidance for Lambda consumers: a batch may wait that long first).
   * Only during the program's setup.
   */
  subscribe(fn: IConsumerFunction, args: QueueSubscribeArgs = {}): aws.lambda.EventSourceMapping {
    const filters = validateSubscription(this.label, this.fifo, args);
    const maxConcurrency = concurrencyWithinReservation(this.label, fn, args.maxConcurrency);
    const minimum = minimumVisibilityFor(fn, args.maxBatchingWindow);
    this.requireVisibilityFor(fn, minimum);
    if (this.subscriberNames.has(fn.name)) {
      throw new ComponentArgumentError(this.label, `function "${fn.name}" already subscribes to this queue; subscribe it once.`);
    }
    this.subscriberNames.add(fn.name);
    this.consumerTimeouts.add(minimum);

    const consume = this.grantPoll(fn);
    const mapping = new aws.lambda.EventSourceMapping(
      ...transform(
        this.mappingTransform,
        `${this.name}Subscriber${fn.name.charAt(0).toUpperCase()}${fn.name.slice(1)}`,
        {
          eventSourceArn: this.arn,
          functionName: fn.functionName,
          batchSize: args.batchSize ?? 10,
          maximumBatchingWindowInSeconds: args.maxBatchingWindow,
          functionResponseTypes: ["ReportBatchItemFailures"],
          scalingConfig: maxConcurrency === undefined ? undefined : { maximumConcurrency: maxConcurrency },
          filterCriteria: filters.length === 0 ? undefined : { filters: filters.map((pattern) => ({ pattern })) },
        },
        // Lambda checks that the role may read the queue when the mapping is created.
        { parent: this, dependsOn: [consume] },
      ),
    );
    this.nodes.subscriptions.push(mapping);
    return mapping;
  }

  private requireVisibilityFor(fn: IConsumerFunction, minimum: number): void {
    const explicit = this.explicitVisibilityTimeout;
    if (explicit !== undefined && explicit < minimum) {
      throw new ComponentArgumentError(
        this.label,
        `\`visibilityTimeoutSeconds\` is ${explicit} seconds, but consumer "${fn.name}" has a ${fn.timeoutSeconds}-second ` +
          `timeout, so it must be at least ${minimum} seconds (${VISIBILITY_TIMEOUT_FACTOR} x the function's timeout plus the ` +
          `batching window, AWS's guidance for Lambda consumers). Raise it to ${minimum} or more, or leave it out to size it from the subscribers.`,
      );
    }
  }
}

// The concurrency each function's queue subscriptions have taken so far, across every queue of the program.
const concurrencyTaken = new WeakMap<IConsumerFunction, number>();

/** Lambda's bounds for an SQS event source mapping's maximum concurrency (ScalingConfig.MaximumConcurrency). */
const MIN_MAX_CONCURRENCY = 2;
const MAX_MAX_CONCURRENCY = 1000;

/**
 * A subscription's maximum concurrency, held within the function's reserved concurrency. "Event source mappings don't
 * account for reserved concurrency": without a cap, Lambda's pollers receive more batches than the function may run,
 * the throttled batches go back to the queue, and after maxReceiveCount receives good messages land in the DLQ
 * (https://repost.aws/knowledge-center/lambda-sqs-scaling; AWS: do not set maximum concurrency above the reserved
 * concurrency, https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html). Lambda takes 2 to 1000
 * (https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html). Records what the subscription takes.
 */
function concurrencyWithinReservation(label: string, fn: IConsumerFunction, requested: number | undefined): number | undefined {
  const reserved = fn.reservedConcurrency;
  if (reserved === undefined) return requested;
  const taken = concurrencyTaken.get(fn) ?? 0;
  const available = Math.min(reserved - taken, MAX_MAX_CONCURRENCY);
  const others = taken > 0 ? `, of which its other queue subscriptions take ${taken}` : "";
  if (available < MIN_MAX_CONCURRENCY) {
    throw new ComponentArgumentError(
      label,
      `function "${fn.name}" reserves ${reserved} concurrent executions${others}, and a queue subscription needs a maximum ` +
        `concurrency of at least ${MIN_MAX_CONCURRENCY} within them (Lambda's minimum), or its pollers would outrun the ` +
        `function and good messages would reach the DLQ. Reserve at least ${taken + MIN_MAX_CONCURRENCY}, or no concurrency, for "${fn.name}".`,
    );
  }
  if (requested !== undefined && requested > available) {
    throw new ComponentArgumentError(
      label,
      `\`maxConcurrency\` is ${requested}, but function "${fn.name}" reserves ${reserved} concurrent executions${others}: ` +
        `set it to ${available} or less, or raise the function's reservation.`,
    );
  }
  const granted = requested ?? available;
  concurrencyTaken.set(fn, taken + granted);
  return granted;
}

/** AWS's guidance for a Lambda consumer of SQS: visibility of 6 x the function's timeout plus the batching window. */
function minimumVisibilityFor(fn: IConsumerFunction, maxBatchingWindow: number | undefined): number {
  return VISIBILITY_TIMEOUT_FACTOR * fn.timeoutSeconds + (maxBatchingWindow ?? 0);
}

class ImportedQueue extends QueueBase {
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly fifo: boolean;
  readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, attributes: QueueAttributes, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:messaging:ImportedQueue", name, opts);
    this.arn = pulumi.output(attributes.arn);
    this.url = pulumi.output(attributes.url);
    this.fifo = attributes.fifo ?? false;
    this.kmsKeyArn = attributes.kmsKeyArn === undefined ? undefined : pulumi.output(attributes.kmsKeyArn);
    this.registerOutputs({ arn: this.arn, url: this.url });
  }

  addToResourcePolicy(): void {
    // SQS keeps one policy per queue: a second writer in this stack would silently replace the owner's.
    throw new ComponentArgumentError(
      `Queue "${this.name}"`,
      "is imported, and its queue policy belongs to the stack that owns it. Add the statement there (with " +
        "`addToResourcePolicy` on the Queue), or send through a role with `grantSend` instead.",
    );
  }
}

/** A DeadLetterQueue (or anything with its redrive-allow list) admits the queues that dead-letter into it. */
function allowRedrive(target: IQueue, sourceQueueArn: pulumi.Output<string>): void {
  const redrivable = target as IQueue & { allowRedriveFrom?: (arn: pulumi.Input<string>) => void };
  if (typeof redrivable.allowRedriveFrom === "function") redrivable.allowRedriveFrom(sourceQueueArn);
}

function validate(label: string, args: QueueArgs): void {
  const fifo = args.fifo ?? false;
  if (args.contentBasedDeduplication && !fifo) {
    throw new ComponentArgumentError(label, "`contentBasedDeduplication` only applies to FIFO queues. Set `fifo: true`, or remove it.");
  }
  requireIntegerInRange(label, "visibilityTimeoutSeconds", args.visibilityTimeoutSeconds, 0, 43_200, "seconds");
  requireIntegerInRange(label, "receiveWaitTimeSeconds", args.receiveWaitTimeSeconds, 0, 20, "seconds");
  requireIntegerInRange(label, "messageRetentionSeconds", args.messageRetentionSeconds, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS, "seconds");

  if (args.deadLetter === false) {
    validateOptOutReason(label, args.deadLetterOptOutReason);
    return;
  }
  if (args.deadLetterOptOutReason !== undefined) {
    throw new ComponentArgumentError(
      label,
      "`deadLetterOptOutReason` only applies with `deadLetter: false`, and this queue has a dead-letter queue. Remove the reason, or set `deadLetter: false`.",
    );
  }
  const maxReceiveCount = args.deadLetter?.maxReceiveCount;
  if (maxReceiveCount !== undefined && (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)) {
    throw new ComponentArgumentError(
      label,
      `\`deadLetter.maxReceiveCount\` must be a positive integer from 1 to 1000 (receives before a message is dead-lettered), but ${maxReceiveCount} was provided.`,
    );
  }
  const given = args.deadLetter?.queue;
  if (given && given.fifo !== fifo) {
    // SQS requires the dead-letter queue of a FIFO queue to be FIFO, and that of a standard queue to be standard.
    throw new ComponentArgumentError(
      label,
      `\`deadLetter.queue\` must be ${fifo ? "a FIFO" : "a standard"} queue like this one, but ${given.fifo ? "FIFO" : "standard"} ` +
        `queue "${given.name}" was provided. Pass a matching queue, or leave \`deadLetter.queue\` out to get one.`,
    );
  }
}

function validateOptOutReason(label: string, reason: string | undefined): void {
  const length = reason?.trim().length ?? 0;
  if (reason === undefined || length < MIN_OPT_OUT_REASON_LENGTH) {
    throw new ComponentArgumentError(
      label,
      `\`deadLetter: false\` needs \`deadLetterOptOutReason\`: why this queue may lose messages that keep failing, at least ` +
        `${MIN_OPT_OUT_REASON_LENGTH} characters (kept as the tag "${DEAD_LETTER_OPT_OUT_TAG}"), but ` +
        `${reason === undefined ? "none was provided" : `"${reason}" was provided`}. Write the reason, or leave \`deadLetter\` out to get a dead-letter queue.`,
    );
  }
  if (!TAG_VALUE.test(reason)) {
    throw new ComponentArgumentError(
      label,
      `\`deadLetterOptOutReason\` becomes a tag value, which takes at most 256 letters, digits, spaces and \`_ . : / = + - @\`, ` +
        `but "${reason}" was provided. Rephrase it without other characters.`,
    );
  }
}

/** Checks a subscription's options; returns its filter patterns as JSON. */
function validateSubscription(label: string, fifo: boolean, args: QueueSubscribeArgs): string[] {
  requireIntegerInRange(label, "batchSize", args.batchSize, 1, fifo ? 10 : 10_000);
  requireIntegerInRange(label, "maxBatchingWindow", args.maxBatchingWindow, 0, 300, "seconds");
  requireIntegerInRange(label, "maxConcurrency", args.maxConcurrency, 2, 1000);
  if (fifo && (args.maxBatchingWindow ?? 0) > 0) {
    throw new ComponentArgumentError(label, `\`maxBatchingWindow\` is not supported for FIFO queues, but ${args.maxBatchingWindow} was provided. Remove it.`);
  }
  if ((args.batchSize ?? 10) > 10 && (args.maxBatchingWindow ?? 0) < 1) {
    throw new ComponentArgumentError(
      label,
      `\`batchSize\` ${args.batchSize} is above 10, which Lambda only accepts with a \`maxBatchingWindow\` of at least 1 second. Set \`maxBatchingWindow\`.`,
    );
  }
  const patterns = args.filters ?? [];
  if (patterns.length > MAX_FILTERS) {
    throw new ComponentArgumentError(label, `\`filters\` can hold at most ${MAX_FILTERS} patterns, but ${patterns.length} were provided.`);
  }
  return patterns.map((pattern, i) => {
    // Lambda event filtering has the operators of Pipes' filters (no wildcard), hence the "pipe" dialect.
    const problems = eventPatternProblems(pattern, "pipe");
    if (problems.length > 0) {
      throw new ComponentArgumentError(
        label,
        `\`filters[${i}]\` is not a valid Lambda filter pattern: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}.`,
      );
    }
    return JSON.stringify(pattern);
  });
}
