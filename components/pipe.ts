import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeadLetterQueue } from "./dead-letter-queue";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { eventPatternProblems, type EventPattern } from "./event-pattern";
import { grant, type Grantee } from "./grant";
import type { IEventBus, IFunction, IQueue, IStateMachine, ITable, ITopic } from "./interfaces";
import { transform, type Transform } from "./transform";

/** Reads a queue; failed messages go back to the queue, whose own redrive policy dead-letters them. */
export interface QueueSource {
  readonly queue: IQueue;
  /**
   * Messages per batch: 1 to 10000 (10 for a FIFO queue, and at most 10 when the target is a queue, topic or bus).
   * @default 10
   */
  readonly batchSize?: number;
  /** Seconds to wait for a fuller batch: 0 to 300. @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
}

/** Reads a table's DynamoDB stream; records that keep failing go to a dead-letter queue. */
export interface TableStreamSource {
  /** A table with a stream (`stream` set on the Table). */
  readonly table: ITable;
  /** Where a new pipe starts reading. @default "LATEST" */
  readonly startingPosition?: "LATEST" | "TRIM_HORIZON";
  /**
   * Records per batch: 1 to 10000 (at most 10 when the target is a queue, topic or bus).
   * @default 10
   */
  readonly batchSize?: number;
  /** Seconds to wait for a fuller batch: 0 to 300. @default 0 */
  readonly maximumBatchingWindowSeconds?: number;
  /** Retries of a failing batch (halved on each failure) before its records are dead-lettered: 0 to 10000. @default 10 */
  readonly maximumRetryAttempts?: number;
  /**
   * Records older than this many seconds are dead-lettered instead of retried: 60 to 604800. The default leaves a
   * failing record time to be redriven from the DLQ long before the stream drops it (after 24 hours).
   * @default 3600
   */
  readonly maximumRecordAgeSeconds?: number;
  /** A standard queue for records that could not be delivered. @default - One created for this pipe. */
  readonly deadLetterQueue?: IQueue;
}

export type PipeSource = QueueSource | TableStreamSource;

/**
 * Starts a state machine. A pipe hands a Step Functions target the batch as a JSON array, even when the batch holds
 * a single record (EventBridge Pipes batching docs), so the state machine's input is `[record, ...]`.
 */
export interface StateMachinePipeTarget {
  readonly stateMachine: IStateMachine;
  /**
   * `FIRE_AND_FORGET` (StartExecution; standard and express workflows) or `REQUEST_RESPONSE` (StartSyncExecution;
   * express workflows only).
   * @default "FIRE_AND_FORGET"
   */
  readonly invocationType?: "FIRE_AND_FORGET" | "REQUEST_RESPONSE";
}

/** Puts each record on a bus as an event. */
export interface BusPipeTarget {
  readonly bus: IEventBus;
  /** The events' detail-type. @default - "Event from aws:sqs" / "Event from aws:dynamodb" (set by Pipes). */
  readonly detailType?: string;
  /** The events' source. @default - "Pipe <pipe name>" (set by Pipes). */
  readonly source?: string;
}

/** Sends each record to a queue. */
export interface QueuePipeTarget {
  readonly queue: IQueue;
  /** The message group, required for (and only for) a FIFO queue; may be a JSON path (`$.body.orderId`). */
  readonly messageGroupId?: string;
}

/** Publishes each record to a standard topic (Pipes cannot target FIFO topics). */
export interface TopicPipeTarget {
  readonly topic: ITopic;
}

/** Invokes a function with the batch as a JSON array. */
export interface FunctionPipeTarget {
  readonly function: IFunction;
  /** `REQUEST_RESPONSE` (synchronous, failures retried) or `FIRE_AND_FORGET`. @default "REQUEST_RESPONSE" */
  readonly invocationType?: "FIRE_AND_FORGET" | "REQUEST_RESPONSE";
}

export type PipeTarget = (StateMachinePipeTarget | BusPipeTarget | QueuePipeTarget | TopicPipeTarget | FunctionPipeTarget) & {
  /** Reshapes each record before delivery (`<$.body.orderId>` placeholders). @default - The record as is. */
  readonly inputTemplate?: string;
};

/** How much of each execution the pipe logs. */
export type PipeLogLevel = "OFF" | "ERROR" | "INFO" | "TRACE";

export interface PipeArgs {
  readonly source: PipeSource;
  /**
   * Up to 5 patterns; a record passes when it matches any of them. Same syntax as rule patterns, minus the
   * operators Pipes lack (wildcard, nested anything-but). Queue records are matched on `body`, stream records on
   * `dynamodb.NewImage` and friends.
   * @default - Every record passes.
   */
  readonly filter?: readonly EventPattern[];
  /** A function called with each batch; what it returns is delivered instead. @default - No enrichment. */
  readonly enrichment?: IFunction;
  readonly target: PipeTarget;
  /** @default "ERROR" */
  readonly logLevel?: PipeLogLevel;
  /**
   * Adds each execution's payload, request and response to the log records. They may hold personal data.
   * @default false
   */
  readonly includeExecutionData?: boolean;
  /** Days the pipe's log records are kept, from 1 to 3653 (CloudWatch allows only certain values). @default 30 */
  readonly logRetentionInDays?: number;
  /** The SNS topic the dead-letter queue's alarm notifies. @default - Alarm without actions. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** @default - None. */
  readonly description?: string;
  /** Changes the children before they are created. */
  readonly transform?: {
    readonly pipe?: Transform<aws.pipes.PipeArgs>;
    readonly role?: Transform<aws.iam.RoleArgs>;
    readonly logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  };
}

const PIPES_SERVICE = "pipes.amazonaws.com";
const TARGET_KINDS = ["stateMachine", "bus", "queue", "topic", "function"] as const;
type TargetKind = (typeof TARGET_KINDS)[number];
const MAX_FILTERS = 5;
// Batch APIs of these targets take at most 10 entries (SendMessageBatch, PublishBatch, PutEvents).
const BATCH_LIMITED_TARGETS: readonly TargetKind[] = ["queue", "topic", "bus"];
const LOG_WRITE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/**
 * An EventBridge Pipe: one source (a queue, or a table's stream) to one target, with optional filtering and
 * enrichment, as the point-to-point integration of the talk.
 *
 * Creates: the pipe; its own role (trusted by pipes.amazonaws.com for this account only) holding exactly the
 * source-read, enrichment-invoke and target-push grants; a log group (level ERROR, 30 days by default) the role may
 * write to; and, for a stream source, a dead-letter queue (with its alarm) plus bounded retries (10), a maximum
 * record age (1 hour) and batch bisection on failure.
 *
 * Log delivery to CloudWatch Logs goes through the pipe's execution role (logs:CreateLogStream and
 * logs:PutLogEvents on the group's streams); Pipes uses no log group resource policy, unlike rules targeting logs.
 *
 * @example
 * ```ts
 * new Pipe("ordersToFulfilment", {
 *   source: { table: orders },
 *   filter: [{ eventName: ["INSERT"] }],
 *   enrichment: loadCustomer,
 *   target: { stateMachine: fulfilment }, // the state machine receives a JSON array of records
 * });
 * ```
 */
export class Pipe extends pulumi.ComponentResource {
  /** The ARN of the pipe. */
  readonly arn: pulumi.Output<string>;
  /** The physical name of the pipe. */
  readonly pipeName: pulumi.Output<string>;
  /** The ARN of the role the pipe runs as. */
  readonly roleArn: pulumi.Output<string>;
  /** The name of the log group; undefined when `logLevel` is "OFF". */
  readonly logGroupName?: pulumi.Output<string>;
  /** The dead-letter queue of a stream source (created or given); undefined for a queue source. */
  readonly deadLetterQueue?: IQueue;
  /** The raw resources this component created. */
  readonly nodes: {
    readonly pipe: aws.pipes.Pipe;
    readonly role: aws.iam.Role;
    readonly policies: readonly aws.iam.RolePolicy[];
    readonly logGroup?: aws.cloudwatch.LogGroup;
    readonly deadLetterQueue?: DeadLetterQueue;
  };

