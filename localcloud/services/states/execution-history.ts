/** One event of an execution's history, in GetExecutionHistory's shape (the details member named after its type). */
export interface HistoryEvent {
  readonly timestamp: Date;
  readonly type: string;
  readonly id: number;
  readonly previousEventId: number;
  readonly [details: string]: unknown;
}

/** What aws-local-stepfunctions reports while an execution runs (its `eventLogs`), in the fields read here. */
export interface LibraryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly index?: number;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly parentState?: { readonly name: string; readonly type: string };
}

/** The service integration a Task state calls, as the Task* events name it (`lambda` / `invoke`, `events` / `putEvents`). */
export interface TaskResource {
  /** `arn:aws:states:::lambda:invoke`, `arn:aws:states:::events:putEvents`, or a function ARN (the legacy Lambda task). */
  readonly resource: string;
  readonly region: string;
}

type Pending = { readonly type: string; readonly timestamp: number; readonly details: Record<string, unknown> };

/**
 * An execution's history as Step Functions records it: ExecutionStarted, `<Type>StateEntered` / `<Type>StateExited` for
 * each state, TaskScheduled / TaskStarted / TaskSucceeded or TaskFailed for each attempt of a service integration
 * (LambdaFunction* for a Task whose Resource is a function ARN), MapIteration* for a Map's items, and the execution's
 * end. Built from the engine's own events and the task handlers' calls: a task's events wait until the engine reports
 * the attempt's end (failed, retried, caught, exited), so each lands between its state's entry and exit in the order
 * they happened. Inputs and outputs are JSON strings, as the API returns them.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
 */
export class ExecutionHistory {
  private readonly recorded: HistoryEvent[] = [];
  private readonly pending = new Map<string, Pending[]>();
  private stop?: { readonly error?: string; readonly cause?: string };

  constructor(private readonly roleArn: string) {}

  get events(): readonly HistoryEvent[] {
    return this.recorded;
  }

  /** StopExecution's error and cause, for the ExecutionAborted event the engine reports next. */
  stopRequested(error?: string, cause?: string): void {
    this.stop = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
  }

  /** An event the engine reported. */
  engine(event: LibraryEvent): void {
    const state = event.state;
    if (state && event.type !== "StateEntered") this.flush(state.name);
    const at = event.timestamp;
    switch (event.type) {
      case "ExecutionStarted":
        return this.add("ExecutionStarted", at, "executionStartedEventDetails", { input: json(event.input), inputDetails: { truncated: false }, roleArn: this.roleArn });
      case "ExecutionSucceeded":
        return this.add("ExecutionSucceeded", at, "executionSucceededEventDetails", { output: json(event.output), outputDetails: { truncated: false } });
      case "ExecutionFailed":
        return this.add("ExecutionFailed", at, "executionFailedEventDetails", errorDetails(event));
      case "ExecutionAborted":
        return this.add("ExecutionAborted", at, "executionAbortedEventDetails", this.stop ?? errorDetails(event));
      case "ExecutionTimeout":
        return this.add("ExecutionTimedOut", at, "executionTimedOutEventDetails", errorDetails(event));
      case "StateEntered":
        return this.add(`${state!.type}StateEntered`, at, "stateEnteredEventDetails", { name: state!.name, input: json(state!.input), inputDetails: { truncated: false } });
      case "StateExited":
        return this.add(`${state!.type}StateExited`, at, "stateExitedEventDetails", { name: state!.name, output: json(state!.output), outputDetails: { truncated: false } });
      case "StateFailed":
        // A Task's failure is its TaskFailed event; a Parallel or Map state fails as a whole.
        if (state!.type === "Parallel" || state!.type === "Map") this.add(`${state!.type}StateFailed`, at);
        return;
      case "MapIterationStarted":
      case "MapIterationSucceeded":
      case "MapIterationFailed":
        return this.add(event.type, at, `${lowerFirst(event.type)}EventDetails`, { name: event.parentState?.name, index: event.index });
      default:
        // StateRetried and StateCaught have no event of their own: the next attempt's TaskScheduled, or the state's
        // exit, records them. Parallel branches are not recorded one by one.
        return;
    }
  }

