import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient, GetItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { DescribeRuleCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand, TestEventPatternCommand } from "@aws-sdk/client-eventbridge";
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from "@aws-sdk/client-sns";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, ListStateMachinesCommand, SFNClient, type HistoryEvent } from "@aws-sdk/client-sfn";
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { strict as assert } from "node:assert";
import { statSync } from "node:fs";
import type { LocalCloud } from "../../../localcloud/cloud";
import { operatorAccessFile, readOperatorAccess } from "../../../localcloud/operator/access";

/** What every client of the suite is built with: the endpoint and the operator's session the running cloud published. */
export interface OperatorClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken: string };
}

/** The client configuration an operator's script gets from `orderflow local env`: read from the file it prints from. */
export function operatorConfig(cloud: LocalCloud): OperatorClientConfig {
  const access = readOperatorAccess(cloud.outputDir);
  assert.ok(access, `the running cloud published no ${operatorAccessFile(cloud.outputDir)}`);
  return { endpoint: access.endpointUrl, region: access.region, credentials: { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey, sessionToken: access.sessionToken } };
}

/**
 * The operator's way in, as an operator's script drives it with the AWS SDK v3 clients, against a cloud that has run
 * every scenario (a poison message in the shipping DLQ, the saga's executions, every function's log). The tests are
 * registered in the end-to-end suite, which owns the cloud (one dev cloud per test run), before it stops the cloud.
 */
