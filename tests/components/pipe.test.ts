import { strict as assert } from "node:assert";
import type { EventPattern } from "../../components/event-pattern";
import { EventBus } from "../../components/event-bus";
import { Pipe, type PipeArgs } from "../../components/pipe";
import { Table } from "../../components/table";
import { testFunction } from "../helpers/doubles";
import { POLL_ACTIONS, outputOf, roleNameOf, SEND_ACTIONS, testQueue, testStateMachine, testTopic } from "../helpers/messaging";
import { list, mockRun, parsePolicy, type MockedRun } from "../helpers/pulumi";

const PIPE = "aws:pipes/pipe:Pipe";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const DLQ = "orderflow:messaging:DeadLetterQueue";
const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];
const LOG_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"];

function streamTable(name = "orders"): Table {
  return new Table(name, { partitionKey: { name: "pk", type: "S" }, stream: "NEW_IMAGE" });
}

/** The pipe role's statements as {actions (sorted), resources (sorted)}, sorted by first action. */
function pipeStatements(run: MockedRun, pipeName: string): { actions: string[]; resources: string[] }[] {
  return run
    .statementsOf(roleNameOf(run, `${pipeName}Role`))
    .map((s) => {
      assert.equal(s.Effect, "Allow");
      return { actions: list(s.Action), resources: list(s.Resource) };
    })
    .sort((a, b) => a.actions[0].localeCompare(b.actions[0]));
}

function byFirstAction(statements: { actions: string[]; resources: string[] }[]) {
  return statements.slice().sort((a, b) => a.actions[0].localeCompare(b.actions[0]));
}

function dlqArn(run: MockedRun, dlqName: string): string {
  const component = run.one(DLQ, dlqName);
  return String(run.childrenOf(component.urn).find((r) => r.type === "aws:sqs/queue:Queue")!.outputs.arn);
}

