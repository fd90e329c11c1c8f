import { strict as assert } from "node:assert";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { AwsError } from "../../../../localcloud/kernel/aws-error";
import { Clock } from "../../../../localcloud/kernel/clock";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import { md5OfMessageAttributes } from "../../../../localcloud/services/sqs/md5";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import type { ReceivedMessage } from "../../../../localcloud/services/sqs/queue";
import { queueSpec } from "../../../helpers/local-specs";

const ACCOUNT = "123456789012";


describe("local cloud: SQS over the SDK's JSON protocol", () => {
  let endpoint: AwsEndpoint;
  let sqs: SqsService;
  let client: SQSClient;
  let url: (name: string) => string;

  before(async () => {
    endpoint = new AwsEndpoint((key) => key ?? "anonymous");
    const base = await endpoint.listen();
    // A 30 s visibility timeout and 4 days' retention at a scale of 0.01: 300 ms and ~1 hour.
    sqs = new SqsService(
      [
        queueSpec("work", { redrive: { deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:work-dlq`, maxReceiveCount: 2 }, maximumMessageSize: 262144 }),
        queueSpec("work-dlq"),
        queueSpec("orders.fifo", { contentBasedDeduplication: true }),
      ],
      base,
      new Clock(0.01),
    );
    endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal, signal: ctx.signal }) });
    client = new SQSClient({ region: "us-east-1", endpoint: base, credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" } });
    url = (name) => sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`)!;
  });

  after(async () => {
    sqs.close();
    await endpoint.close();
  });

  it("hands out queue URLs on its own host, which the SDK then sends to", async () => {
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: "work" }));
    assert.equal(QueueUrl, url("work"));
    assert.match(QueueUrl!, /^http:\/\/127\.0\.0\.1:\d+\/123456789012\/work$/);
    await assert.rejects(client.send(new GetQueueUrlCommand({ QueueName: "missing" })), (e: unknown) => e instanceof QueueDoesNotExist);
  });

  it("sends and receives with the MD5s the SDK checks, the trace header and the system attributes asked for", async () => {
    const attributes = { kind: { DataType: "String", StringValue: "order" }, n: { DataType: "Number", StringValue: "3" } };
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "héllo", MessageAttributes: attributes, MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-abc;Sampled=1" } } }),
    );
    assert.equal(sent.MD5OfMessageAttributes, md5OfMessageAttributes(attributes));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"] }));
    assert.equal(Messages?.length, 1);
    const [m] = Messages!;
    assert.equal(m.Body, "héllo");
    assert.equal(m.MessageId, sent.MessageId);
    assert.equal(m.Attributes?.AWSTraceHeader, "Root=1-abc;Sampled=1");
    assert.equal(m.Attributes?.ApproximateReceiveCount, "1");
    assert.equal(m.Attributes?.SenderId, "AKIDTEST");
    assert.deepEqual(m.MessageAttributes?.kind, { DataType: "String", StringValue: "order" });
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: m.ReceiptHandle }));
  });

  it("hides a received message for the visibility timeout, returns it after, and moves it to the DLQ past maxReceiveCount", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "poison" }));
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(first.Messages?.[0].Body, "poison");
    const hidden = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(hidden.Messages, undefined, "invisible while in flight");
    // The message comes back when its visibility timeout (30 s, 300 ms at this scale) ends.
    await new Promise((resolve) => setTimeout(resolve, 320));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work"), MessageSystemAttributeNames: ["ApproximateReceiveCount"] }));
    assert.equal(second.Messages?.[0].Attributes?.ApproximateReceiveCount, "2");
    // A third receive would exceed maxReceiveCount 2: SQS moves the message to the dead-letter queue instead.
    await new Promise((resolve) => setTimeout(resolve, 320));
    const third = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(third.Messages, undefined);
    const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work-dlq"), MessageSystemAttributeNames: ["All"] }));
    assert.equal(dead.Messages?.[0].Body, "poison");
    assert.equal(dead.Messages?.[0].MessageId, first.Messages?.[0].MessageId, "a dead-lettered message keeps its id");
    assert.equal(dead.Messages?.[0].Attributes?.DeadLetterQueueSourceArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:work`);
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work-dlq"), ReceiptHandle: dead.Messages![0].ReceiptHandle }));
  });

  it("changes the visibility of a message in flight, and refuses it for one that is not", async () => {
    await client.send(new SendMessageCommand({ QueueUrl: url("work"), MessageBody: "later" }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    await client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url("work"), ReceiptHandle: Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") }));
    assert.equal(again.Messages?.[0].Body, "later", "visible again at once");
    await client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: again.Messages![0].ReceiptHandle }));
    await assert.rejects(
      client.send(new ChangeMessageVisibilityCommand({ QueueUrl: url("work"), ReceiptHandle: again.Messages![0].ReceiptHandle, VisibilityTimeout: 5 })),
      (e: Error) => e.name === "MessageNotInflight",
    );
  });

  it("answers a batch entry by entry, and refuses an oversized or malformed one with SQS's codes", async () => {
    const result = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url("work"),
        Entries: [
          { Id: "ok", MessageBody: "fine" },
          { Id: "big", MessageBody: "x".repeat(262145) },
        ],
      }),
    );
    assert.deepEqual(result.Successful?.map((s) => s.Id), ["ok"]);
    assert.equal(result.Failed?.[0].Id, "big");
    assert.equal(result.Failed?.[0].Code, "InvalidParameterValue");
    await assert.rejects(client.send(new SendMessageBatchCommand({ QueueUrl: url("work"), Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: "x" })) })), (e: Error) => /TooManyEntriesInBatchRequest/.test(e.name));
    const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl: url("work"), AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(counts.Attributes?.ApproximateNumberOfMessages, "1");
    await client.send(new ReceiveMessageCommand({ QueueUrl: url("work") })).then((r) => client.send(new DeleteMessageCommand({ QueueUrl: url("work"), ReceiptHandle: r.Messages![0].ReceiptHandle })));
  });

  it("refuses a whole batch whose messages together exceed 1 MiB (BatchRequestTooLong), sending none of it", async () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html: "The total size
    // of all messages sent in a single SendMessageBatch call cannot exceed 1,048,576 bytes (1 MiB)".
    const quarter = "x".repeat(262_144);
    await assert.rejects(
      client.send(new SendMessageBatchCommand({ QueueUrl: url("work-dlq"), Entries: [1, 2, 3, 4, 5].map((i) => ({ Id: `e${i}`, MessageBody: quarter })) })),
      (e: Error) => e.name === "BatchRequestTooLong" && /cannot be longer than 1048576 bytes/.test(e.message),
    );
    const fits = await client.send(new SendMessageBatchCommand({ QueueUrl: url("work-dlq"), Entries: [1, 2, 3].map((i) => ({ Id: `e${i}`, MessageBody: quarter })) }));
    assert.equal(fits.Successful?.length, 3);
    const counts = await client.send(new GetQueueAttributesCommand({ QueueUrl: url("work-dlq"), AttributeNames: ["ApproximateNumberOfMessages"] }));
    assert.equal(counts.Attributes?.ApproximateNumberOfMessages, "3", "nothing of the refused batch was sent");
    await client.send(new PurgeQueueCommand({ QueueUrl: url("work-dlq") }));
  });

  it("takes a message of 1 MiB, SQS's current largest, on a queue with the default maximum size", async () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html
    await client.send(new SendMessageCommand({ QueueUrl: url("work-dlq"), MessageBody: "x".repeat(1_048_576) }));
    await assert.rejects(client.send(new SendMessageCommand({ QueueUrl: url("work-dlq"), MessageBody: "x".repeat(1_048_577) })), (e: Error) => e.name === "InvalidParameterValue");
    await client.send(new PurgeQueueCommand({ QueueUrl: url("work-dlq") }));
  });

  it("keeps a FIFO group in order: nothing more of a group while some of it is in flight, duplicates dropped", async () => {
    for (const body of ["a1", "a2", "b1", "a1"]) {
      await client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: body, MessageGroupId: body[0] }));
    }
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 2 }));
    assert.deepEqual(first.Messages?.map((m) => m.Body), ["a1", "a2"], "a group's messages in order; the second a1 was a duplicate");
    const blocked = await client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: "a3", MessageGroupId: "a" })).then(() =>
      client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 10 })),
    );
    assert.deepEqual(blocked.Messages?.map((m) => m.Body), ["b1"], "group a waits while a1 and a2 are in flight");
    for (const m of first.Messages!) await client.send(new DeleteMessageCommand({ QueueUrl: url("orders.fifo"), ReceiptHandle: m.ReceiptHandle }));
    const second = await client.send(new ReceiveMessageCommand({ QueueUrl: url("orders.fifo"), MaxNumberOfMessages: 10 }));
    assert.deepEqual(second.Messages?.map((m) => m.Body), ["a3"]);
    await assert.rejects(client.send(new SendMessageCommand({ QueueUrl: url("orders.fifo"), MessageBody: "no group" })), (e: Error) => e.name === "MissingParameter");
  });
});

/** A clock the test moves by hand: the queue's time, without waiting for it. */
class ManualClock extends Clock {
  private time = Date.parse("2026-12-07T12:00:00Z");

  override now(): number {
    return this.time;
  }

  advance(seconds: number): void {
    this.time += seconds * 1000;
  }
}

describe("local cloud: SQS timing rules, on a clock moved by hand", () => {
  const DLQ = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
  let clock: ManualClock;
  let sqs: SqsService;
  const receive = (name: string, visibility?: number): ReceivedMessage[] => {
    const queue = sqs.queue(DLQ(name));
    // No long poll: a receive answers at once with what is visible now.
    return (queue as unknown as { take(max: number, visibility: number): ReceivedMessage[] }).take(10, visibility ?? queue.spec.visibilityTimeoutSeconds);
  };

  beforeEach(() => {
    clock = new ManualClock();
    sqs = new SqsService(
      [
        queueSpec("jobs", { redrive: { deadLetterTargetArn: DLQ("jobs-dlq"), maxReceiveCount: 1 }, messageRetentionSeconds: 4 * 86400 }),
        queueSpec("jobs-dlq", { messageRetentionSeconds: 4 * 86400 }),
        queueSpec("jobs.fifo", { contentBasedDeduplication: true, redrive: { deadLetterTargetArn: DLQ("jobs-dlq.fifo"), maxReceiveCount: 1 }, messageRetentionSeconds: 4 * 86400 }),
        queueSpec("jobs-dlq.fifo", { contentBasedDeduplication: true, messageRetentionSeconds: 4 * 86400 }),
      ],
      "http://127.0.0.1:1",
      clock,
    );
  });
  afterEach(() => sqs.close());

  /** Sends to the queue, lets a day pass with the message received once, and moves it to the DLQ by receiving again. */
  function deadLetterAfterADay(queue: string): void {
    sqs.send(DLQ(queue), { body: "job", ...(queue.endsWith(".fifo") ? { messageGroupId: "g" } : {}) });
    assert.equal(receive(queue, 30).length, 1);
    clock.advance(86400);
    assert.deepEqual(receive(queue), [], "the second receive moves the message to the DLQ");
  }

  it("a standard queue's message keeps counting its retention from its first enqueue in the DLQ", () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/setting-up-dead-letter-queue-retention.html:
    // "assume that a message spends 1 day in the original queue ... the message is deleted from the dead-letter queue after 3 days".
    deadLetterAfterADay("jobs");
    const dlq = sqs.queue(DLQ("jobs-dlq"));
    assert.equal(dlq.peek().length, 1);
    clock.advance(3 * 86400 - 60);
    assert.equal(dlq.peek().length, 1, "still there just before 3 days in the DLQ");
    clock.advance(120);
    assert.equal(dlq.peek().length, 0, "expired 4 days after its first enqueue");
  });

  it("a FIFO queue's message counts its retention afresh from the move ('the enqueue timestamp resets')", () => {
    deadLetterAfterADay("jobs.fifo");
    const dlq = sqs.queue(DLQ("jobs-dlq.fifo"));
    clock.advance(3 * 86400 + 60);
    assert.equal(dlq.peek().length, 1, "in the same example, deleted from the dead-letter queue only after 4 days");
    const sent = Number(dlq.peek()[0].sentTimestamp);
    assert.equal(sent, Date.parse("2026-12-07T12:00:00Z"), "its SentTimestamp is still the original one");
    clock.advance(86400);
    assert.equal(dlq.peek().length, 0);
  });

  it("refuses ChangeMessageVisibility past 12 hours from the receive, and allows up to it", () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html:
    // "If you try to extend the visibility timeout beyond the maximum, your request is rejected."
    sqs.send(DLQ("jobs-dlq"), { body: "long job" });
    const [received] = receive("jobs-dlq", 4 * 3600);
    const queue = sqs.queue(DLQ("jobs-dlq"));
    clock.advance(3 * 3600);
    queue.changeVisibility(received.receiptHandle, 9 * 3600); // ends exactly 12 hours after the receive
    clock.advance(3600);
    assert.throws(
      () => queue.changeVisibility(received.receiptHandle, 9 * 3600),
      (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterValue" && /beyond the limit \[43200 seconds\]/.test(e.message),
    );
    queue.changeVisibility(received.receiptHandle, 8 * 3600);
    const [again] = (clock.advance(8 * 3600 + 1), receive("jobs-dlq", 60));
    assert.ok(again, "visible again once the last accepted timeout ended");
    clock.advance(30);
    queue.changeVisibility(again.receiptHandle, 43200 - 30); // a new receive starts a new 12 hours
  });

  it("drops a FIFO duplicate for five minutes after the first send, and takes it again after", () => {
    // "If a message with a particular message deduplication ID is sent successfully, any messages sent with the same
    // message deduplication ID are accepted successfully but aren't delivered during the 5-minute deduplication
    // interval." https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/using-messagededuplicationid-property.html
    const fifo = DLQ("jobs-dlq.fifo");
    const first = sqs.send(fifo, { body: "same", messageGroupId: "g" });
    clock.advance(299);
    assert.equal(sqs.send(fifo, { body: "same", messageGroupId: "g" }).messageId, first.messageId, "a duplicate answers with the first message");
    assert.equal(sqs.queue(fifo).peek().length, 1);
    clock.advance(2);
    assert.notEqual(sqs.send(fifo, { body: "same", messageGroupId: "g" }).messageId, first.messageId);
    assert.equal(sqs.queue(fifo).peek().length, 2);
  });

  it("delays a standard queue's message by its own DelaySeconds, and refuses more than 900 or a visibility above 12 hours", () => {
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-timers.html
    sqs.send(DLQ("jobs-dlq"), { body: "later", delaySeconds: 120 });
    assert.deepEqual(receive("jobs-dlq"), []);
    clock.advance(119);
    assert.deepEqual(receive("jobs-dlq"), []);
    clock.advance(1);
    assert.deepEqual(receive("jobs-dlq").map((r) => r.message.body), ["later"]);
    assert.throws(() => sqs.send(DLQ("jobs-dlq"), { body: "x", delaySeconds: 901 }), (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterValue");
    return assert.rejects(sqs.queue(DLQ("jobs-dlq")).receive({ visibilityTimeoutSeconds: 43201, waitTimeSeconds: 0 }), (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterValue");
  });

  it("unblocks a FIFO message group once its in-flight message's visibility timeout expires", () => {
    // A group with a message in flight hands out nothing else; when that message is neither deleted nor extended, it
    // becomes visible again and is the group's next message (FIFO-queues-understanding-logic.html).
    const fifo = queueSpec("plain.fifo", { contentBasedDeduplication: true });
    sqs = new SqsService([fifo], "http://127.0.0.1:1", clock);
    sqs.send(fifo.arn, { body: "a1", messageGroupId: "a" });
    sqs.send(fifo.arn, { body: "a2", messageGroupId: "a" });
    const take = (max: number) => (sqs.queue(fifo.arn) as unknown as { take(max: number, visibility: number): ReceivedMessage[] }).take(max, 30).map((r) => r.message.body);
    assert.deepEqual(take(1), ["a1"]);
    assert.deepEqual(take(10), [], "a2 waits while a1 is in flight");
    clock.advance(29);
    assert.deepEqual(take(10), []);
    clock.advance(2);
    assert.deepEqual(take(10), ["a1", "a2"], "a1 comes back first, then the group goes on");
  });
});
