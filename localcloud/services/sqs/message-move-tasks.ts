import { randomUUID } from "node:crypto";
import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import type { LocalQueue, StoredMessage } from "./queue";

/** One message movement task, as ListMessageMoveTasks reports it. */
export interface MessageMoveTask {
  readonly taskHandle: string;
  readonly sourceArn: string;
  /** Unset: each message goes back to the queue it was dead-lettered from. */
  readonly destinationArn?: string;
  readonly maxNumberOfMessagesPerSecond?: number;
  status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
  moved: number;
  readonly toMove: number;
  failureReason?: string;
  readonly startedTimestamp: number;
  readonly stopped: AbortController;
  /** Settles when the task ends (completed, cancelled or failed). */
  done?: Promise<void>;
}

/** The queues a task moves between: every queue of the environment, by ARN. */
export interface MoveQueues {
  byArn(arn: string): LocalQueue | undefined;
  /** The queues whose redrive policy names this one as their dead-letter queue. */
  sourcesOf(deadLetterArn: string): readonly LocalQueue[];
}

/** The rate when the request sets none: AWS "optimizes" it to the backlog; the local cloud moves at the maximum. */
const DEFAULT_RATE = 500;
const MAX_RATE = 500;
/** ListMessageMoveTasks keeps the most recent tasks of a queue; it lists at most 10. */
const MAX_RESULTS = 10;

/**
 * SQS's dead-letter queue redrive (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask): an asynchronous
 * task moves the messages available in a dead-letter queue, at most MaxNumberOfMessagesPerSecond a second (a local
 * second: the clock's scale applies), to a chosen queue or, without DestinationArn, each back to the queue it was
 * dead-lettered from. Only a queue that is some queue's dead-letter queue can be a source, and a queue runs one task at
 * a time. A message moved keeps its id, body and attributes and starts over (no receives, available at once).
 * A message with no source queue (sent to the dead-letter queue directly) cannot go "back": without DestinationArn
 * the task fails there with a reason naming it — the local cloud's reading of "redriven back to their respective
 * original source queues", as AWS documents no other outcome.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
 */
export class MessageMoveTasks {
  private readonly tasks: MessageMoveTask[] = [];

  constructor(
    private readonly queues: MoveQueues,
    private readonly clock: Clock,
    private readonly activity: Activity,
  ) {}

