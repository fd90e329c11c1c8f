import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { activityLine } from "../../localcloud/activity-line";
import { Activity } from "../../localcloud/kernel/activity";
import { Clock } from "../../localcloud/kernel/clock";
import { CloudWatchService } from "../../localcloud/services/cloudwatch/service";
import type { AlarmState } from "../../localcloud/services/cloudwatch/alarms";
import type { AlarmSpec } from "../../localcloud/services/cloudwatch/spec";
import { LocalContainerService } from "../../localcloud/services/ecs/container-service";
import type { ContainerServiceSpec } from "../../localcloud/services/ecs/spec";
import { ruleLabel } from "../../localcloud/services/events/service";
import { LambdaService } from "../../localcloud/services/lambda/service";
import { SqsService } from "../../localcloud/services/sqs/service";
import { describeParts, stoppedLine, type RunningParts } from "../../ops/commands/local/stop-report";
import { functionSpec, queueSpec } from "../helpers/local-specs";

const ACCOUNT = "123456789012";
const lines = (activity: Activity) => activity.records.map(activityLine);

// What a person watching `orderflow local` reads: one line per thing that happened, saying what it was.
describe("orderflow local: the activity says what happened", function () {
  this.timeout(20_000);

  it("shows the status a function answered an API with, not `ok`, and a batch's failed records", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orderflow-activity-"));
    writeFileSync(
      path.join(dir, "index.js"),
      `exports.handler = async (event) => event.kind === "api" ? { statusCode: event.status, body: "{}" } : event.kind === "batch" ? { batchItemFailures: [{ itemIdentifier: "m1" }] } : { done: true };`,
    );
    const activity = new Activity();
    const lambda = new LambdaService(
      [functionSpec("placeOrder", dir, "index.handler", { name: "placeOrder-1", tracing: "PassThrough" })],
      { clock: new Clock(1), activity, variablesOf: (s) => ({ _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }), logOf: () => () => undefined, destinations: async () => undefined },
    );
    try {
      const fn = lambda.all[0];
      for (const event of [{ kind: "api", status: 403 }, { kind: "api", status: 400 }, { kind: "api", status: 502 }, { kind: "batch" }, { kind: "other" }]) await fn.invoke(event, { source: "API orders" });
      const invokes = activity.records.filter((r) => r.kind === "invoke");
      assert.deepEqual(
        invokes.map((r) => [r.detail.replace(" (cold start)", ""), r.error]),
        [
          ["answered 403 for API orders", false],
          ["answered 400 for API orders", false],
          ["answered 502 for API orders", true],
          ["returned 1 batch item failure (retried) for API orders", false],
          ["ok for API orders", false],
        ],
      );
      assert.ok(!lines(activity).some((l) => /placeOrder: ok for API orders/.test(l) && /403/.test(l)));
    } finally {
      await lambda.stop();
    }
  });

  it("has a line for a message SQS moves to its dead-letter queue", async () => {
    const activity = new Activity();
    const sqs = new SqsService(
      [queueSpec("work", { component: "work", redrive: { deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:work-dlq`, maxReceiveCount: 1 } }), queueSpec("work-dlq", { component: "workDlq" })],
      "http://127.0.0.1:1",
      new Clock(0.01),
      activity,
    );
    try {
      const url = sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/work`)!;
      const caller = { principalId: "test" };
      const sent = (await sqs.call("SendMessage", { QueueUrl: url, MessageBody: "poison" }, caller)) as { MessageId: string };
      await sqs.call("ReceiveMessage", { QueueUrl: url }, caller);
      // Past its visibility timeout (30 s, 300 ms here) the next receive would exceed maxReceiveCount 1: SQS moves it.
      await new Promise((resolve) => setTimeout(resolve, 350));
      await sqs.call("ReceiveMessage", { QueueUrl: url }, caller);
      const moved = activity.records.find((r) => r.kind === "dead-letter");
      assert.ok(moved, JSON.stringify(activity.records));
      assert.equal(moved.service, "sqs");
      assert.equal(moved.name, "work");
      assert.equal(moved.detail, `message ${sent.MessageId} moved to its dead-letter queue workDlq after 1 receives (maxReceiveCount 1)`);
      assert.equal(moved.error, true);
    } finally {
      sqs.close();
    }
  });

  it("has a line when an alarm changes state, with the reason, and none while it stays", () => {
    const alarm = { stack: "dev", component: "workDlq", urn: "urn:a", name: "workDlq-alarm", namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: "work-dlq" }, comparisonOperator: "GreaterThanThreshold", threshold: 0 } as AlarmSpec;
    let visible = 0;
    const state = (): AlarmState[] => [{ alarm, state: visible > 0 ? "ALARM" : "OK", value: visible, reason: `ApproximateNumberOfMessagesVisible ${visible} > 0${visible > 0 ? "" : " is false"}` }];
    const activity = new Activity();
    const cloudwatch = new CloudWatchService(state, activity);
    cloudwatch.alarms();
    cloudwatch.alarms();
    visible = 1;
    cloudwatch.alarms();
    cloudwatch.alarms();
    visible = 0;
    cloudwatch.alarms();
    assert.deepEqual(
      activity.records.map((r) => [r.service, r.name, r.detail, r.error]),
      [
        ["cloudwatch", "workDlq", "alarm workDlq-alarm: OK → ALARM (ApproximateNumberOfMessagesVisible 1 > 0)", true],
        ["cloudwatch", "workDlq", "alarm workDlq-alarm: ALARM → OK (ApproximateNumberOfMessagesVisible 0 > 0 is false)", false],
      ],
    );
  });

  it("names each rule by its own name, not the bus both belong to", () => {
    const rule = (name: string) => ({ component: "orders", urn: `urn:pulumi:dev.orders::orderflow::orderflow:messaging:EventBus$aws:cloudwatch/eventRule:EventRule::${name}Rule` });
    assert.equal(ruleLabel(rule("publishFailureToAlerts")), "publishFailureToAlerts");
    assert.notEqual(ruleLabel(rule("publishFailureToAlerts")), ruleLabel(rule("publishFailureToAudit")));
    assert.equal(ruleLabel({ component: "orders", urn: "urn:x" }), "orders", "a URN without a resource name falls back to the component");
  });

  it("shows the label worker's work, from its structured log, beside the functions'", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orderflow-worker-"));
    const program = path.join(dir, "main.js");
    const log = (level: string, message: string, keys: Record<string, string> = {}) => JSON.stringify({ level, message, service: "labelWorker", ...keys });
    writeFileSync(
      program,
      [log("INFO", "label worker started"), log("DEBUG", "polling"), log("INFO", "label printed", { orderId: "o-1", shipmentId: "s-1", labelId: "l-1", messageId: "m-1" }), log("ERROR", "label job failed; left on the queue for retry", { messageId: "m-2" }), "not json"]
        .map((line) => `console.log(${JSON.stringify(line)});`)
        .join("\n"),
    );
    const activity = new Activity();
    const spec = { stack: "dev.shipping", component: "labelWorker", urn: "urn:w", name: "labelWorker", cluster: "c", desiredCount: 1, taskRoleArn: "arn:aws:iam::1:role/t", container: { name: "app", environment: {}, stopTimeoutSeconds: 1 } } as ContainerServiceSpec;
    const service = new LocalContainerService(spec, { program, environment: {} }, {}, activity, () => undefined);
    service.start();
    for (let i = 0; i < 100 && activity.records.filter((r) => r.kind === "task-log").length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await service.stop(1000);
    assert.deepEqual(
      activity.records.filter((r) => r.kind === "task-log").map((r) => [r.detail, r.error]),
      [
        ["task 1: label worker started", false],
        ["task 1: label printed (orderId o-1, shipmentId s-1, labelId l-1, messageId m-1)", false],
        ["task 1: label job failed; left on the queue for retry (messageId m-2)", true],
      ],
    );
  });

  it("says at Ctrl-C what it stops, then what was stopped and whether anything is left", () => {
    const before: RunningParts = {
      dynamodb: { pid: 4242, exited: false },
      functionEnvironments: 14,
      functionsWithEnvironments: 12,
      tasks: [{ service: "labelWorker", running: 1 }],
      apiUrl: "http://127.0.0.1:3000/live",
      endpointUrl: "http://127.0.0.1:41234",
      xrayAddress: "127.0.0.1:40000",
    };
    assert.equal(
      describeParts(before),
      "DynamoDB Local (pid 4242), 14 function environments (12 functions), 1 labelWorker task, the API (127.0.0.1:3000), the AWS endpoint (127.0.0.1:41234), the X-Ray daemon (udp 127.0.0.1:40000)",
    );
    const after: RunningParts = { ...before, dynamodb: { pid: 4242, exited: true }, functionEnvironments: 0, tasks: [{ service: "labelWorker", running: 0 }] };
    assert.match(stoppedLine(before, after, 2345), /^stopped in 2\.3 s: DynamoDB Local \(pid 4242\), .*\. Nothing it started is still running\.$/);
    assert.match(stoppedLine(before, { ...after, dynamodb: { pid: 4242, exited: false } }, 100), /Still running: DynamoDB Local \(pid 4242\)\.$/);
  });
});
