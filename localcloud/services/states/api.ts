import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import { epochSeconds, page } from "../../endpoint/pagination";
import type { Execution, StepFunctionsService } from "./service";

type Input = Record<string, unknown>;

const STATUSES = new Set(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]);

/**
 * The Step Functions API an operator uses (`AWSStepFunctions.<Action>`, JSON 1.0) over the executions the local cloud
 * runs: list and describe the state machines and their executions, read an execution's history in the events AWS
 * records, start and stop executions. Timestamps are epoch seconds, as the JSON protocol carries them.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
export class StepFunctionsApi {
  readonly contentType = "application/x-amz-json-1.0";

  constructor(private readonly states: StepFunctionsService) {}

  async call(action: string, input: Input, context: RequestContext): Promise<Input> {
    switch (action) {
      case "ListStateMachines": {
        const { items, next } = page(this.states.machines, { max: input.maxResults, token: input.nextToken, limit: 1000, defaultMax: 100, error: invalidToken });
        return { stateMachines: items.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: m.type, creationDate: epochSeconds(this.states.createdAt) })), ...(next ? { nextToken: next } : {}) };
      }
      case "DescribeStateMachine": {
        const spec = this.states.machine(arnOf(input.stateMachineArn, "stateMachineArn"));
        return {
          stateMachineArn: spec.arn,
          name: spec.name,
          status: "ACTIVE",
          definition: spec.definition,
          roleArn: spec.roleArn,
          type: spec.type,
          creationDate: epochSeconds(this.states.createdAt),
          loggingConfiguration: { level: "OFF", includeExecutionData: false },
          tracingConfiguration: { enabled: spec.tracing },
        };
      }
      case "ListExecutions": {
        const machineArn = arnOf(input.stateMachineArn, "stateMachineArn");
        this.states.machine(machineArn);
        const status = input.statusFilter;
        if (status !== undefined && !STATUSES.has(String(status))) throw validation(`Value '${String(status)}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATUSES].join(", ")}]`);
        // The newest first, as ListExecutions orders them.
        const executions = this.states.executions.filter((e) => e.stateMachineArn === machineArn && (status === undefined || e.status === status)).reverse();
        const { items, next } = page(executions, { max: input.maxResults, token: input.nextToken, limit: 1000, defaultMax: 100, error: invalidToken });
        return { executions: items.map(listItem), ...(next ? { nextToken: next } : {}) };
      }
      case "DescribeExecution": {
        const execution = this.states.execution(arnOf(input.executionArn, "executionArn"));
        return {
          ...listItem(execution),
          input: JSON.stringify(execution.input ?? null),
          inputDetails: { included: true },
          ...(execution.status === "SUCCEEDED" ? { output: JSON.stringify(execution.output ?? null), outputDetails: { included: true } } : {}),
          ...(execution.error !== undefined ? { error: execution.error } : {}),
          ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
          ...(execution.traceId ? { traceHeader: execution.traceId } : {}),
        };
      }
      case "GetExecutionHistory": {
        const execution = this.states.execution(arnOf(input.executionArn, "executionArn"));
        const events = input.reverseOrder === true ? [...execution.events.events].reverse() : execution.events.events;
        const { items, next } = page(events, { max: input.maxResults, token: input.nextToken, limit: 1000, defaultMax: 100, error: invalidToken });
        const withData = input.includeExecutionData !== false;
        return { events: items.map((e) => wireEvent(e as unknown as Input, withData)), ...(next ? { nextToken: next } : {}) };
      }
      case "StartExecution": {
        const machineArn = arnOf(input.stateMachineArn, "stateMachineArn");
        const name = input.name === undefined ? undefined : String(input.name);
        // StartExecution's name rules: 1 to 80 characters, no whitespace, brackets, wildcards, the listed specials or
        // control characters (API reference, StartExecution `name`).
        // eslint-disable-next-line no-control-regex -- the control characters are what the rule excludes
        if (name !== undefined && !/^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u.test(name)) throw new AwsError("InvalidName", `Invalid Name: '${name}'`);
        if (name !== undefined && this.states.executions.some((e) => e.stateMachineArn === machineArn && e.name === name)) {
          throw new AwsError("ExecutionAlreadyExists", `Execution Already Exists: '${machineArn.replace(":stateMachine:", ":execution:")}:${name}'`);
        }
        const execution = this.states.start(machineArn, typeof input.input === "string" ? input.input : "{}", {
          source: context.principal,
          ...(name !== undefined ? { name } : {}),
          ...(typeof input.traceHeader === "string" ? { traceId: input.traceHeader } : context.traceHeader ? { traceId: context.traceHeader } : {}),
        });
        return { executionArn: execution.executionArn, startDate: epochSeconds(execution.startDate) };
      }
      case "StopExecution": {
        const execution = await this.states.stopExecution(arnOf(input.executionArn, "executionArn"), {
          ...(typeof input.error === "string" ? { error: input.error } : {}),
          ...(typeof input.cause === "string" ? { cause: input.cause } : {}),
        });
        return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
      }
      default:
        throw new AwsError("UnknownOperationException", `The local cloud does not serve Step Functions ${action}.`);
    }
  }
}

function listItem(e: Execution): Input {
  return { executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: epochSeconds(e.startDate), ...(e.stopDate ? { stopDate: epochSeconds(e.stopDate) } : {}) };
}

/** A history event on the wire: its timestamp in epoch seconds; inputs and outputs left out when asked to. */
function wireEvent(event: Input, withData: boolean): Input {
  const out: Input = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "timestamp") out.timestamp = epochSeconds(value as Date);
    else if (!withData && value !== null && typeof value === "object") out[key] = Object.fromEntries(Object.entries(value as Input).filter(([k]) => !["input", "output", "parameters"].includes(k)));
    else out[key] = value;
  }
  return out;
}

function arnOf(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw validation(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  if (!/^arn:[^:]+:states:[^:]*:\d*:(stateMachine|execution):/.test(value)) throw new AwsError("InvalidArn", `Invalid Arn: '${value}'`);
  return value;
}

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

function invalidToken(message: string): AwsError {
  return new AwsError("InvalidToken", message);
}
