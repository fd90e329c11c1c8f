import {
  CancelMessageMoveTaskCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
  type ListMessageMoveTasksResultEntry,
} from "@aws-sdk/client-sqs";
import { strict as assert } from "node:assert";
import { Clock } from "../../../../localcloud/kernel/clock";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { queueSpec } from "../../../helpers/local-specs";

const ACCOUNT = "123456789012";
const arn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

// Dead-letter queue redrive as the SQS API reference describes StartMessageMoveTask, ListMessageMoveTasks and
// CancelMessageMoveTask, driven with the SDK v3 client. At a time scale of 0.1 a second of the move rate is 100 ms.
describe("local cloud: SQS dead-letter queue redrive (message move tasks)", () => {
  let endpoint: AwsEndpoint;
  let sqs: SqsService;
  let client: SQSClient;
  const url = (name: string) => sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`)!;

  beforeEach(async () => {
    endpoint = new AwsEndpoint((key) => key ?? "anonymous");
    const base = await endpoint.listen();
    sqs = new SqsService(
      [
        queueSpec("work", { redrive: { deadLetterTargetArn: arn("work-dlq"), maxReceiveCount: 1 }, visibilityTimeoutSeconds: 0 }),
        queueSpec("work-dlq"),
        queueSpec("parking"),
        queueSpec("orders.fifo", { contentBasedDeduplication: true }),
      ],
      base,
      new Clock(0.1),
    );
    endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal, signal: ctx.signal }) });
    client = new SQSClient({ region: "us-east-1", endpoint: base, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
  });

  afterEach(async () => {
    sqs.close();
    await endpoint.close();
  });

  /** Sends to `work` and receives until SQS moves the message to `work-dlq` (maxReceiveCount 1, visibility 0). */
  async function deadLetter(body: string): Promise<void> {
    await client.send(new SendMessageCommand({ QueueUrl: url("work"), MessageBody: body, MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(first.Messages?.[0].Body, body);
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(second.Messages, undefined, "the second receive moves it to the DLQ");
  }

  async function taskOf(source: string): Promise<ListMessageMoveTasksResultEntry> {
    const { Results } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: arn(source) }));
    assert.equal(Results?.length, 1);
    return Results![0];
  }

  async function settled(source: string): Promise<ListMessageMoveTasksResultEntry> {
    for (let i = 0; i < 200; i++) {
      const task = await taskOf(source);
      if (task.Status !== "RUNNING" && task.Status !== "CANCELLING") return task;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the task did not end within 4 s");
  }

  it("names a DLQ's source queues, and redrives each message back to the queue it came from, starting over", async () => {
    await deadLetter("poison");
    const { queueUrls } = await client.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: url("work-dlq") }));
    assert.deepEqual(queueUrls, [url("work")]);
    const { TaskHandle } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq") }));
    assert.ok(TaskHandle);
    const task = await settled("work-dlq");
    assert.equal(task.Status, "COMPLETED");
    assert.equal(task.ApproximateNumberOfMessagesMoved, 1);
    assert.equal(task.ApproximateNumberOfMessagesToMove, 1);
    assert.equal(task.TaskHandle, undefined, "a handle is listed for a running task only");
    assert.equal(task.DestinationArn, undefined);
    const back = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
    assert.equal(back.Messages?.[0].Body, "poison");
    assert.deepEqual(back.Messages?.[0].MessageAttributes, { kind: { DataType: "String", StringValue: "order" } }, "a redriven message keeps its attributes");
    assert.equal(back.Messages?.[0].Attributes?.ApproximateReceiveCount, "1", "a redriven message starts its receive count over");
    assert.equal(back.Messages?.[0].Attributes?.DeadLetterQueueSourceArn, undefined);
  });

  it("moves to a chosen queue at MaxNumberOfMessagesPerSecond", async () => {
    const entries = Array.from({ length: 6 }, (_, i) => ({ Id: `m${i}`, MessageBody: `message ${i}` }));
    await client.send(new SendMessageBatchCommand({ QueueUrl: url("work-dlq"), Entries: entries }));
    const started = Date.now();
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq"), DestinationArn: arn("parking"), MaxNumberOfMessagesPerSecond: 2 }));
    const running = await taskOf("work-dlq");
    assert.equal(running.Status, "RUNNING");
    assert.equal(running.ApproximateNumberOfMessagesMoved, 2, "the first second's 2 messages move at once, the rest wait for the next seconds");
    assert.equal(running.ApproximateNumberOfMessagesToMove, 6);
    assert.equal(running.DestinationArn, arn("parking"));
    const done = await settled("work-dlq");
    const elapsed = Date.now() - started;
    assert.equal(done.Status, "COMPLETED");
    assert.equal(done.ApproximateNumberOfMessagesMoved, 6);
    // 6 messages at 2 a second take 3 seconds: two waits of a (scaled) second, 200 ms.
    assert.ok(elapsed >= 190, `6 messages at 2/s moved in ${elapsed} ms`);
    const parked = await client.send(new ReceiveMessageCommand({ QueueUrl: url("parking"), MaxNumberOfMessages: 10 }));
    assert.deepEqual(parked.Messages?.map((m) => m.Body).sort(), entries.map((e) => e.MessageBody).sort());
  });

  it("cancels a running task: what moved stays moved, the rest stays in the DLQ", async () => {
    await client.send(new SendMessageBatchCommand({ QueueUrl: url("work-dlq"), Entries: Array.from({ length: 5 }, (_, i) => ({ Id: `m${i}`, MessageBody: `m${i}` })) }));
    const { TaskHandle } = await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq"), DestinationArn: arn("parking"), MaxNumberOfMessagesPerSecond: 1 }));
    const { ApproximateNumberOfMessagesMoved } = await client.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    assert.equal(ApproximateNumberOfMessagesMoved, 1);
    const task = await taskOf("work-dlq");
    assert.equal(task.Status, "CANCELLED");
    assert.equal(sqs.queue(arn("work-dlq")).counts().visible, 4);
    await assert.rejects(client.send(new CancelMessageMoveTaskCommand({ TaskHandle })), (e: Error) => e.name === "InvalidParameterValue");
    await assert.rejects(client.send(new CancelMessageMoveTaskCommand({ TaskHandle: Buffer.from('{"taskId":"x"}').toString("base64") })), (e: Error) => e.name === "ResourceNotFoundException");
  });

  it("fails a redrive to the source of a message that has none, leaving it in the DLQ with the reason", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url("work-dlq"), MessageBody: "sent here directly" }));
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq") }));
    const task = await settled("work-dlq");
    assert.equal(task.Status, "FAILED");
    assert.match(task.FailureReason ?? "", /has no source queue to return to .* DestinationArn/);
    assert.equal(sqs.queue(arn("work-dlq")).counts().visible, 1);
  });

  it("refuses what SQS refuses: a queue that is no one's DLQ, an unknown queue, the same queue, another type, a second task", async () => {
    const refused = async (input: ConstructorParameters<typeof StartMessageMoveTaskCommand>[0], code: string, message: RegExp) =>
      assert.rejects(client.send(new StartMessageMoveTaskCommand(input)), (e: Error) => e.name === code && message.test(e.message));
    await refused({ SourceArn: arn("parking") }, "InvalidParameterValue", /Source queue must be configured as a Dead Letter Queue/);
    await refused({ SourceArn: arn("missing") }, "ResourceNotFoundException", /SourceArn parameter doesn't exist/);
    await refused({ SourceArn: "work-dlq" }, "InvalidParameterValue", /arn:<partition>/);
    await refused({ SourceArn: arn("work-dlq"), DestinationArn: arn("work-dlq") }, "InvalidParameterValue", /cannot be the same/);
    await refused({ SourceArn: arn("work-dlq"), DestinationArn: arn("orders.fifo") }, "InvalidParameterValue", /same queue type/);
    await refused({ SourceArn: arn("work-dlq"), MaxNumberOfMessagesPerSecond: 501 }, "InvalidParameterValue", /MaxNumberOfMessagesPerSecond/);
    await client.send(new SendMessageBatchCommand({ QueueUrl: url("work-dlq"), Entries: [{ Id: "a", MessageBody: "a" }, { Id: "b", MessageBody: "b" }] }));
    await client.send(new StartMessageMoveTaskCommand({ SourceArn: arn("work-dlq"), DestinationArn: arn("parking"), MaxNumberOfMessagesPerSecond: 1 }));
    await refused({ SourceArn: arn("work-dlq"), DestinationArn: arn("parking") }, "InvalidParameterValue", /Only one active task/);
  });
});
