import { strict as assert } from "node:assert";
import { DeadLetterQueue } from "../../components/dead-letter-queue";
import { EventBus } from "../../components/event-bus";
import type { EventPattern } from "../../components/event-pattern";
import { Queue, type QueueArgs, type QueueSubscribeArgs } from "../../components/queue";
import { Topic } from "../../components/topic";
import { testFunction, testRole } from "../helpers/doubles";
import { grantsOf, QUEUE, queueArnOf, queuePolicyStatements, serviceAllow, sqsQueueOf, thrownBy, tlsDeny } from "../helpers/queue-policies";
import { mockRun, type MockedRun } from "../helpers/pulumi";

const QUEUE_COMPONENT = "orderflow:messaging:Queue";
const DLQ = "orderflow:messaging:DeadLetterQueue";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const REDRIVE_ALLOW = "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const SEND = ["sqs:SendMessage"];
const CONSUME = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"];
const POLL = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"];

function redriveOf(run: MockedRun, name: string): unknown {
  const policy = sqsQueueOf(run, name).inputs.redrivePolicy;
  return policy === undefined ? undefined : JSON.parse(String(policy));
}

function redriveSources(run: MockedRun, dlqName: string): unknown {
  return JSON.parse(String(run.one(REDRIVE_ALLOW, `${dlqName}RedriveAllowPolicy`).inputs.redriveAllowPolicy));
}

/** Builds a queue with `args` inside a program, expecting a throw; returns the message and whether anything was created. */
async function rejection(args: QueueArgs): Promise<{ message: string; created: number }> {
  let error: Error | undefined;
  const run = await mockRun(() => {
    error = thrownBy(() => new Queue("orders", args));
  });
  return { message: error!.message, created: run.ofType(QUEUE_COMPONENT).length + run.ofType(QUEUE).length };
}