  constructor(name: string, args: PipeArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a pipe with impossible options must not leave even its component behind.
    const { targetKind, filters } = validatePipe(`Pipe "${name}"`, args);
    super("orderflow:messaging:Pipe", name, {}, opts);

    const source = args.source;
    const stream = "table" in source ? source : undefined;
    const logLevel = args.logLevel ?? "ERROR";

    const role = createRole(this);
    const grantee: Grantee = { role, grantName: name, grantParent: role };
    const createdDlq = stream && !stream.deadLetterQueue ? createDeadLetterQueue(this) : undefined;
    const deadLetterQueue = stream ? (stream.deadLetterQueue ?? createdDlq) : undefined;
    const logGroup = logLevel === "OFF" ? undefined : createLogGroup(this);
    const policies = grantAccess();
    const pipe = createPipe(this);

    this.arn = pipe.arn;
    this.pipeName = pipe.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroup?.name;
    this.deadLetterQueue = deadLetterQueue;
    this.nodes = { pipe, role, policies, logGroup, deadLetterQueue: createdDlq };
    this.registerOutputs({ arn: this.arn, pipeName: this.pipeName, roleArn: this.roleArn, logGroupName: this.logGroupName });

    function createRole(parent: Pipe): aws.iam.Role {
      const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
      return new aws.iam.Role(
        ...transform(
          args.transform?.role,
          `${name}Role`,
          {
            description: `Runs the ${name} pipe.`,
            assumeRolePolicy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: PIPES_SERVICE },
                  Action: "sts:AssumeRole",
                  // Only pipes of this account may act as this role (confused-deputy guard).
                  Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
              ],
            }),
          },
          { parent },
        ),
      );
    }

    function createDeadLetterQueue(parent: Pipe): DeadLetterQueue {
      return new DeadLetterQueue(`${name}Dlq`, { alarmTopicArn: args.alarmTopicArn }, { parent });
    }

    function createLogGroup(parent: Pipe): aws.cloudwatch.LogGroup {
      return new aws.cloudwatch.LogGroup(
        ...transform(args.transform?.logGroup, `${name}LogGroup`, { retentionInDays: args.logRetentionInDays ?? 30 }, { parent }),
      );
    }

    // Exactly what the pipe does: read the source, dead-letter, invoke the enrichment, push to the target, log.
    function grantAccess(): aws.iam.RolePolicy[] {
      const policies: aws.iam.RolePolicy[] = [];
      if (stream) {
        // The Table's stream grant: DescribeStream, GetRecords, GetShardIterator on the stream ARN. The Pipes docs
        // also list dynamodb:ListStreams, but it has no resource-level permissions (it only works on "*") and only
        // looks up stream ARNs, which the pipe is given; scoped to the stream it would grant nothing.
        policies.push(stream.table.grantStreamRead(grantee));
        policies.push(deadLetterQueue!.grantSend(grantee));
      } else {
        policies.push((source as QueueSource).queue.grantPoll(grantee));
      }
      if (args.enrichment) policies.push(args.enrichment.grantInvoke(grantee));
      policies.push(grantTargetPush());
      if (logGroup) {
        policies.push(grant(grantee, `logs-${name}`, [{ actions: LOG_WRITE_ACTIONS, resources: [pulumi.interpolate`${logGroup.arn}:log-stream:*`] }]));
      }
      return policies;
    }

    function grantTargetPush(): aws.iam.RolePolicy {
      const target = args.target as Record<TargetKind, unknown>;
      switch (targetKind) {
        case "stateMachine":
          return (target.stateMachine as IStateMachine).grantStart(grantee);
        case "bus":
          return (target.bus as IEventBus).grantPutEvents(grantee);
        case "queue":
          return (target.queue as IQueue).grantSend(grantee);
        case "topic":
          return (target.topic as ITopic).grantPublish(grantee);
        case "function":
          return (target.function as IFunction).grantInvoke(grantee);
      }
    }

    function createPipe(parent: Pipe): aws.pipes.Pipe {
      return new aws.pipes.Pipe(
        ...transform(
          args.transform?.pipe,
          `${name}Pipe`,
          {
            description: args.description,
            roleArn: role.arn,
            source: stream ? stream.table.streamArn! : (source as QueueSource).queue.arn,
            sourceParameters: {
              filterCriteria: filters.length > 0 ? { filters: filters.map((pattern) => ({ pattern })) } : undefined,
              sqsQueueParameters: stream
                ? undefined
                : {
                    batchSize: source.batchSize ?? 10,
                    maximumBatchingWindowInSeconds: source.maximumBatchingWindowSeconds ?? 0,
                  },
              dynamodbStreamParameters: stream
                ? {
                    startingPosition: stream.startingPosition ?? "LATEST",
                    batchSize: stream.batchSize ?? 10,
                    maximumBatchingWindowInSeconds: stream.maximumBatchingWindowSeconds ?? 0,
                    maximumRetryAttempts: stream.maximumRetryAttempts ?? 10,
                    maximumRecordAgeInSeconds: stream.maximumRecordAgeSeconds ?? 3600,
                    onPartialBatchItemFailure: "AUTOMATIC_BISECT",
                    deadLetterConfig: { arn: deadLetterQueue!.arn },
                  }
                : undefined,
            },
            enrichment: args.enrichment?.arn,
            target: targetArn(),
            targetParameters: targetParameters(),
            logConfiguration: logGroup
              ? {
                  level: logLevel,
                  cloudwatchLogsLogDestination: { logGroupArn: logGroup.arn },
                  includeExecutionDatas: args.includeExecutionData ? ["ALL"] : undefined,
                }
              : { level: "OFF" },
          },
          // Pipes checks its role's permissions when it starts; the grants must exist first.
          { parent, dependsOn: policies },
        ),
      );
    }

    function targetArn(): pulumi.Output<string> {
      const target = args.target as unknown as Record<TargetKind, { arn: pulumi.Output<string> }>;
      return target[targetKind].arn;
    }

    function targetParameters(): aws.types.input.pipes.PipeTargetParameters {
      const inputTemplate = args.target.inputTemplate;
      switch (targetKind) {
        case "stateMachine":
          return {
            inputTemplate,
            stepFunctionStateMachineParameters: {
              invocationType: (args.target as StateMachinePipeTarget).invocationType ?? "FIRE_AND_FORGET",
            },
          };
        case "bus": {
          const { detailType, source: eventSource } = args.target as BusPipeTarget;
          return {
            inputTemplate,
            eventbridgeEventBusParameters: detailType || eventSource ? { detailType, source: eventSource } : undefined,
          };
        }
        case "queue": {
          const { messageGroupId } = args.target as QueuePipeTarget;
          return { inputTemplate, sqsQueueParameters: messageGroupId ? { messageGroupId } : undefined };
        }
        case "topic":
          return { inputTemplate };
        case "function":
          return {
            inputTemplate,
            lambdaFunctionParameters: { invocationType: (args.target as FunctionPipeTarget).invocationType ?? "REQUEST_RESPONSE" },
          };
      }
    }
  }
}