describe("components/pipe Pipe", () => {
  it("from a queue to a state machine: batches of 10, FIRE_AND_FORGET, ERROR logs kept 30 days, no DLQ of its own", async () => {
    const run = await mockRun(() => {
      new Pipe("orderIntake", { source: { queue: testQueue("intake") }, target: { stateMachine: testStateMachine("checkout") } });
    });
    const pipe = run.one(PIPE, "orderIntakePipe");
    const logGroup = run.one(LOG_GROUP, "orderIntakeLogGroup");
    const machine = run.one("aws:sfn/stateMachine:StateMachine").outputs.arn;
    assert.equal(pipe.inputs.source, outputOf(run, "intake"));
    assert.deepEqual(pipe.inputs.sourceParameters, { sqsQueueParameters: { batchSize: 10, maximumBatchingWindowInSeconds: 0 } });
    assert.equal(pipe.inputs.target, machine);
    assert.deepEqual(pipe.inputs.targetParameters, { stepFunctionStateMachineParameters: { invocationType: "FIRE_AND_FORGET" } });
    assert.equal(pipe.inputs.enrichment, undefined);
    assert.deepEqual(pipe.inputs.logConfiguration, { level: "ERROR", cloudwatchLogsLogDestination: { logGroupArn: logGroup.outputs.arn } });
    assert.equal(logGroup.inputs.retentionInDays, 30);
    assert.equal(run.ofType(DLQ).length, 0, "a queue source relies on the queue's own redrive");

    const role = run.one("aws:iam/role:Role", "orderIntakeRole");
    assert.equal(pipe.inputs.roleArn, role.outputs.arn);
    assert.deepEqual(parsePolicy(role.inputs.assumeRolePolicy).Statement, [
      {
        Effect: "Allow",
        Principal: { Service: "pipes.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    assert.deepEqual(
      pipeStatements(run, "orderIntake"),
      byFirstAction([
        { actions: POLL_ACTIONS, resources: [outputOf(run, "intake")] },
        { actions: ["states:StartExecution"], resources: [String(machine)] },
        { actions: LOG_ACTIONS, resources: [`${logGroup.outputs.arn}:log-stream:*`] },
      ]),
    );

    const component = run.one("orderflow:messaging:Pipe", "orderIntake");
    assert.equal(pipe.parent, component.urn);
    assert.equal(component.outputs.arn, pipe.outputs.arn);
    assert.equal(component.outputs.roleArn, role.outputs.arn);
    assert.equal(component.outputs.logGroupName, logGroup.outputs.name);
  });

  it("waits for its role's grants before it is created", async () => {
    const run = await mockRun(() => {
      new Pipe("orderIntake", { source: { queue: testQueue("intake") }, target: { stateMachine: testStateMachine("checkout") } });
    });
    const pipe = run.one(PIPE);
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleNameOf(run, "orderIntakeRole"));
    assert.equal(policies.length, 3);
    for (const policy of policies) assert.ok(pipe.dependencies.includes(policy.urn), `pipe does not wait for ${policy.name}`);
  });

  it("from a table stream: a DLQ, 10 retries, 1-hour record age, bisect on error, and exactly stream read + DLQ send", async () => {
    const run = await mockRun(() => {
      const bus = new EventBus("orders");
      new Pipe("orderEvents", {
        source: { table: streamTable() },
        target: { bus, detailType: "OrderChanged", source: "orderflow.orders" },
      });
    });
    const pipe = run.one(PIPE);
    const table = run.one("aws:dynamodb/table:Table");
    const dlq = dlqArn(run, "orderEventsDlq");
    assert.equal(pipe.inputs.source, table.outputs.streamArn);
    assert.deepEqual(pipe.inputs.sourceParameters, {
      dynamodbStreamParameters: {
        startingPosition: "LATEST",
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        maximumRetryAttempts: 10,
        maximumRecordAgeInSeconds: 3600,
        onPartialBatchItemFailure: "AUTOMATIC_BISECT",
        deadLetterConfig: { arn: dlq },
      },
    });
    const bus = String(run.one("aws:cloudwatch/eventBus:EventBus").outputs.arn);
    assert.equal(pipe.inputs.target, bus);
    assert.deepEqual(pipe.inputs.targetParameters, { eventbridgeEventBusParameters: { detailType: "OrderChanged", source: "orderflow.orders" } });
    const logGroup = String(run.one(LOG_GROUP).outputs.arn);
    assert.deepEqual(
      pipeStatements(run, "orderEvents"),
      byFirstAction([
        { actions: STREAM_ACTIONS, resources: [String(table.outputs.streamArn)] },
        { actions: SEND_ACTIONS, resources: [dlq] },
        { actions: ["events:PutEvents"], resources: [bus] },
        { actions: LOG_ACTIONS, resources: [`${logGroup}:log-stream:*`] },
      ]),
    );
  });

  it("sends its DLQ's alarm to the alarm topic", async () => {
    const alarms = "arn:aws:sns:us-east-1:123456789012:alarms";
    const run = await mockRun(() => {
      new Pipe("orderEvents", { source: { table: streamTable() }, target: { stateMachine: testStateMachine("s") }, alarmTopicArn: alarms });
    });
    const alarm = run.childrenOf(run.one(DLQ).urn).find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.deepEqual(alarm?.inputs.alarmActions, [alarms]);
  });

  it("takes stream settings and a given dead-letter queue (and creates none)", async () => {
    const run = await mockRun(() => {
      new Pipe("orderEvents", {
        source: {
          table: streamTable(),
          startingPosition: "TRIM_HORIZON",
          batchSize: 100,
          maximumBatchingWindowSeconds: 5,
          maximumRetryAttempts: 2,
          maximumRecordAgeSeconds: 600,
          deadLetterQueue: testQueue("parked"),
        },
        target: { function: testFunction("project") },
      });
    });
    assert.equal(run.ofType(DLQ).length, 0);
    const params = (run.one(PIPE).inputs.sourceParameters as { dynamodbStreamParameters: Record<string, unknown> }).dynamodbStreamParameters;
    assert.deepEqual(params, {
      startingPosition: "TRIM_HORIZON",
      batchSize: 100,
      maximumBatchingWindowInSeconds: 5,
      maximumRetryAttempts: 2,
      maximumRecordAgeInSeconds: 600,
      onPartialBatchItemFailure: "AUTOMATIC_BISECT",
      deadLetterConfig: { arn: outputOf(run, "parked") },
    });
    assert.ok(pipeStatements(run, "orderEvents").some((s) => s.resources[0] === outputOf(run, "parked") && s.actions.join() === SEND_ACTIONS.join()));
  });

  it("filters with the given patterns and enriches through a function it may invoke", async () => {
    const filter: EventPattern[] = [{ body: { status: ["PLACED"] } }, { body: { total: [{ numeric: [">", 1000] }] } }];
    const run = await mockRun(() => {
      new Pipe("orderIntake", {
        source: { queue: testQueue("intake"), batchSize: 5, maximumBatchingWindowSeconds: 2 },
        filter,
        enrichment: testFunction("loadCustomer"),
        target: { queue: testQueue("picking"), inputTemplate: '{"order": <$.body>}' },
      });
    });
    const pipe = run.one(PIPE);
    const enrichment = run.one("aws:lambda/function:Function", "loadCustomer").outputs.arn;
    assert.deepEqual(pipe.inputs.sourceParameters, {
      filterCriteria: { filters: filter.map((p) => ({ pattern: JSON.stringify(p) })) },
      sqsQueueParameters: { batchSize: 5, maximumBatchingWindowInSeconds: 2 },
    });
    assert.equal(pipe.inputs.enrichment, enrichment);
    assert.deepEqual(pipe.inputs.targetParameters, { inputTemplate: '{"order": <$.body>}' });
    const statements = pipeStatements(run, "orderIntake");
    assert.deepEqual(statements.find((s) => s.actions[0] === "lambda:InvokeFunction"), {
      actions: ["lambda:InvokeFunction"],
      resources: [String(enrichment), `${enrichment}:*`].sort(),
    });
    assert.deepEqual(statements.find((s) => s.actions.includes("sqs:SendMessage")), { actions: SEND_ACTIONS, resources: [outputOf(run, "picking")] });
    assert.equal(statements.length, 4, "consume, invoke, send, logs: nothing else");
  });

  const targets: [string, (args: { fifoQueue: () => ReturnType<typeof testQueue> }) => PipeArgs["target"], string[], string, object][] = [
    ["topic", () => ({ topic: testTopic("alerts") }), ["sns:Publish"], "alerts", {}],
    ["function", () => ({ function: testFunction("project") }), ["lambda:InvokeFunction"], "project", { lambdaFunctionParameters: { invocationType: "REQUEST_RESPONSE" } }],
    ["FIFO queue", ({ fifoQueue }) => ({ queue: fifoQueue(), messageGroupId: "$.body.orderId" }), SEND_ACTIONS, "picking", { sqsQueueParameters: { messageGroupId: "$.body.orderId" } }],
  ];
  for (const [kind, target, actions, targetName, parameters] of targets) {
    it(`pushes to a ${kind} target with exactly ${actions.join(", ")} on its ARN`, async () => {
      const run = await mockRun(() => {
        new Pipe("p", { source: { queue: testQueue("intake") }, target: target({ fifoQueue: () => testQueue("picking", { fifo: true }) }) });
      });
      const pipe = run.one(PIPE);
      const arn = outputOf(run, targetName);
      assert.equal(pipe.inputs.target, arn);
      assert.deepEqual(pipe.inputs.targetParameters, parameters);
      const push = pipeStatements(run, "p").filter((s) => !s.actions.includes("sqs:ReceiveMessage") && !s.actions.includes("logs:PutLogEvents"));
      assert.equal(push.length, 1);
      assert.deepEqual(push[0].actions, actions);
      assert.equal(push[0].resources[0], arn);
    });
  }

  it("logs at the level asked, with execution data, for as long as asked; or not at all", async () => {
    const run = await mockRun(() => {
      new Pipe("verbose", {
        source: { queue: testQueue("a") },
        target: { stateMachine: testStateMachine("s") },
        logLevel: "TRACE",
        includeExecutionData: true,
        logRetentionInDays: 7,
      });
      new Pipe("silent", { source: { queue: testQueue("b") }, target: { stateMachine: testStateMachine("t") }, logLevel: "OFF" });
    });
    const verbose = run.one(PIPE, "verbosePipe");
    const group = run.one(LOG_GROUP);
    assert.equal(group.name, "verboseLogGroup");
    assert.equal(group.inputs.retentionInDays, 7);
    assert.deepEqual(verbose.inputs.logConfiguration, {
      level: "TRACE",
      cloudwatchLogsLogDestination: { logGroupArn: group.outputs.arn },
      includeExecutionDatas: ["ALL"],
    });
    assert.deepEqual(run.one(PIPE, "silentPipe").inputs.logConfiguration, { level: "OFF" });
    assert.ok(!pipeStatements(run, "silent").some((s) => s.actions.includes("logs:PutLogEvents")));
  });

  it("builds in a first preview, where every ARN is still unknown", async () => {
    const run = await mockRun(
      () => {
        new Pipe("orderEvents", { source: { table: streamTable() }, enrichment: testFunction("e"), target: { bus: new EventBus("orders") } });
      },
      { preview: true },
    );
    assert.equal(run.ofType(PIPE).length, 1);
    assert.equal(run.ofType(DLQ).length, 1);
  });

  describe("errors name the option, before creating anything", () => {
    const cases: [string, () => PipeArgs, RegExp][] = [
      [
        "a table without a stream",
        () => ({ source: { table: new Table("plain", { partitionKey: { name: "pk", type: "S" } }) }, target: { stateMachine: testStateMachine("s") } }),
        /`source\.table` "plain" has no stream\. Set `stream: "NEW_IMAGE"`/,
      ],
      ["no source", () => ({ source: {} as never, target: { stateMachine: testStateMachine("s") } }), /`source` must name exactly one of `queue` or `table`/],
      ["two target kinds", () => ({ source: { queue: testQueue("q") }, target: { queue: testQueue("a"), topic: testTopic("b") } as never }), /`target` must name exactly one of .*`queue` and `topic` were given/],
      [
        "an invalid filter, naming the pattern and path",
        () => ({ source: { queue: testQueue("q") }, filter: [{ body: { a: ["x"] } }, { body: { path: [{ wildcard: "a/*" }] } }], target: { stateMachine: testStateMachine("s") } }),
        /`filter\[1\]` is not a valid Pipes filter pattern: body\.path\[0\]\.wildcard is not supported in Pipes/,
      ],
      ["a filter leaf that is not a list", () => ({ source: { queue: testQueue("q") }, filter: [{ body: "x" } as unknown as EventPattern], target: { stateMachine: testStateMachine("s") } }), /`filter\[0\]` .*body must be a list of values/],
      ["more than 5 filters", () => ({ source: { queue: testQueue("q") }, filter: Array.from({ length: 6 }, () => ({ body: { a: ["x"] } })), target: { stateMachine: testStateMachine("s") } }), /`filter` can hold at most 5 patterns, but 6/],
      ["a batch too big for a queue target", () => ({ source: { queue: testQueue("q"), batchSize: 50 }, target: { queue: testQueue("t") } }), /`source\.batchSize` must be 10 or less when the target is a queue/],
      ["a batch too big for a FIFO source", () => ({ source: { queue: testQueue("q", { fifo: true }), batchSize: 50 }, target: { stateMachine: testStateMachine("s") } }), /`source\.batchSize` must be an integer from 1 to 10, but 50/],
      ["a FIFO topic target", () => ({ source: { queue: testQueue("q") }, target: { topic: testTopic("t", { fifo: true }) } }), /`target\.topic` "t" is a FIFO topic, which Pipes cannot target/],
      ["a FIFO queue target without a message group", () => ({ source: { queue: testQueue("q") }, target: { queue: testQueue("t", { fifo: true }) } }), /`target\.messageGroupId` is required/],
      ["a record age out of range", () => ({ source: { table: streamTable(), maximumRecordAgeSeconds: 10 }, target: { stateMachine: testStateMachine("s") } }), /`source\.maximumRecordAgeSeconds` must be an integer from 60 to 604800 seconds, but 10/],
      ["a FIFO dead-letter queue", () => ({ source: { table: streamTable(), deadLetterQueue: testQueue("d", { fifo: true }) }, target: { stateMachine: testStateMachine("s") } }), /`source\.deadLetterQueue` is the FIFO queue "d"/],
      ["execution data without logs", () => ({ source: { queue: testQueue("q") }, target: { stateMachine: testStateMachine("s") }, logLevel: "OFF", includeExecutionData: true }), /`includeExecutionData` needs logging/],
    ];
    for (const [what, args, message] of cases) {
      it(`refuses ${what}`, async () => {
        const run = await mockRun(() => {
          const pipeArgs = args();
          assert.throws(
            () => new Pipe("broken", pipeArgs),
            (e: Error) => e.name === "ComponentArgumentError" && e.message.startsWith('Pipe "broken": ') && message.test(e.message),
          );
        });
        assert.equal(run.ofType("orderflow:messaging:Pipe").length, 0);
        assert.equal(run.ofType(PIPE).length, 0);
        assert.equal(run.ofType("aws:iam/role:Role").filter((r) => r.name === "brokenRole").length, 0);
      });
    }
  });
});