  /** A Task state's attempt is scheduled and started (its parameters resolved). */
  taskStarted(stateName: string, task: TaskResource, parameters: unknown, timeoutSeconds?: number): void {
    const now = Date.now();
    const legacy = isFunctionArn(task.resource);
    const list = this.pending.get(stateName) ?? [];
    if (legacy) {
      list.push({ type: "LambdaFunctionScheduled", timestamp: now, details: { lambdaFunctionScheduledEventDetails: { resource: task.resource, input: json(parameters), inputDetails: { truncated: false }, ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) } } });
      list.push({ type: "LambdaFunctionStarted", timestamp: now, details: {} });
    } else {
      const { resourceType, resource } = integrationOf(task.resource);
      list.push({ type: "TaskScheduled", timestamp: now, details: { taskScheduledEventDetails: { resourceType, resource, region: task.region, parameters: json(parameters), ...(timeoutSeconds ? { timeoutInSeconds: timeoutSeconds } : {}) } } });
      list.push({ type: "TaskStarted", timestamp: now, details: { taskStartedEventDetails: { resourceType, resource } } });
    }
    this.pending.set(stateName, list);
  }

  taskSucceeded(stateName: string, task: TaskResource, output: unknown): void {
    const details = isFunctionArn(task.resource)
      ? { type: "LambdaFunctionSucceeded", details: { lambdaFunctionSucceededEventDetails: { output: json(output), outputDetails: { truncated: false } } } }
      : { type: "TaskSucceeded", details: { taskSucceededEventDetails: { ...integrationOf(task.resource), output: json(output), outputDetails: { truncated: false } } } };
    this.queue(stateName, details);
  }

  taskFailed(stateName: string, task: TaskResource, error: string, cause: string): void {
    const details = isFunctionArn(task.resource)
      ? { type: "LambdaFunctionFailed", details: { lambdaFunctionFailedEventDetails: { error, cause } } }
      : { type: "TaskFailed", details: { taskFailedEventDetails: { ...integrationOf(task.resource), error, cause } } };
    this.queue(stateName, details);
  }

  private queue(stateName: string, event: { type: string; details: Record<string, unknown> }): void {
    const list = this.pending.get(stateName) ?? [];
    list.push({ ...event, timestamp: Date.now() });
    this.pending.set(stateName, list);
  }

  private flush(stateName: string): void {
    for (const p of this.pending.get(stateName) ?? []) this.push(p.type, p.timestamp, p.details);
    this.pending.delete(stateName);
  }

  private add(type: string, timestamp: number, detailsName?: string, details?: Record<string, unknown>): void {
    this.push(type, timestamp, detailsName ? { [detailsName]: withoutUndefined(details ?? {}) } : {});
  }

  private push(type: string, timestamp: number, details: Record<string, unknown>): void {
    const id = this.recorded.length + 1;
    this.recorded.push({ timestamp: new Date(timestamp), type, id, previousEventId: id - 1, ...details });
  }
}

/** `arn:aws:states:::lambda:invoke` → lambda / invoke; `arn:aws:states:::events:putEvents` → events / putEvents. */
function integrationOf(resource: string): { resourceType: string; resource: string } {
  const [service, action] = resource.replace(/^arn:[^:]+:states:::/, "").split(":");
  return { resourceType: service, resource: (action ?? "").replace(/\.(sync|waitForTaskToken)(:\d+)?$/, "") };
}

function isFunctionArn(resource: string): boolean {
  return /^arn:[^:]+:lambda:/.test(resource);
}

function errorDetails(event: LibraryEvent): Record<string, unknown> {
  return { error: event.Error, cause: typeof event.Cause === "string" ? event.Cause : event.Cause === undefined ? undefined : JSON.stringify(event.Cause) };
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function withoutUndefined(details: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));
}
