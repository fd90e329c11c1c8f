import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand, type HistoryEvent } from "@aws-sdk/client-sfn";
import { strict as assert } from "node:assert";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsError } from "../../../../localcloud/kernel/aws-error";
import { Clock } from "../../../../localcloud/kernel/clock";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import type { StateMachineSpec } from "../../../../localcloud/services/states/spec";
import type { LambdaService } from "../../../../localcloud/services/lambda/service";
import { StepFunctionsApi } from "../../../../localcloud/services/states/api";
import { StepFunctionsService } from "../../../../localcloud/services/states/service";

const ACCOUNT = "123456789012";
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:charge`;

/** A machine whose task is retried once on a Lambda service error, then waits, then succeeds. */
function machine(name: string, waitSeconds: number): StateMachineSpec {
  return {
    stack: "dev.test",
    component: name,
    urn: `urn:${name}`,
    name,
    arn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`,
    type: "STANDARD",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}Role`,
    tracing: false,
    definition: JSON.stringify({
      StartAt: "Charge",
      States: {
        Charge: {
          Type: "Task",
          Resource: "arn:aws:states:::lambda:invoke",
          Parameters: { FunctionName: FUNCTION, "Payload.$": "$" },
          Retry: [{ ErrorEquals: ["Lambda.ServiceException"], IntervalSeconds: 1, MaxAttempts: 2 }],
          ResultSelector: { "charged.$": "$.Payload.charged" },
          Next: "Settle",
        },
        Settle: { Type: "Wait", Seconds: waitSeconds, Next: "Done" },
        Done: { Type: "Succeed" },
      },
    }),
  };
}

// Step Functions' API over the local executions, driven with the SDK v3 client (JSON 1.0): the history in the events
// AWS records (API_HistoryEvent), and StopExecution. The Lambda service stands in: it fails the first call with a
// service error, as the transient-saga-error scenario has Lambda do.
describe("local cloud: Step Functions' API (executions and their history)", () => {
  let endpoint: AwsEndpoint;
  let states: StepFunctionsService;
  let client: SFNClient;
  let calls = 0;

  before(async () => {
    const lambda = {
      invoke: async (_arn: string, payload: unknown) => {
        if (calls++ === 0) throw new AwsError("ServiceException", "the Lambda service failed (injected)", 500);
        if ((payload as { fail?: boolean }).fail) return { requestId: "r", statusCode: 200, payload: { errorType: "CardDeclined", errorMessage: "declined" }, functionError: "Unhandled", coldStart: false, durationMs: 1 };
        return { requestId: "r", statusCode: 200, payload: { charged: (payload as { amount: number }).amount }, coldStart: false, durationMs: 1 };
      },
    } as unknown as LambdaService;
    states = new StepFunctionsService([machine("quick", 0), machine("slow", 3600)], lambda, () => ({ Entries: [], FailedEntryCount: 0 }), new Clock(0.01), new Activity());
    endpoint = new AwsEndpoint((key) => key ?? "anonymous");
    const base = await endpoint.listen();
    endpoint.serveJson("AWSStepFunctions", new StepFunctionsApi(states));
    client = new SFNClient({ region: "us-east-1", endpoint: base, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
  });

  after(async () => {
    states.stop();
    await endpoint.close();
  });

  it("records an execution's history as AWS does: each state's entry and exit, each task attempt, the retry, the end", async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine("quick", 0).arn, name: "first", input: JSON.stringify({ amount: 15 }) }));
    assert.equal(executionArn, `arn:aws:states:us-east-1:${ACCOUNT}:execution:quick:first`);
    await states.execution(executionArn).done;
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    assert.equal(described.status, "SUCCEEDED");
    assert.deepEqual(JSON.parse(described.output!), { charged: 15 });

    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    const shape = (e: HistoryEvent) => `${e.type}${e.stateEnteredEventDetails ? ` ${e.stateEnteredEventDetails.name}` : ""}${e.taskFailedEventDetails ? ` ${e.taskFailedEventDetails.error}` : ""}`;
    assert.deepEqual(events?.map(shape), [
      "ExecutionStarted",
      "TaskStateEntered Charge",
      "TaskScheduled",
      "TaskStarted",
      "TaskFailed Lambda.ServiceException",
      "TaskScheduled",
      "TaskStarted",
      "TaskSucceeded",
      "TaskStateExited",
      "WaitStateEntered Settle",
      "WaitStateExited",
      "SucceedStateEntered Done",
      "SucceedStateExited",
      "ExecutionSucceeded",
    ]);
    assert.deepEqual(events?.map((e) => [e.id, e.previousEventId]), events?.map((_, i) => [i + 1, i]));
    const started = events![0].executionStartedEventDetails!;
    assert.deepEqual(JSON.parse(started.input!), { amount: 15 });
    assert.equal(started.roleArn, machine("quick", 0).roleArn);
    const scheduled = events!.find((e) => e.type === "TaskScheduled")!.taskScheduledEventDetails!;
    assert.deepEqual({ resourceType: scheduled.resourceType, resource: scheduled.resource, region: scheduled.region }, { resourceType: "lambda", resource: "invoke", region: "us-east-1" });
    assert.deepEqual(JSON.parse(scheduled.parameters!), { FunctionName: FUNCTION, Payload: { amount: 15 } });
    const succeeded = events!.find((e) => e.type === "TaskSucceeded")!.taskSucceededEventDetails!;
    assert.equal((JSON.parse(succeeded.output!) as { Payload: unknown }).Payload !== undefined, true);
    assert.deepEqual(JSON.parse(events!.at(-1)!.executionSucceededEventDetails!.output!), { charged: 15 });

    const reversed = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }));
    assert.deepEqual(reversed.events?.map((e) => e.id), [14, 13]);
    const next = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2, nextToken: reversed.nextToken }));
    assert.deepEqual(next.events?.map((e) => e.id), [12, 11]);
    const withoutData = await client.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }));
    assert.equal(withoutData.events![0].executionStartedEventDetails?.input, undefined);
  });

  it("records a task's failure before the execution's when nothing catches it", async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine("quick", 0).arn, input: JSON.stringify({ amount: 1, fail: true }) }));
    await states.execution(executionArn!).done;
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    assert.deepEqual(events?.map((e) => e.type), ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed", "ExecutionFailed"]);
    assert.equal(events?.[4].taskFailedEventDetails?.error, "CardDeclined");
    assert.deepEqual(events?.[5].executionFailedEventDetails?.error, "CardDeclined");
  });

  it("stops a running execution: ABORTED with the error and cause given, recorded as ExecutionAborted", async () => {
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: machine("slow", 3600).arn, input: JSON.stringify({ amount: 1 }) }));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await client.send(new DescribeExecutionCommand({ executionArn }))).status, "RUNNING");
    const { stopDate } = await client.send(new StopExecutionCommand({ executionArn, error: "Operator.Stopped", cause: "stuck in Settle" }));
    assert.ok(stopDate instanceof Date);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    assert.deepEqual([described.status, described.error, described.cause], ["ABORTED", "Operator.Stopped", "stuck in Settle"]);
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    assert.equal(events?.[0].type, "ExecutionAborted");
    assert.deepEqual(events?.[0].executionAbortedEventDetails, { error: "Operator.Stopped", cause: "stuck in Settle" });
    const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn: machine("slow", 3600).arn, statusFilter: "ABORTED" }));
    assert.deepEqual(executions?.map((e) => e.executionArn), [executionArn]);
  });

  it("answers Step Functions' errors: a name in use, an unknown execution, a malformed ARN", async () => {
    await assert.rejects(client.send(new StartExecutionCommand({ stateMachineArn: machine("quick", 0).arn, name: "first" })), (e: Error) => e.name === "ExecutionAlreadyExists");
    await assert.rejects(client.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:quick:none` })), (e: Error) => e.name === "ExecutionDoesNotExist");
    await assert.rejects(client.send(new DescribeExecutionCommand({ executionArn: "quick:none" })), (e: Error) => e.name === "InvalidArn");
    await assert.rejects(client.send(new StartExecutionCommand({ stateMachineArn: `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:none` })), (e: Error) => e.name === "StateMachineDoesNotExist");
  });
});