/** Checks every option; returns the target's kind and the filter patterns as JSON. */
function validatePipe(label: string, args: PipeArgs): { targetKind: TargetKind; filters: string[] } {
  const source = args.source as Partial<QueueSource & TableStreamSource> | undefined;
  if (!source || (source.queue === undefined) === (source.table === undefined)) {
    throw new ComponentArgumentError(label, "`source` must name exactly one of `queue` or `table`.");
  }
  const targetKinds = TARGET_KINDS.filter((kind) => (args.target as unknown as Record<string, unknown> | undefined)?.[kind] !== undefined);
  if (targetKinds.length !== 1) {
    throw new ComponentArgumentError(
      label,
      `\`target\` must name exactly one of ${TARGET_KINDS.map((k) => `\`${k}\``).join(", ")}, but ${targetKinds.length === 0 ? "none" : targetKinds.map((k) => `\`${k}\``).join(" and ")} ${targetKinds.length === 1 ? "was" : "were"} given.`,
    );
  }
  const targetKind = targetKinds[0];

  requireIntegerInRange(label, "source.maximumBatchingWindowSeconds", source.maximumBatchingWindowSeconds, 0, 300, "seconds");
  if (source.table) {
    if (source.table.streamArn === undefined) {
      throw new ComponentArgumentError(
        label,
        `\`source.table\` "${source.table.name}" has no stream. Set \`stream: "NEW_IMAGE"\` (or "NEW_AND_OLD_IMAGES") on the ` +
          "Table, or pass `streamArn` to Table.fromAttributes.",
      );
    }
    if (source.startingPosition !== undefined && source.startingPosition !== "LATEST" && source.startingPosition !== "TRIM_HORIZON") {
      throw new ComponentArgumentError(
        label,
        `\`source.startingPosition\` must be "LATEST" or "TRIM_HORIZON", but ${JSON.stringify(source.startingPosition)} was provided.`,
      );
    }
    requireIntegerInRange(label, "source.batchSize", source.batchSize, 1, 10000);
    requireIntegerInRange(label, "source.maximumRetryAttempts", source.maximumRetryAttempts, 0, 10000);
    requireIntegerInRange(label, "source.maximumRecordAgeSeconds", source.maximumRecordAgeSeconds, 60, 604800, "seconds");
    if (source.deadLetterQueue?.fifo) {
      throw new ComponentArgumentError(
        label,
        `\`source.deadLetterQueue\` is the FIFO queue "${source.deadLetterQueue.name}"; a pipe's dead-letter queue must be a standard queue.`,
      );
    }
  } else {
    const fifo = source.queue!.fifo;
    requireIntegerInRange(label, "source.batchSize", source.batchSize, 1, fifo ? 10 : 10000);
  }
  if (BATCH_LIMITED_TARGETS.includes(targetKind) && (source.batchSize ?? 10) > 10) {
    throw new ComponentArgumentError(
      label,
      `\`source.batchSize\` must be 10 or less when the target is a ${targetKind} (its batch API takes 10 entries), but ${source.batchSize} was provided.`,
    );
  }

  const target = args.target as Partial<QueuePipeTarget & TopicPipeTarget>;
  if (targetKind === "topic" && target.topic!.fifo) {
    throw new ComponentArgumentError(label, `\`target.topic\` "${target.topic!.name}" is a FIFO topic, which Pipes cannot target. Use a standard topic.`);
  }
  if (targetKind === "queue") {
    if (target.queue!.fifo && !target.messageGroupId) {
      throw new ComponentArgumentError(label, `\`target.messageGroupId\` is required: "${target.queue!.name}" is a FIFO queue.`);
    }
    if (!target.queue!.fifo && target.messageGroupId !== undefined) {
      throw new ComponentArgumentError(label, `\`target.messageGroupId\` only applies to FIFO queues, and "${target.queue!.name}" is standard. Remove it.`);
    }
  }
  const invocationType = (args.target as { invocationType?: string }).invocationType;
  if (invocationType !== undefined && invocationType !== "FIRE_AND_FORGET" && invocationType !== "REQUEST_RESPONSE") {
    throw new ComponentArgumentError(
      label,
      `\`target.invocationType\` must be "FIRE_AND_FORGET" or "REQUEST_RESPONSE", but ${JSON.stringify(invocationType)} was provided.`,
    );
  }
  if (args.target.inputTemplate !== undefined && (args.target.inputTemplate.length === 0 || args.target.inputTemplate.length > 8192)) {
    throw new ComponentArgumentError(label, "`target.inputTemplate` must be 1 to 8192 characters.");
  }

  const logLevels: PipeLogLevel[] = ["OFF", "ERROR", "INFO", "TRACE"];
  if (args.logLevel !== undefined && !logLevels.includes(args.logLevel)) {
    throw new ComponentArgumentError(label, `\`logLevel\` must be one of ${logLevels.map((l) => `"${l}"`).join(", ")}, but ${JSON.stringify(args.logLevel)} was provided.`);
  }
  if (args.includeExecutionData && args.logLevel === "OFF") {
    throw new ComponentArgumentError(label, '`includeExecutionData` needs logging, but `logLevel` is "OFF". Remove one of them.');
  }
  requireIntegerInRange(label, "logRetentionInDays", args.logRetentionInDays, 1, 3653, "days");

  const patterns = args.filter ?? [];
  if (patterns.length > MAX_FILTERS) {
    throw new ComponentArgumentError(label, `\`filter\` can hold at most ${MAX_FILTERS} patterns, but ${patterns.length} were provided.`);
  }
  const filters = patterns.map((pattern, i) => {
    const problems = eventPatternProblems(pattern, "pipe");
    if (problems.length > 0) {
      throw new ComponentArgumentError(
        label,
        `\`filter[${i}]\` is not a valid Pipes filter pattern: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}.`,
      );
    }
    return JSON.stringify(pattern);
  });
  return { targetKind, filters };
}
