import { strict as assert } from "node:assert";
import { DeadLetterQueue } from "../../components/dead-letter-queue";
import { EventBus } from "../../components/event-bus";
import { Queue } from "../../components/queue";
import { Topic, type TopicArgs } from "../../components/topic";
import { testFunction, testRole } from "../helpers/doubles";
import {
  grantsOf,
  queueArnOf,
  queuePolicyStatements,
  serviceAllow,
  thrownBy,
  tlsDeny,
  TOPIC_POLICY,
} from "../helpers/queue-policies";
import { mockRun, parsePolicy, type IamStatement, type MockedRun } from "../helpers/pulumi";

const TOPIC = "aws:sns/topic:Topic";
const XRAY_POLICY = "aws:xray/resourcePolicy:ResourcePolicy";
const TOPIC_COMPONENT = "orderflow:messaging:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const DLQ = "orderflow:messaging:DeadLetterQueue";
const KMS_KEY = "aws:kms/key:Key";
const GIVEN_KEY = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";
const PUBLISH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"];

function topicArn(run: MockedRun): string {
  return String(run.one(TOPIC).outputs.arn);
}

function topicPolicyStatements(run: MockedRun): IamStatement[] {
  const policy = run.one(TOPIC_POLICY);
  assert.equal(policy.inputs.arn, topicArn(run));
  return parsePolicy(policy.inputs.policy).Statement;
}

function redriveTarget(run: MockedRun, subscriptionName: string): unknown {
  return JSON.parse(String(run.one(SUBSCRIPTION, subscriptionName).inputs.redrivePolicy)).deadLetterTargetArn;
}

async function rejection(args: TopicArgs): Promise<{ message: string; created: number }> {
  let error: Error | undefined;
  const run = await mockRun(() => {
    error = thrownBy(() => new Topic("orders", args));
  });
  return { message: error!.message, created: run.ofType(TOPIC_COMPONENT).length + run.ofType(TOPIC).length };
}

