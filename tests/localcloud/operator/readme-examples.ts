import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, ListTablesCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeRuleCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { GetQueueAttributesCommand, ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ListQueuesCommand, ReceiveMessageCommand, SQSClient, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { LocalCloud } from "../../../localcloud/cloud";
import { REPO_ROOT } from "../../../ops/repo-root";
import { variablesOf } from "../../../ops/commands/local/env-command";
import { readOperatorAccess } from "../../../localcloud/operator/access";
import { operatorConfig, type OperatorClientConfig } from "./endpoint-suite";

/** The README's section for operators, and its shell example (the first ```sh block in it). */
export function operatorExample(readme: string): string {
  const start = readme.indexOf("## Operating the local cloud with AWS's tools");
  assert.ok(start >= 0, "README.md has no section \"Operating the local cloud with AWS's tools\"");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block, "the operators' section has no ```sh example");
  return block[1];
}

/** The README's TypeScript example for operators (the ```ts block in the section). */
export function operatorScript(readme: string): string {
  const start = readme.indexOf("## Operating the local cloud with AWS's tools");
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(start >= 0 && block, "the operators' section has no ```ts example");
  return block[1];
}

/** Each `aws <service> <command>` the example runs (inside `$(...)` too), in order, once each. */
export function awsCommandsOf(script: string): string[] {
  const commands = [...script.matchAll(/aws --endpoint-url "\$AWS_ENDPOINT_URL" (\S+) (\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
  return [...new Set(commands)];
}

/**
 * The README example's calls through the SDK v3 clients, in its order and with its arguments, for where the AWS CLI
 * is not installed: each entry names the CLI command it stands for, and the test checks that the two lists agree, so
 * the example cannot change without this.
 */
export async function runExampleWithTheSdk(config: OperatorClientConfig): Promise<string[]> {
  const ran: string[] = [];
  const step = async <T>(command: string, call: () => Promise<T>): Promise<T> => {
    ran.push(command);
    return call();
  };
  const sts = new STSClient(config);
  const sqs = new SQSClient(config);
  const sfn = new SFNClient(config);
  const lambda = new LambdaClient(config);
  const events = new EventBridgeClient(config);
  const dynamodb = new DynamoDBClient(config);

  const who = await step("sts get-caller-identity", () => sts.send(new GetCallerIdentityCommand({})));
  assert.match(who.Arn ?? "", /:assumed-role\/orderflow-local-operator\/operator$/);

  const dlqUrl = (await step("sqs list-queues", () => sqs.send(new ListQueuesCommand({ QueueNamePrefix: "shippingDlq" })))).QueueUrls?.[0];
  assert.ok(dlqUrl, "no queue is named shippingDlq...");
  const attributes = await step("sqs get-queue-attributes", () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages", "QueueArn"] })));
  await step("sqs receive-message", () => sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, VisibilityTimeout: 0, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] })));
  await step("sqs list-dead-letter-source-queues", () => sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl })));
  await step("cloudwatch describe-alarms", () => new CloudWatchClient(config).send(new DescribeAlarmsCommand({ AlarmNamePrefix: "shippingDlq" })));
  const dlqArn = attributes.Attributes!.QueueArn!;
  await step("sqs start-message-move-task", () => sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 10 })));
  await step("sqs list-message-move-tasks", () => sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn })));

  const saga = (await step("stepfunctions list-state-machines", () => sfn.send(new ListStateMachinesCommand({})))).stateMachines![0].stateMachineArn;
  const run = (await step("stepfunctions list-executions", () => sfn.send(new ListExecutionsCommand({ stateMachineArn: saga })))).executions![0].executionArn;
  await step("stepfunctions describe-execution", () => sfn.send(new DescribeExecutionCommand({ executionArn: run })));
  await step("stepfunctions get-execution-history", () => sfn.send(new GetExecutionHistoryCommand({ executionArn: run })));

  const fn = (await step("lambda list-functions", () => lambda.send(new ListFunctionsCommand({})))).Functions!.find((f) => f.FunctionName!.startsWith("getOrder"))!.FunctionName!;
  const invoked = await step("lambda invoke", () => lambda.send(new InvokeCommand({ FunctionName: fn, Payload: JSON.stringify({ pathParameters: { id: "none" } }), LogType: "Tail" })));
  assert.match(Buffer.from(invoked.LogResult!, "base64").toString("utf8"), /^START RequestId/);
  const logGroup = (await step("lambda get-function-configuration", () => lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn })))).LoggingConfig!.LogGroup!;
  await step("logs filter-log-events", () => new CloudWatchLogsClient(config).send(new FilterLogEventsCommand({ logGroupName: logGroup, filterPattern: '{ $.level = "WARN" }' })));

  const bus = (await step("events list-event-buses", () => events.send(new ListEventBusesCommand({})))).EventBuses![0].Name!;
  const rule = (await step("events list-rules", () => events.send(new ListRulesCommand({ EventBusName: bus, NamePrefix: "orders-orderCancelled" })))).Rules![0].Name!;
  const pattern = (await step("events describe-rule", () => events.send(new DescribeRuleCommand({ EventBusName: bus, Name: rule })))).EventPattern!;
  const event = { id: "1", account: "123456789012", source: "orderflow.checkout", time: "2026-12-07T12:00:00Z", region: "us-east-1", resources: [], "detail-type": "OrderCancelled", detail: {} };
  const tested = await step("events test-event-pattern", () => events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: JSON.stringify(event) })));
  assert.equal(tested.Result, true);
  await step("events list-targets-by-rule", () => events.send(new ListTargetsByRuleCommand({ EventBusName: bus, Rule: rule })));

  await step("sns list-topics", () => new SNSClient(config).send(new ListTopicsCommand({})));
  const stock = (await step("dynamodb list-tables", () => dynamodb.send(new ListTablesCommand({})))).TableNames!.find((t) => t.startsWith("stockTable"))!;
  await step("dynamodb scan", () => dynamodb.send(new ScanCommand({ TableName: stock, Limit: 3 })));
  return ran;
}

