import { strict as assert } from "node:assert";
import { DeadLetterQueue } from "../../components/dead-letter-queue";
import { testRole } from "../helpers/doubles";
import { grantsOf, QUEUE, queueArnOf, queuePolicyStatements, serviceAllow, sqsQueueOf, thrownBy, tlsDeny } from "../helpers/queue-policies";
import { mockRun, valueOf } from "../helpers/pulumi";

const DLQ = "orderflow:messaging:DeadLetterQueue";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";
const ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const SEND = ["sqs:SendMessage"];
const CONSUME = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"];

describe("components/dead-letter-queue DeadLetterQueue", () => {
  it("by default: SQS-managed SSE, 14 days, standard, tagged as a DLQ, a TLS-only policy and an alarm without actions", async () => {
    const run = await mockRun(() => {
      new DeadLetterQueue("ordersDlq");
    });
    const component = run.one(DLQ, "ordersDlq");
    const queue = sqsQueueOf(run, "ordersDlq");
    assert.equal(queue.parent, component.urn);
    assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.inputs.kmsMasterKeyId, undefined);
    assert.equal(queue.inputs.messageRetentionSeconds, 1_209_600);
    assert.equal(queue.inputs.fifoQueue, undefined);
    assert.deepEqual(queue.inputs.tags, { "orderflow:role": "dead-letter-queue" });
    assert.deepEqual(queuePolicyStatements(run, "ordersDlq"), [tlsDeny("sqs:*", String(queue.outputs.arn))]);
    assert.equal(run.ofType(REDRIVE_ALLOW).length, 0, "no redrive-allow policy until a source is named");

    const alarm = run.one(ALARM, "ordersDlqAlarm");
    assert.equal(alarm.parent, component.urn);
    assert.equal(alarm.inputs.namespace, "AWS/SQS");
    assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
    assert.deepEqual(alarm.inputs.dimensions, { QueueName: queue.outputs.name });
    assert.equal(alarm.inputs.comparisonOperator, "GreaterThanThreshold");
    assert.equal(alarm.inputs.threshold, 0);
    assert.deepEqual(alarm.inputs.alarmActions, []);

    assert.equal(component.outputs.arn, queue.outputs.arn);
    assert.equal(component.outputs.url, queue.outputs.url);
    assert.equal(component.outputs.queueName, queue.outputs.name);
  });

  it("is FIFO for a FIFO source, uses a given customer key, keeps a given retention and alarms to the given topic", async () => {
    const run = await mockRun(() => {
      new DeadLetterQueue("paymentsDlq", { fifo: true, kmsKeyArn: KEY, messageRetentionSeconds: 86_400, alarmTopicArn: ALARM_TOPIC });
    });
    const queue = sqsQueueOf(run, "paymentsDlq");
    assert.equal(queue.inputs.fifoQueue, true);
    assert.ok(String(queue.outputs.name).endsWith(".fifo"));
    assert.equal(queue.inputs.kmsMasterKeyId, KEY);
    assert.equal(queue.inputs.sqsManagedSseEnabled, undefined);
    assert.equal(queue.inputs.messageRetentionSeconds, 86_400);
    assert.deepEqual(run.one(ALARM).inputs.alarmActions, [ALARM_TOPIC]);
  });

  it("puts the statements of several producers into its one queue policy, after the TLS deny", async () => {
    const ruleArn = "arn:aws:events:us-east-1:123456789012:rule/orders/orderConfirmed";
    const topicArn = "arn:aws:sns:us-east-1:123456789012:notifications";
    const run = await mockRun(() => {
      const dlq = new DeadLetterQueue("sharedDlq");
      const admit = (service: string, sourceArn: string) =>
        dlq.addToResourcePolicy(
          dlq.arn.apply((arn) => ({
            Effect: "Allow" as const,
            Principal: { Service: service },
            Action: "sqs:SendMessage",
            Resource: arn,
            Condition: { ArnEquals: { "aws:SourceArn": sourceArn } },
          })),
        );
      admit("events.amazonaws.com", ruleArn);
      admit("sns.amazonaws.com", topicArn);
    });
    const arn = queueArnOf(run, "sharedDlq");
    assert.deepEqual(queuePolicyStatements(run, "sharedDlq"), [
      tlsDeny("sqs:*", arn),
      serviceAllow("events.amazonaws.com", "sqs:SendMessage", arn, ruleArn),
      serviceAllow("sns.amazonaws.com", "sqs:SendMessage", arn, topicArn),
    ]);
  });

  it("admits redrive only from the source queues named, in one redrive-allow policy", async () => {
    const sources = ["arn:aws:sqs:us-east-1:123456789012:orders", "arn:aws:sqs:us-east-1:123456789012:returns"];
    const run = await mockRun(() => {
      const dlq = new DeadLetterQueue("sharedDlq");
      for (const source of sources) dlq.allowRedriveFrom(source);
    });
    const policy = run.one(REDRIVE_ALLOW, "sharedDlqRedriveAllowPolicy");
    assert.equal(policy.inputs.queueUrl, sqsQueueOf(run, "sharedDlq").outputs.url);
    assert.equal(policy.parent, run.one(DLQ).urn);
    assert.deepEqual(JSON.parse(String(policy.inputs.redriveAllowPolicy)), { redrivePermission: "byQueue", sourceQueueArns: sources });
  });

  it("grants exactly the send and consume actions on its ARN, and KMS actions on its key only when it has one", async () => {
    const run = await mockRun(() => {
      const plain = new DeadLetterQueue("plainDlq");
      const keyed = new DeadLetterQueue("keyedDlq", { kmsKeyArn: KEY });
      plain.grantSend(testRole("sender"));
      plain.grantConsume(testRole("consumer"));
      keyed.grantSend(testRole("keyedSender"));
      keyed.grantConsume(testRole("keyedConsumer"));
    });
    const plain = queueArnOf(run, "plainDlq");
    const keyed = queueArnOf(run, "keyedDlq");
    assert.deepEqual(grantsOf(run, "sender"), [{ actions: SEND, resources: [plain] }]);
    assert.deepEqual(grantsOf(run, "consumer"), [{ actions: CONSUME, resources: [plain] }]);
    assert.deepEqual(grantsOf(run, "keyedSender"), [
      { actions: SEND, resources: [keyed] },
      { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
    ]);
    assert.deepEqual(grantsOf(run, "keyedConsumer"), [
      { actions: CONSUME, resources: [keyed] },
      { actions: ["kms:Decrypt"], resources: [KEY] },
    ]);
  });

  it("refuses policy statements and redrive sources added after the program's setup, naming the queue", async () => {
    let late: Promise<Error[]> | undefined;
    await mockRun(() => {
      const dlq = new DeadLetterQueue("ordersDlq");
      dlq.allowRedriveFrom("arn:aws:sqs:us-east-1:123456789012:orders");
      // Queued after the queue's own seals, so it runs once setup is over (a timer could fire first on a busy loop).
      late = new Promise((resolve) =>
        setImmediate(() =>
          resolve([
            thrownBy(() => dlq.addToResourcePolicy({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: "x" })),
            thrownBy(() => dlq.allowRedriveFrom("arn:aws:sqs:us-east-1:123456789012:late")),
          ]),
        ),
      );
    });
    const [statement, source] = await late!;
    assert.match(statement.message, /DeadLetterQueue "ordersDlq": its queue policy statements were already fixed/);
    assert.match(source.message, /DeadLetterQueue "ordersDlq": its redrive source queues were already fixed/);
  });

  for (const retention of [59, 1_209_601, 90.5]) {
    it(`rejects a retention of ${retention} seconds before creating anything`, async () => {
      let error: Error | undefined;
      const run = await mockRun(() => {
        error = thrownBy(() => new DeadLetterQueue("ordersDlq", { messageRetentionSeconds: retention }));
      });
      assert.equal(
        error!.message,
        `DeadLetterQueue "ordersDlq": \`messageRetentionSeconds\` must be an integer from 60 to 1209600 seconds, but ${retention} was provided.`,
      );
      assert.equal(run.ofType(DLQ).length + run.ofType(QUEUE).length, 0);
    });
  }

  it("exposes its ARN and FIFO-ness for the components that dead-letter into it", async () => {
    let fifo: boolean | undefined;
    let arn: Promise<string> | undefined;
    const run = await mockRun(() => {
      const dlq = new DeadLetterQueue("ordersDlq", { fifo: true });
      fifo = dlq.fifo;
      arn = valueOf(dlq.arn);
    });
    assert.equal(fifo, true);
    assert.equal(await arn, queueArnOf(run, "ordersDlq"));
  });
});