export function operatorEndpointTests(cloudOf: () => LocalCloud | undefined): void {
  let cloud: LocalCloud;
  let config: OperatorClientConfig;
  const it = (title: string, test: () => Promise<void> | void) =>
    globalThis.it(`the operator's way in (AWS SDK v3, IAM enforced): ${title}`, async function () {
      this.timeout(60_000);
      const running = cloudOf();
      assert.ok(running, "the cloud did not start");
      cloud = running;
      config = operatorConfig(cloud);
      await test();
    });

  it("publishes its endpoint and the operator's session in a file only the user can read; STS names the session", async () => {
    assert.equal(statSync(operatorAccessFile(cloud.outputDir)).mode & 0o777, 0o600);
    assert.equal(config.endpoint, cloud.endpointUrl);
    const who = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:sts::${cloud.graph.cloud.account}:assumed-role/orderflow-local-operator/operator`);
    assert.equal(who.Account, cloud.graph.cloud.account);
    assert.match(who.UserId ?? "", /^AROA[A-Z0-9]{17}:operator$/);
  });

  it("refuses a key it did not issue and a wrong secret, as each service does", async () => {
    const stranger = { ...config, credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" } };
    await assert.rejects(new SQSClient(stranger).send(new ListQueuesCommand({})), (e: Error) => e.name === "InvalidClientTokenId");
    await assert.rejects(new SFNClient(stranger).send(new ListStateMachinesCommand({})), (e: Error) => e.name === "UnrecognizedClientException");
    const forged = { ...config, credentials: { ...config.credentials, secretAccessKey: "not-the-secret" } };
    await assert.rejects(new STSClient(forged).send(new GetCallerIdentityCommand({})), (e: Error) => e.name === "SignatureDoesNotMatch");
    await assert.rejects(new CloudWatchLogsClient(forged).send(new DescribeLogGroupsCommand({})), (e: Error) => e.name === "InvalidSignatureException");
  });

  it("inspects the shipping DLQ — the poison message, the queue it came from, the alarm — and redrives it to its source", async () => {
    const sqs = new SQSClient(config);
    const shipping = cloud.graph.queues.find((q) => q.component === "shipping")!;
    const dlq = cloud.graph.queues.find((q) => q.arn === shipping.redrive!.deadLetterTargetArn)!;
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "shipping" }));
    const { QueueUrl: dlqUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: dlq.name }));
    // Queue URLs name the endpoint's host: the SDK sends each queue's requests there.
    assert.deepEqual([...(QueueUrls ?? [])].sort(), [`${config.endpoint}/${cloud.graph.cloud.account}/${dlq.name}`, `${config.endpoint}/${cloud.graph.cloud.account}/${shipping.name}`].sort());
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["ApproximateNumberOfMessages", "QueueArn"] }));
    assert.ok(Number(Attributes?.ApproximateNumberOfMessages) >= 1, `the poison-message scenario left nothing in ${dlq.name}`);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageSystemAttributeNames: ["All"] }));
    assert.ok(Messages?.some((m) => m.Attributes?.DeadLetterQueueSourceArn === shipping.arn && m.Body?.includes('"not": "an event"')), JSON.stringify(Messages));
    const { queueUrls } = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlqUrl }));
    assert.deepEqual(queueUrls, [`${config.endpoint}/${cloud.graph.cloud.account}/${shipping.name}`]);
    const alarms = await new CloudWatchClient(config).send(new DescribeAlarmsCommand({ StateValue: "ALARM" }));
    assert.ok(alarms.MetricAlarms?.some((a) => a.Dimensions?.some((d) => d.Name === "QueueName" && d.Value === dlq.name)), "the DLQ's alarm is not in ALARM");

    const received = cloud.activity.records.length;
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 5 }));
    assert.ok(TaskHandle);
    const task = await poll(async () => (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlq.arn }))).Results?.find((t) => t.Status !== "RUNNING"));
    assert.equal(task.Status, "COMPLETED");
    assert.equal(task.ApproximateNumberOfMessagesMoved, task.ApproximateNumberOfMessagesToMove);
    assert.equal(task.MaxNumberOfMessagesPerSecond, 5);
    // Back in the shipping queue, the poison message meets its consumer again.
    await poll(() => cloud.activity.records.slice(received).find((r) => r.name === "createShipment" && r.kind === "invoke"));
  });

  it("reads the saga's executions and their histories in the events Step Functions records", async () => {
    const sfn = new SFNClient(config);
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    assert.deepEqual(stateMachines?.map((m) => m.stateMachineArn), cloud.graph.stateMachines.map((m) => m.arn));
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: stateMachines![0].stateMachineArn, statusFilter: "SUCCEEDED", maxResults: 1000 }));
    assert.ok(executions && executions.length > 0, "the scenarios ran no execution to success");
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: executions[0].executionArn }));
    assert.equal(described.status, "SUCCEEDED");
    assert.ok(described.startDate instanceof Date && described.stopDate! >= described.startDate);
    assert.doesNotThrow(() => JSON.parse(described.input!) as unknown);

    const histories = await Promise.all(executions.map(async (e) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn, maxResults: 1000 }))).events ?? []));
    for (const events of histories) {
      assert.equal(events[0].type, "ExecutionStarted");
      assert.equal(events.at(-1)!.type, "ExecutionSucceeded");
      assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1));
      assert.ok(events.every((e) => e.timestamp instanceof Date));
    }
    const typesOf = (events: HistoryEvent[]) => events.map((e) => e.type);
    // A Lambda task: entered, scheduled (lambda:invoke with its parameters), started, succeeded, exited. In an execution
    // no task of which failed: which execution lists first depends on timing, and one of them retried a task (below).
    const history = histories.find((events) => !events.some((e) => e.type === "TaskFailed"));
    assert.ok(history, "every execution that succeeded had a task fail first");
    const entered = history.findIndex((e) => e.type === "TaskStateEntered");
    assert.deepEqual(typesOf(history.slice(entered, entered + 5)), ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]);
    const scheduled = history[entered + 1].taskScheduledEventDetails!;
    assert.equal(scheduled.resourceType, "lambda");
    assert.equal(scheduled.resource, "invoke");
    assert.ok((JSON.parse(scheduled.parameters!) as { FunctionName?: string }).FunctionName?.startsWith("arn:aws:lambda:"));
    assert.equal(history[entered].stateEnteredEventDetails?.name, history[entered + 4].stateExitedEventDetails?.name);
    // The transient-saga-error scenario's ChargePayment failed once with a Lambda service error and was retried.
    const retried = histories.find((events) => events.some((e) => e.type === "TaskFailed" && e.taskFailedEventDetails?.error === "Lambda.ServiceException"));
    assert.ok(retried, "no history shows the retried ChargePayment");
    const failedAt = retried.findIndex((e) => e.type === "TaskFailed");
    assert.deepEqual(typesOf(retried.slice(failedAt, failedAt + 3)), ["TaskFailed", "TaskScheduled", "TaskStarted"]);
  });

  it("invokes a function (RequestResponse with its log's tail, Event, DryRun) and finds it in its log group", async () => {
    const lambda = new LambdaClient(config);
    const getOrder = cloud.graph.functions.find((f) => f.component === "getOrder")!;
    const { Functions } = await lambda.send(new ListFunctionsCommand({}));
    assert.deepEqual(Functions?.map((f) => f.FunctionName).sort(), cloud.graph.functions.map((f) => f.name).sort());
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: getOrder.name }));
    assert.equal(configuration.FunctionArn, getOrder.arn);
    assert.equal(configuration.LoggingConfig?.LogGroup, getOrder.logGroup);
    // The variables as deployed; never the session the local cloud hands the function.
    assert.equal(configuration.Environment?.Variables?.AWS_SECRET_ACCESS_KEY, undefined);

    const answer = await lambda.send(new InvokeCommand({ FunctionName: getOrder.name, Payload: JSON.stringify({ pathParameters: { id: "none" } }), LogType: "Tail" }));
    assert.equal(answer.StatusCode, 200);
    assert.equal(answer.ExecutedVersion, "$LATEST");
    const payload = JSON.parse(Buffer.from(answer.Payload!).toString("utf8")) as { statusCode?: number };
    assert.equal(payload.statusCode, 401, "getOrder without an authorizer's claims answers 401");
    const tail = Buffer.from(answer.LogResult!, "base64").toString("utf8");
    const requestId = /^START RequestId: (\S+)/.exec(tail)?.[1];
    assert.ok(requestId, tail);
    assert.match(tail, new RegExp(`REPORT RequestId: ${requestId}\\tDuration`));
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: getOrder.name, InvocationType: "Event", Payload: "{}" }))).StatusCode, 202);
    assert.equal((await lambda.send(new InvokeCommand({ FunctionName: getOrder.name, InvocationType: "DryRun" }))).StatusCode, 204);
    const { EventSourceMappings } = await lambda.send(new ListEventSourceMappingsCommand({}));
    assert.deepEqual(EventSourceMappings?.map((m) => [m.UUID, m.EventSourceArn, m.FunctionArn, m.State]), cloud.graph.eventSourceMappings.map((m) => [m.uuid, m.sourceArn, m.functionArn, m.enabled ? "Enabled" : "Disabled"]));
    await assert.rejects(
      lambda.send(new InvokeCommand({ FunctionName: "no-such-function" })),
      (e: Error) => e.name === "ResourceNotFoundException" && e.message === `Function not found: arn:aws:lambda:${cloud.graph.cloud.region}:${cloud.graph.cloud.account}:function:no-such-function`,
    );

    const logs = new CloudWatchLogsClient(config);
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: getOrder.logGroup }));
    assert.deepEqual(logGroups?.map((g) => g.logGroupName), [getOrder.logGroup]);
    const found = await poll(async () => (await logs.send(new FilterLogEventsCommand({ logGroupName: getOrder.logGroup, filterPattern: `"${requestId}" REPORT` }))).events?.[0]);
    assert.match(found.message ?? "", /^REPORT RequestId/);
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: getOrder.logGroup, orderBy: "LastEventTime", descending: true }));
    assert.equal(logStreams?.[0].logStreamName, found.logStreamName);
    assert.match(found.logStreamName ?? "", /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    const { events } = await logs.send(new GetLogEventsCommand({ logGroupName: getOrder.logGroup, logStreamName: found.logStreamName, startFromHead: true }));
    assert.ok(events?.some((e) => e.message === `START RequestId: ${requestId} Version: $LATEST`));
    // The JSON pattern reads the Powertools logger's lines.
    const warnings = await logs.send(new FilterLogEventsCommand({ logGroupName: getOrder.logGroup, filterPattern: '{ $.level = "WARN" && $.status = 401 }' }));
    assert.ok(warnings.events?.some((e) => e.message?.includes(requestId)), "the refusal's WARN line is not found by its JSON fields");

    // The label worker's log, under the log group its task definition names.
    const worker = cloud.graph.containerServices[0];
    assert.ok(worker.logs, "the worker's task definition names no log group");
    const workerLines = await logs.send(new FilterLogEventsCommand({ logGroupName: worker.logs.group }));
    assert.ok((workerLines.events ?? []).length > 0, "the worker logged nothing");
  });

  it("lists the bus, its rules and targets as deployed, and tests an event pattern with the rules' matcher", async () => {
    const events = new EventBridgeClient(config);
    const bus = cloud.graph.buses[0];
    const { EventBuses } = await events.send(new ListEventBusesCommand({}));
    assert.deepEqual(EventBuses?.map((b) => b.Arn), cloud.graph.buses.map((b) => b.arn));
    const { Rules } = await events.send(new ListRulesCommand({ EventBusName: bus.name }));
    assert.equal(Rules?.length, cloud.graph.rules.filter((r) => r.busName === bus.name).length);
    const rule = cloud.graph.rules.find((r) => r.targets.some((t) => t.deadLetterArn))!;
    const described = await events.send(new DescribeRuleCommand({ Name: rule.name, EventBusName: bus.name }));
    assert.deepEqual(JSON.parse(described.EventPattern!), rule.pattern);
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: rule.name, EventBusName: bus.name }));
    assert.deepEqual(Targets?.map((t) => [t.Arn, t.DeadLetterConfig?.Arn]), rule.targets.map((t) => [t.arn, t.deadLetterArn]));

    const event = (detailType: string) => JSON.stringify({ id: "1", account: cloud.graph.cloud.account, source: "orderflow.checkout", time: "2026-12-07T00:00:00Z", region: cloud.graph.cloud.region, resources: [], "detail-type": detailType, detail: {} });
    const pattern = described.EventPattern!;
    const detailType = (rule.pattern["detail-type"] as string[] | undefined)?.[0] ?? "OrderConfirmed";
    assert.equal((await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event(detailType) }))).Result, true);
    assert.equal((await events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event("SomethingElse") }))).Result, false);
    await assert.rejects(events.send(new TestEventPatternCommand({ EventPattern: '{"detail": {"total": [{"numeric": [">"]}]}}', Event: event(detailType) })), (e: Error) => e.name === "InvalidEventPatternException");
    await assert.rejects(events.send(new TestEventPatternCommand({ EventPattern: pattern, Event: "{}" })), (e: Error) => e.name === "ValidationException");
  });

  it("answers SNS's topics, subscriptions and their attributes in its XML", async () => {
    const sns = new SNSClient(config);
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    assert.deepEqual(Topics?.map((t) => t.TopicArn).sort(), cloud.graph.topics.map((t) => t.arn).sort());
    const topic = cloud.graph.topics.find((t) => cloud.graph.subscriptions.some((s) => s.topicArn === t.arn && s.filterPolicy))!;
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic.arn }));
    assert.deepEqual(Subscriptions?.map((s) => s.SubscriptionArn).sort(), cloud.graph.subscriptions.filter((s) => s.topicArn === topic.arn).map((s) => s.arn).sort());
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topic.arn }));
    assert.equal(Attributes?.SubscriptionsConfirmed, String(Subscriptions?.length));
    const filtered = cloud.graph.subscriptions.find((s) => s.topicArn === topic.arn && s.filterPolicy)!;
    const subscription = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: filtered.arn }));
    assert.deepEqual(JSON.parse(subscription.Attributes!.FilterPolicy!), JSON.parse(filtered.filterPolicy!));
    await assert.rejects(sns.send(new GetTopicAttributesCommand({ TopicArn: `${topic.arn}-missing` })), (e: Error) => e.name === "NotFoundException");
  });

  it("serves DynamoDB through the endpoint, each call decided by IAM", async () => {
    const dynamodb = new DynamoDBClient(config);
    const stock = cloud.graph.tables.find((t) => t.component === "stock") ?? cloud.graph.tables[0];
    const { Items } = await dynamodb.send(new ScanCommand({ TableName: stock.name, Limit: 5 }));
    assert.ok((Items ?? []).length > 0, `${stock.name} is empty`);
    const forged = new DynamoDBClient({ ...config, credentials: { ...config.credentials, secretAccessKey: "not-the-secret" } });
    await assert.rejects(forged.send(new ScanCommand({ TableName: stock.name, Limit: 1 })), (e: Error) => e.name === "InvalidSignatureException");
    // What DynamoDB Local itself answers comes back through the endpoint unchanged.
    await assert.rejects(dynamodb.send(new GetItemCommand({ TableName: `${stock.name}-missing`, Key: { sku: { S: "x" } } })), (e: Error) => e.name === "ResourceNotFoundException");
  });

  it("shows the operator's calls in the activity, with the status each answered", () => {
    const lines = cloud.activity.records.filter((r) => r.kind === "operator");
    assert.ok(lines.some((r) => r.detail === "AmazonSQS.StartMessageMoveTask: 200"), lines.map((r) => r.detail).join("\n"));
    assert.ok(lines.some((r) => r.detail === "POST /2015-03-31/functions/no-such-function/invocations: 404 ResourceNotFoundException"), lines.map((r) => r.detail).join("\n"));
  });
}

/** Polls until the probe gives a value (20 s at most). */
export async function poll<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}