  start(input: { SourceArn?: unknown; DestinationArn?: unknown; MaxNumberOfMessagesPerSecond?: unknown }): { TaskHandle: string } {
    const sourceArn = arnParameter(input.SourceArn, "SourceArn", true)!;
    const source = this.queues.byArn(sourceArn);
    if (!source) throw notFound("SourceArn");
    if (this.queues.sourcesOf(sourceArn).length === 0) throw new AwsError("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.", 400, "Sender", "InvalidParameterValue");
    const destinationArn = arnParameter(input.DestinationArn, "DestinationArn", false);
    if (destinationArn !== undefined) {
      if (destinationArn === sourceArn) throw new AwsError("InvalidParameterValue", "Source queue arn and destination queue arn cannot be the same.", 400, "Sender", "InvalidParameterValue");
      const destination = this.queues.byArn(destinationArn);
      if (!destination) throw notFound("DestinationArn");
      if (destination.spec.fifo !== source.spec.fifo) throw new AwsError("InvalidParameterValue", "The source queue and destination queue must be of the same queue type.", 400, "Sender", "InvalidParameterValue");
    }
    const rate = input.MaxNumberOfMessagesPerSecond;
    if (rate !== undefined && rate !== null && (!Number.isInteger(rate) || (rate as number) < 1 || (rate as number) > MAX_RATE)) {
      throw new AwsError("InvalidParameterValue", `Value ${String(rate)} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be an integer from 1 to ${MAX_RATE}.`, 400, "Sender", "InvalidParameterValue");
    }
    if (this.tasks.some((t) => t.sourceArn === sourceArn && (t.status === "RUNNING" || t.status === "CANCELLING"))) {
      throw new AwsError("InvalidParameterValue", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.", 400, "Sender", "InvalidParameterValue");
    }
    const task: MessageMoveTask = {
      // AWS's handles are opaque base64 text that names the task and its source queue; so are these.
      taskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn })).toString("base64"),
      sourceArn,
      ...(destinationArn !== undefined ? { destinationArn } : {}),
      ...(typeof rate === "number" ? { maxNumberOfMessagesPerSecond: rate } : {}),
      status: "RUNNING",
      moved: 0,
      toMove: source.counts().visible,
      startedTimestamp: this.clock.now(),
      stopped: new AbortController(),
    };
    this.tasks.push(task);
    this.activity.record({ service: "sqs", kind: "redrive", name: source.spec.component, detail: `message move task started: ${task.toMove} message(s) to ${destinationArn ? nameOf(destinationArn) : "their source queues"} at ${task.maxNumberOfMessagesPerSecond ?? DEFAULT_RATE}/s` });
    task.done = this.run(task, source);
    return { TaskHandle: task.taskHandle };
  }

  /** The most recent tasks of a source queue first; a handle only for a running task, as AWS lists them. */
  list(input: { SourceArn?: unknown; MaxResults?: unknown }): { Results: Record<string, unknown>[] } {
    const sourceArn = arnParameter(input.SourceArn, "SourceArn", true)!;
    if (!this.queues.byArn(sourceArn)) throw notFound("SourceArn");
    const max = input.MaxResults === undefined || input.MaxResults === null ? 1 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
      throw new AwsError("InvalidParameterValue", `Value ${String(input.MaxResults)} for parameter MaxResults is invalid. Reason: must be an integer from 1 to ${MAX_RESULTS}.`, 400, "Sender", "InvalidParameterValue");
    }
    const tasks = this.tasks.filter((t) => t.sourceArn === sourceArn).reverse().slice(0, max);
    return {
      Results: tasks.map((t) => ({
        ...(t.status === "RUNNING" ? { TaskHandle: t.taskHandle } : {}),
        Status: t.status,
        SourceArn: t.sourceArn,
        ...(t.destinationArn ? { DestinationArn: t.destinationArn } : {}),
        ...(t.maxNumberOfMessagesPerSecond !== undefined ? { MaxNumberOfMessagesPerSecond: t.maxNumberOfMessagesPerSecond } : {}),
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        ...(t.failureReason ? { FailureReason: t.failureReason } : {}),
        StartedTimestamp: t.startedTimestamp,
      })),
    };
  }

  /** Stops a running task; the messages moved so far stay where they went. */
  async cancel(input: { TaskHandle?: unknown }): Promise<{ ApproximateNumberOfMessagesMoved: number }> {
    if (typeof input.TaskHandle !== "string" || input.TaskHandle.length === 0) throw new AwsError("MissingParameter", "The request must contain the parameter TaskHandle.", 400, "Sender", "MissingParameter");
    const task = this.tasks.find((t) => t.taskHandle === input.TaskHandle);
    if (!task) throw new AwsError("ResourceNotFoundException", "Task does not exist.", 404, "Sender", "ResourceNotFoundException");
    if (task.status !== "RUNNING") throw new AwsError("InvalidParameterValue", `Only a RUNNING task can be cancelled; this one is ${task.status}.`, 400, "Sender", "InvalidParameterValue");
    task.status = "CANCELLING";
    task.stopped.abort();
    await task.done;
    return { ApproximateNumberOfMessagesMoved: task.moved };
  }

  /** The tasks started so far (tests, reports). */
  get all(): readonly MessageMoveTask[] {
    return this.tasks;
  }

  /** Ends every running task (the local cloud is stopping). */
  async stop(): Promise<void> {
    for (const task of this.tasks) task.stopped.abort();
    await Promise.all(this.tasks.map((t) => t.done));
  }

  private async run(task: MessageMoveTask, source: LocalQueue): Promise<void> {
    const rate = task.maxNumberOfMessagesPerSecond ?? DEFAULT_RATE;
    try {
      while (task.moved < task.toMove && !task.stopped.signal.aborted) {
        const second = this.clock.sleep(1, task.stopped.signal);
        for (let n = 0; n < rate && task.moved < task.toMove; n++) {
          const message = source.takeAvailable();
          if (!message) {
            task.status = "COMPLETED";
            return this.finished(task, source);
          }
          const destination = this.destinationOf(task, message);
          if (typeof destination === "string") {
            // The message stays in the dead-letter queue: nothing is lost when a task fails.
            source.putBack(message);
            task.status = "FAILED";
            task.failureReason = destination;
            return this.finished(task, source);
          }
          destination.acceptMoved(message);
          task.moved++;
        }
        if (task.moved < task.toMove) await second;
      }
      task.status = task.stopped.signal.aborted ? "CANCELLED" : "COMPLETED";
      this.finished(task, source);
    } catch (error) {
      task.status = "FAILED";
      task.failureReason = (error as Error).message;
      this.finished(task, source);
    }
  }

  /** Where a message goes: the task's destination, else the queue it was dead-lettered from; a reason when neither. */
  private destinationOf(task: MessageMoveTask, message: StoredMessage): LocalQueue | string {
    const arn = task.destinationArn ?? message.deadLetterSourceArn;
    if (!arn) return `Message ${message.messageId} has no source queue to return to (it was sent to the dead-letter queue directly); start the task with a DestinationArn.`;
    return this.queues.byArn(arn) ?? `The source queue ${arn} of message ${message.messageId} does not exist.`;
  }

  private finished(task: MessageMoveTask, source: LocalQueue): void {
    this.activity.record({
      service: "sqs",
      kind: "redrive",
      name: source.spec.component,
      detail: `message move task ${task.status}: ${task.moved} of ${task.toMove} message(s) moved${task.failureReason ? ` — ${task.failureReason}` : ""}`,
      error: task.status === "FAILED",
    });
  }
}

function arnParameter(value: unknown, name: string, required: boolean): string | undefined {
  if (value === undefined || value === null) {
    if (required) throw new AwsError("MissingParameter", `The request must contain the parameter ${name}.`, 400, "Sender", "MissingParameter");
    return undefined;
  }
  if (typeof value !== "string" || !/^arn:[^:]+:sqs:[^:]*:[^:]*:.+$/.test(value)) {
    throw new AwsError("InvalidParameterValue", `You must use this format to specify the ${name}: arn:<partition>:<service>:<region>:<account-id>:<resource-id>`, 400, "Sender", "InvalidParameterValue");
  }
  return value;
}

function notFound(parameter: string): AwsError {
  return new AwsError("ResourceNotFoundException", `The resource that you specified for the ${parameter} parameter doesn't exist.`, 404, "Sender", "ResourceNotFoundException");
}

function nameOf(arn: string): string {
  return arn.split(":").pop() ?? arn;
}