describe("components/topic Topic", () => {
  describe("defaults", () => {
    it("a standard topic under the AWS-managed SNS key, traced Active, with one TLS-only topic policy", async () => {
      const run = await mockRun(() => {
        new Topic("orders");
      });
      const component = run.one(TOPIC_COMPONENT, "orders");
      const topic = run.one(TOPIC, "ordersTopic");
      assert.equal(topic.parent, component.urn);
      assert.equal(topic.inputs.kmsMasterKeyId, "alias/aws/sns");
      assert.equal(topic.inputs.tracingConfig, "Active");
      assert.equal(topic.inputs.fifoTopic, undefined);
      assert.equal(run.ofType(KMS_KEY).length, 0);
      assert.deepEqual(topicPolicyStatements(run), [tlsDeny("sns:Publish", topicArn(run))]);
      assert.equal(component.outputs.arn, topic.outputs.arn);
      assert.equal(component.outputs.topicName, topic.outputs.name);
    });

    it("admits SNS in an X-Ray resource policy of its own when it traces, or tags the one it is given", async () => {
      const own = await mockRun(() => {
        new Topic("orders");
      });
      const policy = own.one(XRAY_POLICY, "ordersTracingPolicy");
      const arn = topicArn(own);
      assert.equal(policy.inputs.policyName, `sns-tracing-${own.one(TOPIC).outputs.name}`);
      assert.deepEqual(parsePolicy(policy.inputs.policyDocument).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnEquals: { "aws:SourceArn": arn } },
        },
      ]);
      const shared = await mockRun(() => {
        new Topic("orders", { xrayResourcePolicy: "orderflow-sns-active-tracing" });
      });
      assert.equal(shared.ofType(XRAY_POLICY).length, 0, "the account's policy is used, none is added");
      assert.deepEqual(shared.one(TOPIC).inputs.tags, { "orderflow:xray-resource-policy": "orderflow-sns-active-tracing" });
      const passThrough = await mockRun(() => {
        new Topic("orders", { tracing: "PassThrough" });
      });
      assert.equal(passThrough.ofType(XRAY_POLICY).length, 0);
    });

    it("a FIFO topic with content-based deduplication", async () => {
      const run = await mockRun(() => {
        new Topic("payments", { fifo: true, contentBasedDeduplication: true });
      });
      const topic = run.one(TOPIC);
      assert.equal(topic.inputs.fifoTopic, true);
      assert.equal(topic.inputs.contentBasedDeduplication, true);
    });

    it("refuses content-based deduplication on a standard topic, and both kmsKey and customerManagedKey", async () => {
      const dedup = await rejection({ contentBasedDeduplication: true });
      assert.match(dedup.message, /^Topic "orders": `contentBasedDeduplication` only applies to FIFO topics/);
      assert.equal(dedup.created, 0);
      const keys = await rejection({ kmsKey: GIVEN_KEY, customerManagedKey: true });
      assert.equal(keys.message, 'Topic "orders": Only one of `kmsKey` or `customerManagedKey` can be provided.');
      assert.equal(keys.created, 0);
    });
  });

  describe("subscribeQueue", () => {
    it("subscribes with filter policy, scope and raw delivery; the queue admits SNS only from this topic", async () => {
      const run = await mockRun(() => {
        const topic = new Topic("notifications");
        topic.subscribeQueue(new Queue("sms"), {
          filterPolicy: { "detail-type": ["OrderShipped"] },
          filterPolicyScope: "MessageBody",
          rawMessageDelivery: true,
        });
      });
      const subscription = run.one(SUBSCRIPTION, "notificationsToSms");
      const queue = queueArnOf(run, "sms");
      assert.equal(subscription.parent, run.one(TOPIC_COMPONENT).urn);
      assert.equal(subscription.inputs.topic, topicArn(run));
      assert.equal(subscription.inputs.protocol, "sqs");
      assert.equal(subscription.inputs.endpoint, queue);
      assert.equal(subscription.inputs.rawMessageDelivery, true);
      assert.deepEqual(JSON.parse(String(subscription.inputs.filterPolicy)), { "detail-type": ["OrderShipped"] });
      assert.equal(subscription.inputs.filterPolicyScope, "MessageBody");
      assert.deepEqual(queuePolicyStatements(run, "sms"), [
        tlsDeny("sqs:*", queue),
        serviceAllow("sns.amazonaws.com", "sqs:SendMessage", queue, topicArn(run)),
      ]);
    });

    it("gives the subscription its own dead-letter queue, which admits SNS only from this topic and alarms", async () => {
      const alarms = "arn:aws:sns:us-east-1:123456789012:alarms";
      const run = await mockRun(() => {
        new Topic("notifications", { alarmTopicArn: alarms }).subscribeQueue(new Queue("email", { deadLetter: false, deadLetterOptOutReason: "Kept short for this test" }));
      });
      const dlq = run.one(DLQ, "notificationsToEmailDlq");
      assert.equal(dlq.parent, run.one(TOPIC_COMPONENT).urn);
      const dlqArn = queueArnOf(run, "notificationsToEmailDlq");
      assert.equal(redriveTarget(run, "notificationsToEmail"), dlqArn);
      assert.deepEqual(queuePolicyStatements(run, "notificationsToEmailDlq"), [
        tlsDeny("sqs:*", dlqArn),
        serviceAllow("sns.amazonaws.com", "sqs:SendMessage", dlqArn, topicArn(run)),
      ]);
      assert.deepEqual(run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "notificationsToEmailDlqAlarm").inputs.alarmActions, [alarms]);
    });

    it("uses a given dead-letter queue for several subscriptions, admitting the topic once and creating none", async () => {
      const run = await mockRun(() => {
        const topic = new Topic("notifications");
        const dlq = new DeadLetterQueue("notificationsDlq");
        topic.subscribeQueue(new Queue("email"), { deadLetterQueue: dlq });
        topic.subscribeQueue(new Queue("sms"), { deadLetterQueue: dlq });
      });
      const dlqArn = queueArnOf(run, "notificationsDlq");
      assert.deepEqual(run.ofType(DLQ).map((r) => r.name).sort(), ["emailDlq", "notificationsDlq", "smsDlq"]);
      assert.equal(redriveTarget(run, "notificationsToEmail"), dlqArn);
      assert.equal(redriveTarget(run, "notificationsToSms"), dlqArn);
      assert.deepEqual(queuePolicyStatements(run, "notificationsDlq"), [
        tlsDeny("sqs:*", dlqArn),
        serviceAllow("sns.amazonaws.com", "sqs:SendMessage", dlqArn, topicArn(run)),
      ]);
    });

    it("delivers a FIFO topic to a FIFO queue, through a FIFO dead-letter queue", async () => {
      const run = await mockRun(() => {
        new Topic("payments", { fifo: true }).subscribeQueue(new Queue("ledger", { fifo: true }));
      });
      assert.equal(run.one(SUBSCRIPTION).inputs.endpoint, queueArnOf(run, "ledger"));
      assert.equal(run.one("aws:sqs/queue:Queue", "paymentsToLedgerDlqQueue").inputs.fifoQueue, true);
    });

    it("refuses a FIFO/standard mismatch in either direction, and a dead-letter queue of the wrong kind", async () => {
      const errors: Error[] = [];
      const run = await mockRun(() => {
        const standard = new Topic("orders");
        const fifo = new Topic("payments", { fifo: true });
        errors.push(thrownBy(() => standard.subscribeQueue(new Queue("ledger", { fifo: true }))));
        errors.push(thrownBy(() => fifo.subscribeQueue(new Queue("audit"))));
        errors.push(thrownBy(() => fifo.subscribeQueue(new Queue("ledger2", { fifo: true }), { deadLetterQueue: new DeadLetterQueue("plainDlq") })));
      });
      assert.match(errors[0].message, /^Topic "orders": a standard topic delivers to standard queues, but FIFO queue "ledger" was given to subscribeQueue/);
      assert.match(errors[1].message, /^Topic "payments": a FIFO topic delivers to FIFO queues, but standard queue "audit" was given to subscribeQueue/);
      assert.match(errors[2].message, /^Topic "payments": `deadLetterQueue` must be a FIFO queue for a FIFO topic's subscription, but standard queue "plainDlq"/);
      assert.equal(run.ofType(SUBSCRIPTION).length, 0);
    });

    it("refuses a filter scope without a filter policy, and an empty filter policy", async () => {
      const errors: Error[] = [];
      await mockRun(() => {
        const topic = new Topic("orders");
        errors.push(thrownBy(() => topic.subscribeQueue(new Queue("a"), { filterPolicyScope: "MessageBody" })));
        errors.push(thrownBy(() => topic.subscribeQueue(new Queue("b"), { filterPolicy: {} })));
      });
      assert.match(errors[0].message, /`filterPolicyScope` needs a `filterPolicy`/);
      assert.match(errors[1].message, /`filterPolicy` is empty/);
    });
  });

  describe("subscribeFunction", () => {
    it("subscribes the function after a lambda permission scoped to this topic, with a dead-letter queue", async () => {
      const run = await mockRun(() => {
        new Topic("notifications").subscribeFunction(testFunction("audit"), { filterPolicy: { type: ["refund"] } });
      });
      const fn = run.one("aws:lambda/function:Function");
      const permission = run.one("aws:lambda/permission:Permission", "notificationsToAuditPermission");
      assert.deepEqual(
        { action: permission.inputs.action, function: permission.inputs.function, principal: permission.inputs.principal, sourceArn: permission.inputs.sourceArn },
        { action: "lambda:InvokeFunction", function: fn.outputs.name, principal: "sns.amazonaws.com", sourceArn: topicArn(run) },
      );
      const subscription = run.one(SUBSCRIPTION, "notificationsToAudit");
      assert.equal(subscription.inputs.protocol, "lambda");
      assert.equal(subscription.inputs.endpoint, fn.outputs.arn);
      assert.deepEqual(JSON.parse(String(subscription.inputs.filterPolicy)), { type: ["refund"] });
      assert.ok(subscription.dependencies.includes(permission.urn), "the subscription must wait for the permission");
      const dlqArn = queueArnOf(run, "notificationsToAuditDlq");
      assert.equal(redriveTarget(run, "notificationsToAudit"), dlqArn);
      assert.deepEqual(queuePolicyStatements(run, "notificationsToAuditDlq")[1], serviceAllow("sns.amazonaws.com", "sqs:SendMessage", dlqArn, topicArn(run)));
    });

    it("refuses a function on a FIFO topic, and the same target twice", async () => {
      const errors: Error[] = [];
      const run = await mockRun(() => {
        const fifo = new Topic("payments", { fifo: true });
        errors.push(thrownBy(() => fifo.subscribeFunction(testFunction("audit"))));
        const standard = new Topic("orders");
        const fn = testFunction("notify");
        standard.subscribeFunction(fn);
        errors.push(thrownBy(() => standard.subscribeFunction(fn)));
      });
      assert.match(errors[0].message, /^Topic "payments": FIFO topics deliver only to SQS queues, but function "audit" was given to subscribeFunction/);
      assert.match(errors[1].message, /^Topic "orders": "notify" already subscribes to this topic; subscribe it once\./);
      assert.equal(run.ofType(SUBSCRIPTION).length, 1);
    });
  });

  describe("keys and service publishers", () => {
    it("with customerManagedKey: owns a rotated key whose policy admits the account, then each publishing service once", async () => {
      const alarmsSource = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*";
      const run = await mockRun(() => {
        const topic = new Topic("notifications", { customerManagedKey: true });
        topic.allowServicePublish("events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/orders/a");
        topic.allowServicePublish("events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/orders/b");
        topic.allowServicePublish("cloudwatch.amazonaws.com", alarmsSource);
      });
      const key = run.one(KMS_KEY, "notificationsKey");
      assert.equal(key.parent, run.one(TOPIC_COMPONENT).urn);
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(run.one(TOPIC).inputs.kmsMasterKeyId, key.outputs.arn);
      assert.equal(run.one(TOPIC_COMPONENT).outputs.kmsKeyArn, key.outputs.arn);
      assert.deepEqual(parsePolicy(key.inputs.policy).Statement, [
        { Sid: "EnableAccountIamPolicies", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" },
        // EventBridge's KMS requests carry no aws:SourceAccount (AWS: not supported for EventBridge-to-encrypted topics).
        { Sid: "AllowPublishByeventsamazonawscom", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: PUBLISH_KEY_ACTIONS, Resource: "*" },
        // Every other service only on behalf of this account's resources (confused deputy).
        {
          Sid: "AllowPublishBycloudwatchamazonawscom",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: PUBLISH_KEY_ACTIONS,
          Resource: "*",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ]);
      const arn = topicArn(run);
      assert.deepEqual(topicPolicyStatements(run), [
        tlsDeny("sns:Publish", arn),
        serviceAllow("events.amazonaws.com", "sns:Publish", arn, "arn:aws:events:us-east-1:123456789012:rule/orders/a", "ArnLike"),
        serviceAllow("events.amazonaws.com", "sns:Publish", arn, "arn:aws:events:us-east-1:123456789012:rule/orders/b", "ArnLike"),
        serviceAllow("cloudwatch.amazonaws.com", "sns:Publish", arn, alarmsSource, "ArnLike"),
      ]);
    });

    it("admits an EventBridge rule that targets it through allowServicePublish", async () => {
      const run = await mockRun(() => {
        const topic = new Topic("notifications", { customerManagedKey: true });
        new EventBus("orders").subscribeTopic("toNotifications", { source: ["orderflow.checkout"] }, topic);
      });
      const rule = String(run.one("aws:cloudwatch/eventRule:EventRule").outputs.arn);
      assert.deepEqual(topicPolicyStatements(run).slice(1), [serviceAllow("events.amazonaws.com", "sns:Publish", topicArn(run), rule, "ArnLike")]);
      assert.deepEqual(parsePolicy(run.one(KMS_KEY).inputs.policy).Statement[1], {
        Sid: "AllowPublishByeventsamazonawscom",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: PUBLISH_KEY_ACTIONS,
        Resource: "*",
      });
    });

    it("with a given kmsKey: encrypts with it, creates no key, and only adds the topic statement for a service", async () => {
      const run = await mockRun(() => {
        new Topic("notifications", { kmsKey: GIVEN_KEY }).allowServicePublish("events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/orders/a");
      });
      assert.equal(run.one(TOPIC).inputs.kmsMasterKeyId, GIVEN_KEY);
      assert.equal(run.ofType(KMS_KEY).length, 0);
      assert.equal(topicPolicyStatements(run).length, 2);
    });

    it("refuses a service publisher on a topic under the AWS-managed key, naming the fix", async () => {
      let error: Error | undefined;
      const run = await mockRun(() => {
        const topic = new Topic("notifications");
        error = thrownBy(() => topic.allowServicePublish("events.amazonaws.com", "arn:aws:events:us-east-1:123456789012:rule/x"));
      });
      assert.match(error!.message, /^Topic "notifications": events.amazonaws.com cannot publish to a topic encrypted with the AWS-managed key \(alias\/aws\/sns\)/);
      assert.match(error!.message, /Set `customerManagedKey: true` \(or pass `kmsKey`\)/);
      assert.deepEqual(topicPolicyStatements(run), [tlsDeny("sns:Publish", topicArn(run))]);
    });
  });

  describe("grantPublish", () => {
    it("gives exactly sns:Publish on the topic ARN without a customer key", async () => {
      const run = await mockRun(() => {
        new Topic("orders").grantPublish(testRole("publisher"));
      });
      assert.deepEqual(grantsOf(run, "publisher"), [{ actions: ["sns:Publish"], resources: [topicArn(run)] }]);
    });

    it("adds kms:Decrypt and kms:GenerateDataKey* on the owned or given key", async () => {
      const run = await mockRun(() => {
        new Topic("owned", { customerManagedKey: true }).grantPublish(testRole("ownedPublisher"));
        new Topic("given", { kmsKey: GIVEN_KEY }).grantPublish(testRole("givenPublisher"));
      });
      const arnOf = (name: string) => String(run.one(TOPIC, `${name}Topic`).outputs.arn);
      assert.deepEqual(grantsOf(run, "ownedPublisher"), [
        { actions: ["sns:Publish"], resources: [arnOf("owned")] },
        { actions: PUBLISH_KEY_ACTIONS, resources: [String(run.one(KMS_KEY).outputs.arn)] },
      ]);
      assert.deepEqual(grantsOf(run, "givenPublisher"), [
        { actions: ["sns:Publish"], resources: [arnOf("given")] },
        { actions: PUBLISH_KEY_ACTIONS, resources: [GIVEN_KEY] },
      ]);
    });

    it("an imported topic grants the same, and refuses statements: its owner holds the policy", async () => {
      const arn = "arn:aws:sns:us-east-1:123456789012:orders-abc";
      let error: Error | undefined;
      const run = await mockRun(() => {
        const topic = Topic.fromAttributes("orders", { arn, kmsKeyArn: GIVEN_KEY });
        topic.grantPublish(testRole("publisher"));
        error = thrownBy(() => topic.addToResourcePolicy({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: arn }));
      });
      assert.equal(run.ofType(TOPIC).length, 0);
      assert.deepEqual(grantsOf(run, "publisher"), [
        { actions: ["sns:Publish"], resources: [arn] },
        { actions: PUBLISH_KEY_ACTIONS, resources: [GIVEN_KEY] },
      ]);
      assert.match(error!.message, /^Topic "orders": is imported, and its topic policy belongs to the stack that owns it/);
    });
  });

  it("keeps every addToResourcePolicy statement in its one topic policy, and refuses one after setup", async () => {
    let late: Promise<Error> | undefined;
    const run = await mockRun(() => {
      const topic = new Topic("orders");
      for (const account of ["111111111111", "222222222222"]) {
        topic.addToResourcePolicy({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sns:Subscribe", Resource: "arn:aws:sns:us-east-1:123456789012:orders" });
      }
      late = new Promise((resolve) =>
        setImmediate(() => resolve(thrownBy(() => topic.addToResourcePolicy({ Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: "x" })))),
      );
    });
    assert.equal(run.ofType(TOPIC_POLICY).length, 1);
    assert.deepEqual(
      topicPolicyStatements(run).map((s) => (s.Principal as { AWS?: string }).AWS ?? s.Principal),
      ["*", "arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"],
    );
    assert.match((await late!).message, /^Topic "orders": its topic policy statements were already fixed/);
  });
});
