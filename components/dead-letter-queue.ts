import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyInOneMinute } from "./alarm";
import { Collected } from "./collected";
import { requireIntegerInRange } from "./errors";
import type { PolicyStatement } from "./interfaces";
import {
  createQueuePolicy,
  MAX_RETENTION_SECONDS,
  MIN_RETENTION_SECONDS,
  queueEncryption,
  QueueBase,
} from "./queue-base";
import { transform, type Transform } from "./transform";

/** Tag naming what a component made a resource for; the policy pack reads it. */
export const ROLE_TAG = "orderflow:role";
/** `ROLE_TAG` value every DeadLetterQueue carries, so policies can tell dead-letter queues from work queues. */
export const DEAD_LETTER_ROLE = "dead-letter-queue";

export interface DeadLetterQueueArgs {
  /**
   * A FIFO queue. SQS requires a FIFO source queue (and an SNS FIFO subscription) to dead-letter into a FIFO queue,
   * and a standard one into a standard queue.
   * @default false
   */
  fifo?: boolean;
  /**
   * How long failed messages are kept, from 60 seconds to 1,209,600 seconds (14 days). For standard queues a
   * message's age counts from its first enqueue in the source queue, so the longest retention leaves the most time
   * to inspect and redrive.
   * @default 1209600 (14 days)
   */
  messageRetentionSeconds?: number;
  /**
   * A customer-managed KMS key to encrypt messages with. Whoever sends failures here (SNS, EventBridge, Lambda,
   * Pipes) then needs that key's policy to admit it, so leave it out unless the data requires it.
   * @default - SQS-managed server-side encryption.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * The SNS topic the "messages waiting" alarm notifies.
   * @default - The alarm has no actions.
   */
  alarmTopicArn?: pulumi.Input<string>;
  /** Changes the child resources before they are created. */
  transform?: {
    queue?: Transform<aws.sqs.QueueArgs>;
    policy?: Transform<aws.sqs.QueuePolicyArgs>;
    redriveAllowPolicy?: Transform<aws.sqs.RedriveAllowPolicyArgs>;
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

/**
 * The dead-letter queue every asynchronous path of orderflow uses: a Queue's redrive target, an SNS subscription's
 * redrive policy, an EventBridge rule target's `deadLetterConfig`, a function's on-failure destination, a pipe's
 * stream DLQ. Encrypted, TLS-only, kept 14 days, tagged `orderflow:role=dead-letter-queue`, with an alarm as soon as
 * one message is waiting.
 *
 * Producers that are AWS services admit themselves through `addToResourcePolicy`, scoped with `aws:SourceArn`;
 * source queues that redrive here are listed with `allowRedriveFrom` (and only they may).
 *
 * @example
 * ```ts
 * const dlq = new DeadLetterQueue("ordersDlq", { alarmTopicArn });
 * dlq.addToResourcePolicy({
 *   Effect: "Allow",
 *   Principal: { Service: "sns.amazonaws.com" },
 *   Action: "sqs:SendMessage",
 *   Resource: dlq.arn,
 *   Condition: { ArnEquals: { "aws:SourceArn": topic.arn } },
 * });
 * ```
 */
export class DeadLetterQueue extends QueueBase {
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

  private readonly queue: aws.sqs.Queue;
  private readonly policy: aws.sqs.QueuePolicy;
  private readonly alarm: aws.cloudwatch.MetricAlarm;
  private readonly statements: Collected<pulumi.Input<PolicyStatement>>;
  private readonly redriveAllowTransform?: Transform<aws.sqs.RedriveAllowPolicyArgs>;
  private redriveSources?: Collected<pulumi.Input<string>>;
  private redriveAllowPolicy?: aws.sqs.RedriveAllowPolicy;

  constructor(name: string, args: DeadLetterQueueArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const label = `DeadLetterQueue "${name}"`;
    // Before super(): impossible options must not leave even the component behind.
    requireIntegerInRange(label, "messageRetentionSeconds", args.messageRetentionSeconds, MIN_RETENTION_SECONDS, MAX_RETENTION_SECONDS, "seconds");
    super("orderflow:messaging:DeadLetterQueue", name, opts);

    const queue = createQueue(this);
    const { policy, statements } = createQueuePolicy(label, name, queue, args.transform?.policy, this);
    const alarm = createAlarm(this);

    this.queue = queue;
    this.policy = policy;
    this.alarm = alarm;
    this.statements = statements;
    this.redriveAllowTransform = args.transform?.redriveAllowPolicy;
    this.arn = queue.arn;
    this.url = queue.url;
    this.queueName = queue.name;
    this.fifo = args.fifo ?? false;
    this.kmsKeyArn = args.kmsKeyArn === undefined ? undefined : pulumi.output(args.kmsKeyArn);
    this.registerOutputs({ arn: this.arn, url: this.url, queueName: this.queueName });

    function createQueue(parent: DeadLetterQueue): aws.sqs.Queue {
      return new aws.sqs.Queue(
        ...transform(
          args.transform?.queue,
          `${name}Queue`,
          {
            fifoQueue: args.fifo || undefined,
            messageRetentionSeconds: args.messageRetentionSeconds ?? MAX_RETENTION_SECONDS,
            ...queueEncryption(args.kmsKeyArn),
            tags: { [ROLE_TAG]: DEAD_LETTER_ROLE },
          },
          { parent },
        ),
      );
    }

    function createAlarm(parent: DeadLetterQueue): aws.cloudwatch.MetricAlarm {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          args.transform?.alarm,
          `${name}Alarm`,
          {
            alarmDescription: `Dead-letter queue ${name} holds failed messages: inspect them, fix the cause, then redrive.`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: queue.name },
            // Maximum: the queue's depth, not a count of events.
            ...anyInOneMinute(args.alarmTopicArn, "Maximum"),
          },
          { parent },
        ),
      );
    }
  }

  /** The raw resources this component created (`redriveAllowPolicy` once a source was allowed). */
  get nodes(): {
    readonly queue: aws.sqs.Queue;
    readonly policy: aws.sqs.QueuePolicy;
    readonly alarm: aws.cloudwatch.MetricAlarm;
    readonly redriveAllowPolicy?: aws.sqs.RedriveAllowPolicy;
  } {
    return { queue: this.queue, policy: this.policy, alarm: this.alarm, redriveAllowPolicy: this.redriveAllowPolicy };
  }

  /** Adds a statement to the queue's one queue policy, after its TLS-only deny. Only during the program's setup. */
  addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void {
    this.statements.add(statement);
  }

  /**
   * Lets a source queue redrive into this one. The first call creates the queue's redrive-allow policy
   * (`byQueue`), so from then on only the queues listed here may use it as their dead-letter queue.
   */
  allowRedriveFrom(sourceQueueArn: pulumi.Input<string>): void {
    if (!this.redriveSources) {
      const sources = new Collected<pulumi.Input<string>>(`DeadLetterQueue "${this.name}"`, "redrive source queues");
      this.redriveSources = sources;
      this.redriveAllowPolicy = new aws.sqs.RedriveAllowPolicy(
        ...transform(
          this.redriveAllowTransform,
          `${this.name}RedriveAllowPolicy`,
          {
            queueUrl: this.url,
            redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: sources.all }),
          },
          { parent: this },
        ),
      );
    }
    this.redriveSources.add(sourceQueueArn);
  }
}