describe("components/queue Queue", () => {
  describe("defaults", () => {
    it("a standard, SQS-encrypted, long-polling queue with a 30 s visibility timeout and a TLS-only policy", async () => {
      const run = await mockRun(() => {
        new Queue("orders");
      });
      const component = run.one(QUEUE_COMPONENT, "orders");
      const queue = sqsQueueOf(run, "orders");
      assert.equal(queue.parent, component.urn);
      assert.equal(queue.inputs.fifoQueue, undefined);
      assert.equal(queue.inputs.sqsManagedSseEnabled, true);
      assert.equal(queue.inputs.kmsMasterKeyId, undefined);
      assert.equal(queue.inputs.receiveWaitTimeSeconds, 20);
      assert.equal(queue.inputs.visibilityTimeoutSeconds, 30);
      assert.equal(queue.inputs.tags, undefined);
      assert.deepEqual(queuePolicyStatements(run, "orders"), [tlsDeny("sqs:*", String(queue.outputs.arn))]);
      assert.equal(component.outputs.arn, queue.outputs.arn);
      assert.equal(component.outputs.url, queue.outputs.url);
      assert.equal(component.outputs.queueName, queue.outputs.name);
    });

    it("a DeadLetterQueue child kept 14 days, after 5 receives, whose redrive-allow admits only this queue", async () => {
      const run = await mockRun(() => {
        new Queue("orders", { alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms" });
      });
      const dlq = run.one(DLQ, "ordersDlq");
      assert.equal(dlq.parent, run.one(QUEUE_COMPONENT).urn);
      const dlqArn = queueArnOf(run, "ordersDlq");
      assert.equal(sqsQueueOf(run, "ordersDlq").inputs.messageRetentionSeconds, 1_209_600);
      assert.equal(sqsQueueOf(run, "ordersDlq").inputs.sqsManagedSseEnabled, true);
      assert.deepEqual(redriveOf(run, "orders"), { deadLetterTargetArn: dlqArn, maxReceiveCount: 5 });
      assert.deepEqual(redriveSources(run, "ordersDlq"), { redrivePermission: "byQueue", sourceQueueArns: [queueArnOf(run, "orders")] });
      assert.deepEqual(run.one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:alarms"]);
      assert.equal(run.one(QUEUE_COMPONENT).outputs.deadLetterQueueArn, dlqArn);
    });
  });

  describe("dead-letter options", () => {
    it("takes a maxReceiveCount", async () => {
      const run = await mockRun(() => {
        new Queue("orders", { deadLetter: { maxReceiveCount: 3 } });
      });
      assert.deepEqual(redriveOf(run, "orders"), { deadLetterTargetArn: queueArnOf(run, "ordersDlq"), maxReceiveCount: 3 });
    });

    it("uses an existing dead-letter queue, creates none, and lists every queue sharing it in its redrive-allow", async () => {
      const run = await mockRun(() => {
        const shared = new DeadLetterQueue("sharedDlq");
        new Queue("orders", { deadLetter: { queue: shared } });
        new Queue("returns", { deadLetter: { queue: shared, maxReceiveCount: 2 } });
      });
      assert.deepEqual(run.ofType(DLQ).map((r) => r.name), ["sharedDlq"]);
      const shared = queueArnOf(run, "sharedDlq");
      assert.deepEqual(redriveOf(run, "orders"), { deadLetterTargetArn: shared, maxReceiveCount: 5 });
      assert.deepEqual(redriveOf(run, "returns"), { deadLetterTargetArn: shared, maxReceiveCount: 2 });
      assert.deepEqual(redriveSources(run, "sharedDlq"), {
        redrivePermission: "byQueue",
        sourceQueueArns: [queueArnOf(run, "orders"), queueArnOf(run, "returns")],
      });
    });

    it("opts out with deadLetter: false and a reason, kept as the orderflow:dead-letter-opt-out tag", async () => {
      const reason = "Replayed from the EventBridge archive on failure";
      const run = await mockRun(() => {
        new Queue("audit", { deadLetter: false, deadLetterOptOutReason: reason });
      });
      assert.equal(run.ofType(DLQ).length, 0);
      assert.equal(redriveOf(run, "audit"), undefined);
      assert.deepEqual(sqsQueueOf(run, "audit").inputs.tags, { "orderflow:dead-letter-opt-out": reason });
      assert.equal(run.one(QUEUE_COMPONENT).outputs.deadLetterQueueArn, undefined);
    });

    it("refuses to opt out without a reason, naming the option and the fix, before creating anything", async () => {
      const { message, created } = await rejection({ deadLetter: false });
      assert.match(message, /^Queue "orders": `deadLetter: false` needs `deadLetterOptOutReason`/);
      assert.match(message, /at least 10 characters/);
      assert.match(message, /none was provided/);
      assert.equal(created, 0);
    });

    it("refuses a reason under 10 characters, one a tag cannot hold, and a reason without the opt-out", async () => {
      assert.match((await rejection({ deadLetter: false, deadLetterOptOutReason: "  because " })).message, /`deadLetterOptOutReason`.*" {2}because " was provided/);
      assert.match(
        (await rejection({ deadLetter: false, deadLetterOptOutReason: "it's replayed, always" })).message,
        /`deadLetterOptOutReason` becomes a tag value/,
      );
      assert.match(
        (await rejection({ deadLetterOptOutReason: "Replayed from the archive" })).message,
        /`deadLetterOptOutReason` only applies with `deadLetter: false`/,
      );
    });

    describe("refuses a non-positive or out-of-range maxReceiveCount, before creating anything", () => {
      const counts = [0, -1, 2.5, 1001];
      const errors = new Map<number, Error>();
      let created = -1;
      before(async () => {
        // One program for every case: each construction fails before registering anything.
        const run = await mockRun(() => {
          for (const count of counts) errors.set(count, thrownBy(() => new Queue("orders", { deadLetter: { maxReceiveCount: count } })));
        });
        created = run.ofType(QUEUE_COMPONENT).length + run.ofType(QUEUE).length;
      });
      for (const count of counts) {
        it(`${count}`, () => {
          assert.equal(
            errors.get(count)!.message,
            `Queue "orders": \`deadLetter.maxReceiveCount\` must be a positive integer from 1 to 1000 (receives before a message is dead-lettered), but ${count} was provided.`,
          );
          assert.equal(created, 0);
        });
      }
    });

    it("refuses a dead-letter queue whose FIFO-ness differs from the queue's", async () => {
      let error: Error | undefined;
      await mockRun(() => {
        const standard = new DeadLetterQueue("standardDlq");
        error = thrownBy(() => new Queue("payments", { fifo: true, deadLetter: { queue: standard } }));
      });
      assert.match(error!.message, /`deadLetter.queue` must be a FIFO queue like this one, but standard queue "standardDlq" was provided/);
    });
  });

  describe("FIFO and encryption", () => {
    it("a FIFO queue with content-based deduplication gets a FIFO dead-letter queue", async () => {
      const run = await mockRun(() => {
        new Queue("payments", { fifo: true, contentBasedDeduplication: true });
      });
      const queue = sqsQueueOf(run, "payments");
      assert.equal(queue.inputs.fifoQueue, true);
      assert.equal(queue.inputs.contentBasedDeduplication, true);
      assert.equal(sqsQueueOf(run, "paymentsDlq").inputs.fifoQueue, true);
    });

    it("refuses content-based deduplication on a standard queue", async () => {
      assert.match((await rejection({ contentBasedDeduplication: true })).message, /`contentBasedDeduplication` only applies to FIFO queues/);
    });

    it("encrypts the queue and its dead-letter queue with a given customer key", async () => {
      const run = await mockRun(() => {
        new Queue("orders", { kmsKeyArn: KEY });
      });
      for (const name of ["orders", "ordersDlq"]) {
        assert.equal(sqsQueueOf(run, name).inputs.kmsMasterKeyId, KEY);
        assert.equal(sqsQueueOf(run, name).inputs.sqsManagedSseEnabled, undefined);
      }
    });
  });

  describe("grants", () => {
    it("send, consume and poll give exactly the listed actions on the queue ARN, and nothing else", async () => {
      const run = await mockRun(() => {
        const queue = new Queue("orders");
        queue.grantSend(testRole("sender"));
        queue.grantConsume(testRole("consumer"));
        queue.grantPoll(testRole("poller"));
      });
      const arn = queueArnOf(run, "orders");
      assert.deepEqual(grantsOf(run, "sender"), [{ actions: SEND, resources: [arn] }]);
      assert.deepEqual(grantsOf(run, "consumer"), [{ actions: CONSUME, resources: [arn] }]);
      assert.deepEqual(grantsOf(run, "poller"), [{ actions: POLL, resources: [arn] }]);
    });

    it("add the KMS actions on the customer key, only when there is one", async () => {
      const run = await mockRun(() => {
        const queue = new Queue("orders", { kmsKeyArn: KEY });
        queue.grantSend(testRole("sender"));
        queue.grantConsume(testRole("consumer"));
      });
      const arn = queueArnOf(run, "orders");
      assert.deepEqual(grantsOf(run, "sender"), [
        { actions: SEND, resources: [arn] },
        { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
      ]);
      assert.deepEqual(grantsOf(run, "consumer"), [
        { actions: CONSUME, resources: [arn] },
        { actions: ["kms:Decrypt"], resources: [KEY] },
      ]);
    });

    it("an imported queue grants the same on its ARN, and refuses statements: its owner holds the policy", async () => {
      const arn = "arn:aws:sqs:us-east-1:123456789012:orders-abc";
      let error: Error | undefined;
      const run = await mockRun(() => {
        const queue = Queue.fromAttributes("orders", { arn, url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders-abc", kmsKeyArn: KEY });
        queue.grantSend(testRole("sender"));
        queue.grantConsume(testRole("consumer"));
        error = thrownBy(() => queue.addToResourcePolicy({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: arn }));
      });
      assert.equal(run.ofType(QUEUE).length, 0);
      assert.deepEqual(grantsOf(run, "sender"), [
        { actions: SEND, resources: [arn] },
        { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [KEY] },
      ]);
      assert.deepEqual(grantsOf(run, "consumer"), [
        { actions: CONSUME, resources: [arn] },
        { actions: ["kms:Decrypt"], resources: [KEY] },
      ]);
      assert.match(error!.message, /^Queue "orders": is imported, and its queue policy belongs to the stack that owns it/);
    });
  });

  describe("resource policy", () => {
    it("holds the statements of every producer (a bus rule, a topic, a direct call) in its one queue policy", async () => {
      const run = await mockRun(() => {
        const queue = new Queue("shipping");
        new EventBus("orders").subscribeQueue("confirmedToShipping", { source: ["orderflow.checkout"] }, queue);
        new Topic("notifications").subscribeQueue(queue);
        queue.addToResourcePolicy({
          Sid: "AuditAccount",
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::210987654321:root" },
          Action: "sqs:GetQueueAttributes",
          Resource: "arn:aws:sqs:us-east-1:123456789012:shipping",
        });
      });
      const arn = queueArnOf(run, "shipping");
      const rule = String(run.one("aws:cloudwatch/eventRule:EventRule").outputs.arn);
      const topic = String(run.one("aws:sns/topic:Topic").outputs.arn);
      const statements = queuePolicyStatements(run, "shipping");
      assert.deepEqual(statements[0], tlsDeny("sqs:*", arn));
      assert.deepEqual(statements.slice(1, 3), [
        serviceAllow("events.amazonaws.com", "sqs:SendMessage", arn, rule),
        serviceAllow("sns.amazonaws.com", "sqs:SendMessage", arn, topic),
      ]);
      assert.equal(statements[3].Sid, "AuditAccount");
      assert.equal(statements.length, 4);
    });

    it("refuses statements added after the program's setup, naming the queue", async () => {
      let late: Promise<Error> | undefined;
      await mockRun(() => {
        const queue = new Queue("orders");
        late = new Promise((resolve) =>
          // Queued after the queue's own seal, so it runs once setup is over (a timer could fire first on a busy loop).
          setImmediate(() => resolve(thrownBy(() => queue.addToResourcePolicy({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "x" })))),
        );
      });
      assert.match((await late!).message, /^Queue "orders": its queue policy statements were already fixed/);
    });
  });

  describe("subscribe", () => {
    it("maps the queue to the function with ReportBatchItemFailures and batches of 10, after granting it consume", async () => {
      const run = await mockRun(() => {
        new Queue("shipping").subscribe(testFunction("createShipment", 20));
      });
      const mapping = run.one(MAPPING, "shippingSubscriberCreateShipment");
      const arn = queueArnOf(run, "shipping");
      assert.equal(mapping.parent, run.one(QUEUE_COMPONENT).urn);
      assert.equal(mapping.inputs.eventSourceArn, arn);
      assert.equal(mapping.inputs.functionName, run.one("aws:lambda/function:Function").outputs.name);
      assert.deepEqual(mapping.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
      assert.equal(mapping.inputs.batchSize, 10);
      assert.equal(mapping.inputs.scalingConfig, undefined);
      assert.equal(mapping.inputs.filterCriteria, undefined);
      // What Lambda's event source mapping polls with (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).
      assert.deepEqual(grantsOf(run, "createShipmentRole"), [{ actions: POLL, resources: [arn] }]);
      const consume = run.one("aws:iam/rolePolicy:RolePolicy");
      assert.ok(mapping.dependencies.includes(consume.urn), "the mapping must wait for the consume grant");
    });

    it("takes batch size, batching window, filters and maximum concurrency", async () => {
      const filters: EventPattern[] = [{ body: { "detail-type": ["OrderConfirmed"] } }, { body: { priority: [{ numeric: [">", 5] }] } }];
      const run = await mockRun(() => {
        new Queue("shipping").subscribe(testFunction("createShipment"), { batchSize: 100, maxBatchingWindow: 5, filters, maxConcurrency: 50 });
      });
      const mapping = run.one(MAPPING);
      assert.equal(mapping.inputs.batchSize, 100);
      assert.equal(mapping.inputs.maximumBatchingWindowInSeconds, 5);
      assert.deepEqual(mapping.inputs.scalingConfig, { maximumConcurrency: 50 });
      assert.deepEqual(mapping.inputs.filterCriteria, { filters: filters.map((f) => ({ pattern: JSON.stringify(f) })) });
    });

    it("caps a subscription's concurrency at its function's reserved concurrency, so the pollers never outrun it", async () => {
      const run = await mockRun(() => {
        new Queue("shipping").subscribe(testFunction("createShipment", 10, 50));
      });
      assert.deepEqual(run.one(MAPPING).inputs.scalingConfig, { maximumConcurrency: 50 });
    });

    it("shares a reservation between a function's subscriptions, and refuses what does not fit, naming the numbers", async () => {
      let overflow: Error | undefined;
      const run = await mockRun(() => {
        const fn = testFunction("sendEmail", 10, 10);
        new Queue("email").subscribe(fn, { maxConcurrency: 4 });
        new Queue("digest").subscribe(fn);
        overflow = thrownBy(() => new Queue("late").subscribe(fn));
      });
      const byQueue = (name: string) => run.ofType(MAPPING).find((m) => m.name.startsWith(name))?.inputs.scalingConfig;
      assert.deepEqual(byQueue("email"), { maximumConcurrency: 4 });
      assert.deepEqual(byQueue("digest"), { maximumConcurrency: 6 });
      assert.match(overflow!.message, /function "sendEmail" reserves 10 concurrent executions, of which its other queue subscriptions take 10/);
      const tooMuch = await mockRun(() => {
        overflow = thrownBy(() => new Queue("shipping").subscribe(testFunction("createShipment", 10, 20), { maxConcurrency: 30 }));
      });
      assert.equal(tooMuch.ofType(MAPPING).length, 0);
      assert.match(overflow!.message, /`maxConcurrency` is 30, but function "createShipment" reserves 20 concurrent executions: set it to 20 or less/);
    });

    it("refuses a function that reserves less than Lambda's minimum maximum concurrency of 2", async () => {
      let error: Error | undefined;
      await mockRun(() => {
        error = thrownBy(() => new Queue("shipping").subscribe(testFunction("createShipment", 10, 1)));
      });
      assert.match(error!.message, /reserves 1 concurrent executions, and a queue subscription needs a maximum concurrency of at least 2/);
    });

    it("sizes the visibility timeout to 6 x the longest subscriber timeout", async () => {
      const run = await mockRun(() => {
        const queue = new Queue("shipping");
        queue.subscribe(testFunction("fast", 10));
        queue.subscribe(testFunction("slow", 40));
      });
      assert.equal(sqsQueueOf(run, "shipping").inputs.visibilityTimeoutSeconds, 240);
    });

    it("keeps an explicit visibility timeout that covers 6 x the subscriber's timeout", async () => {
      const run = await mockRun(() => {
        new Queue("shipping", { visibilityTimeoutSeconds: 300 }).subscribe(testFunction("worker", 50));
      });
      assert.equal(sqsQueueOf(run, "shipping").inputs.visibilityTimeoutSeconds, 300);
    });

    it("refuses an explicit visibility timeout shorter than 6 x the consumer's timeout, naming option, value, consumer and minimum", async () => {
      let error: Error | undefined;
      const run = await mockRun(() => {
        const queue = new Queue("shipping", { visibilityTimeoutSeconds: 60 });
        const worker = testFunction("createShipment", 30);
        error = thrownBy(() => queue.subscribe(worker));
      });
      assert.equal(
        error!.message,
        'Queue "shipping": `visibilityTimeoutSeconds` is 60 seconds, but consumer "createShipment" has a 30-second timeout, so it ' +
          "must be at least 180 seconds (6 x the function's timeout plus the batching window, AWS's guidance for Lambda consumers). " +
          "Raise it to 180 or more, " +
          "or leave it out to size it from the subscribers.",
      );
      assert.equal(run.ofType(MAPPING).length, 0);
      assert.equal(run.ofType("aws:iam/rolePolicy:RolePolicy").length, 0, "no grant for a refused subscription");
    });

    it("adds the batching window to the visibility timeout, as AWS advises for Lambda consumers", async () => {
      let error: Error | undefined;
      const run = await mockRun(() => {
        new Queue("shipping").subscribe(testFunction("createShipment", 10), { maxBatchingWindow: 5 });
        error = thrownBy(() => new Queue("labels", { visibilityTimeoutSeconds: 60 }).subscribe(testFunction("printLabel", 10), { maxBatchingWindow: 5 }));
      });
      assert.equal(run.one("aws:sqs/queue:Queue", "shippingQueue").inputs.visibilityTimeoutSeconds, 65);
      assert.match(error!.message, /must be at least 65 seconds/);
    });

    const invalid: [string, QueueSubscribeArgs, RegExp, boolean?][] = [
      ["a batch size of 0", { batchSize: 0 }, /`batchSize` must be an integer from 1 to 10000, but 0 was provided/],
      ["a batch size of 10001", { batchSize: 10_001, maxBatchingWindow: 1 }, /`batchSize` must be an integer from 1 to 10000, but 10001 was provided/],
      ["a batch size of 11 on a FIFO queue", { batchSize: 11 }, /`batchSize` must be an integer from 1 to 10, but 11 was provided/, true],
      ["a batch size above 10 without a batching window", { batchSize: 11 }, /`batchSize` 11 is above 10.*`maxBatchingWindow` of at least 1 second/],
      ["a batching window of 301 s", { maxBatchingWindow: 301 }, /`maxBatchingWindow` must be an integer from 0 to 300 seconds, but 301 was provided/],
      ["a batching window on a FIFO queue", { maxBatchingWindow: 5 }, /`maxBatchingWindow` is not supported for FIFO queues/, true],
      ["a maximum concurrency of 1", { maxConcurrency: 1 }, /`maxConcurrency` must be an integer from 2 to 1000, but 1 was provided/],
      ["a maximum concurrency of 1001", { maxConcurrency: 1001 }, /`maxConcurrency` must be an integer from 2 to 1000, but 1001 was provided/],
      ["six filters", { filters: Array.from({ length: 6 }, (_, i) => ({ body: { n: [i] } })) }, /`filters` can hold at most 5 patterns, but 6 were provided/],
      ["an empty filter", { filters: [{}] }, /`filters\[0\]` is not a valid Lambda filter pattern: \(pattern\) is empty/],
    ];
    describe("refuses invalid options, before creating the mapping", () => {
      const errors: Error[] = [];
      let mappings = -1;
      before(async () => {
        // One program for every case: each subscribe() fails before registering anything.
        const run = await mockRun(() => {
          const standard = new Queue("shipping");
          const fifo = new Queue("payments", { fifo: true });
          invalid.forEach(([, args, , isFifo], i) => {
            const worker = testFunction(`worker${i}`);
            errors.push(thrownBy(() => (isFifo ? fifo : standard).subscribe(worker, args)));
          });
        });
        mappings = run.ofType(MAPPING).length;
      });
      invalid.forEach(([what, , message, isFifo], i) => {
        it(what, () => {
          assert.match(errors[i].message, isFifo ? /^Queue "payments": / : /^Queue "shipping": /);
          assert.match(errors[i].message, message);
          assert.equal(mappings, 0);
        });
      });
    });

    it("refuses a subscription after the program's setup", async () => {
      let late: Promise<Error> | undefined;
      await mockRun(() => {
        const queue = new Queue("shipping");
        const worker = testFunction("worker");
        late = new Promise((resolve) => setImmediate(() => resolve(thrownBy(() => queue.subscribe(worker)))));
      });
      assert.match((await late!).message, /^Queue "shipping": its subscribers' minimum visibility timeouts were already fixed/);
    });
  });
});