/**
 * The README's operator example, checked against the running cloud: the same calls through the SDK always (the AWS CLI
 * need not be installed), and the example itself, as printed, in bash with the AWS CLI where it is installed.
 */
export function readmeExampleTests(cloudOf: () => LocalCloud | undefined): void {
  it("the operator's way in: the README's example calls answer through the SDK, the same calls as the example's", async function () {
    this.timeout(60_000);
    const cloud = cloudOf();
    assert.ok(cloud, "the cloud did not start");
    const script = operatorExample(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"));
    const ran = await runExampleWithTheSdk(operatorConfig(cloud));
    assert.deepEqual([...new Set(ran)], awsCommandsOf(script), "the SDK's calls and the README's aws commands differ: change both together");
  });

  it("the operator's way in: the README's TypeScript example runs as printed, with the variables local env exports", async function () {
    this.timeout(60_000);
    const cloud = cloudOf();
    assert.ok(cloud, "the cloud did not start");
    const access = readOperatorAccess(cloud.outputDir);
    assert.ok(access);
    // In the repository (its node_modules resolve the SDK), where `.orderflow/` is ignored by git.
    const file = path.join(REPO_ROOT, ".orderflow", "readme-operator-example.ts");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, operatorScript(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8")));
    const { code, stdout, stderr } = await run(process.execPath, ["-r", "./ops/register.js", file], variablesOf(access));
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^redriving http:\/\/127\.0\.0\.1:\d+\/\d+\/shippingDlqQueue-\S+: task \S+$/m);
    assert.match(stdout, /^START RequestId: \S+ Version: \$LATEST$/m);
  });

  it("the operator's way in: the README's example runs as printed with the AWS CLI (where it is installed)", async function () {
    this.timeout(300_000);
    const cloud = cloudOf();
    assert.ok(cloud, "the cloud did not start");
    if (spawnSync("aws", ["--version"]).status !== 0) {
      // Without the CLI the test above has run the same calls through the SDK.
      this.skip();
    }
    const script = operatorExample(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"));
    const { code, stdout, stderr } = await bash(script);
    assert.equal(code, 0, `the README's example failed:\n${stderr.slice(-3000)}`);
    assert.match(stdout, /assumed-role\/orderflow-local-operator\/operator/);
    assert.match(stdout, /"TaskHandle": "/);
    assert.match(stdout, /"Result": true/);
    assert.match(stdout, /^START RequestId: /m);
    assert.match(stdout, /ExecutionStarted/);
  });
}

/** Runs a script in bash (`set -euo pipefail`) from the repository. */
function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run("bash", ["-c", `set -euo pipefail\n${script}`], {});
}

/** Runs a program from the repository with this Node first on PATH, none of our AWS_* variables, and the ones given. */
function run(program: string, args: string[], variables: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`;
  Object.assign(env, variables);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
