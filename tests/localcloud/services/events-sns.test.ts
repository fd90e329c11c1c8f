import { strict as assert } from "node:assert";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { Activity } from "../../../localcloud/kernel/activity";
import { AwsError } from "../../../localcloud/kernel/aws-error";
import { DeliveryRouter, type DeliveryOptions } from "../../../localcloud/kernel/delivery";
import { AwsEndpoint } from "../../../localcloud/endpoint/endpoint";
import { EventBridgeService } from "../../../localcloud/services/events/service";
import type { BusSpec, RuleSpec, RuleTargetSpec } from "../../../localcloud/services/events/spec";
import type { SubscriptionSpec, TopicSpec } from "../../../localcloud/services/sns/spec";
import { SnsService } from "../../../localcloud/services/sns/service";
import { ScaledAgesClock } from "../../helpers/scaled-ages-clock";

const A = "123456789012";
const origin = (name: string) => ({ stack: "dev", component: name, urn: `urn:${name}` });
const bus: BusSpec = { ...origin("orders"), name: "ordersBus", arn: `arn:aws:events:us-east-1:${A}:event-bus/ordersBus` };
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${A}:${name}`;

function target(id: string, arn: string, extra: Partial<RuleTargetSpec> = {}): RuleTargetSpec {
  return { ...origin(id), id, arn, maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400, ...extra };
}

function rule(name: string, pattern: Record<string, unknown>, targets: RuleTargetSpec[]): RuleSpec {
  return { ...origin(name), name, arn: `arn:aws:events:us-east-1:${A}:rule/ordersBus/${name}`, busName: "ordersBus", pattern, enabled: true, targets };
}

interface Delivered {
  readonly service: string;
  readonly arn: string;
  readonly payload: string;
  readonly options: DeliveryOptions;
}

describe("local cloud: EventBridge rules and SNS subscriptions", () => {
  const delivered: Delivered[] = [];
  /** Queue ARNs that refuse deliveries (as a missing queue or a throttled one would), and how. */
  const refusing = new Map<string, AwsError>();
  const receiver = (service: string) => (arn: string, payload: string, options: DeliveryOptions) => {
    const refusal = refusing.get(arn);
    if (refusal) throw refusal;
    delivered.push({ service, arn, payload, options });
  };
  const router = new DeliveryRouter({ sqs: receiver("sqs"), sns: receiver("sns"), lambda: receiver("lambda"), states: receiver("states"), events: receiver("events") });
  const clock = new ScaledAgesClock(0.0001);
  const activity = new Activity();
  const events = new EventBridgeService(
    [bus],
    [
      rule("confirmedToShipping", { source: ["orderflow.checkout"], "detail-type": ["OrderConfirmed"] }, [target("t0", queueArn("shipping"))]),
      rule("cancelledToCancel", { source: ["orderflow.checkout"], "detail-type": ["OrderCancelled"] }, [
        target("t0", `arn:aws:lambda:us-east-1:${A}:function:cancelOrder`, { inputTransformer: { inputPaths: { orderId: "$.detail.orderId", reason: "$.detail.reason" }, inputTemplate: '{"orderId": <orderId>, "error": {"Error": <reason>}}' } }),
      ]),
      rule("bigOrders", { detail: { total: [{ numeric: [">", 100000] }] } }, [
        target("t0", queueArn("gone"), { deadLetterArn: queueArn("big-dlq") }),
        target("t1", queueArn("busy"), { deadLetterArn: queueArn("big-dlq"), maximumRetryAttempts: 2 }),
      ]),
      rule("agedOrders", { detail: { aged: [true] } }, [target("t0", queueArn("broken"), { deadLetterArn: queueArn("aged-dlq"), maximumEventAgeSeconds: 60 })]),
    ],
    { account: A, region: "us-east-1" },
    router,
    clock,
    activity,
  );

  afterEach(() => {
    delivered.length = 0;
    refusing.clear();
  });

  it("routes PutEvents from the SDK to the rules whose pattern matches, as the EventBridge envelope", async () => {
    const endpoint = new AwsEndpoint(() => "caller");
    endpoint.serveJson("AWSEvents", events);
    const client = new EventBridgeClient({ region: "us-east-1", endpoint: await endpoint.listen(), credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    try {
      const answer = await client.send(
        new PutEventsCommand({
          Entries: [
            { EventBusName: "ordersBus", Source: "orderflow.checkout", DetailType: "OrderConfirmed", Detail: JSON.stringify({ orderId: "o-1", total: 10 }), TraceHeader: "Root=1-abc" },
            { EventBusName: "nowhere", Source: "s", DetailType: "d", Detail: "{}" },
            { EventBusName: "ordersBus", Source: "s", DetailType: "d", Detail: "not json" },
          ],
        }),
      );
      assert.equal(answer.FailedEntryCount, 2);
      assert.equal(answer.Entries?.[1].ErrorCode, "ResourceNotFoundException");
      assert.equal(answer.Entries?.[2].ErrorCode, "MalformedDetail");
      await events.drain();
      assert.equal(delivered.length, 1);
      const event = JSON.parse(delivered[0].payload) as Record<string, unknown>;
      assert.equal(delivered[0].arn, queueArn("shipping"));
      assert.equal(event.id, answer.Entries?.[0].EventId);
      assert.equal(event["detail-type"], "OrderConfirmed");
      assert.equal(event.account, A);
      assert.match(String(event.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(event.detail, { orderId: "o-1", total: 10 });
      assert.equal(delivered[0].options.traceId, "Root=1-abc", "the trace goes on to the target");
      assert.equal(delivered[0].options.sourceArn, `arn:aws:events:us-east-1:${A}:rule/ordersBus/confirmedToShipping`);
    } finally {
      await endpoint.close();
    }
  });

  it("applies a target's input transformer", async () => {
    events.put({ EventBusName: "ordersBus", Source: "orderflow.checkout", DetailType: "OrderCancelled", Detail: JSON.stringify({ orderId: "o-2", reason: "PaymentDeclined" }) });
    await events.drain();
    assert.deepEqual(JSON.parse(delivered[0].payload), { orderId: "o-2", error: { Error: "PaymentDeclined" } });
  });

  it("sends a delivery AWS does not retry straight to the DLQ, and one that keeps failing after its retries, with EventBridge's attributes", async () => {
    refusing.set(queueArn("gone"), new AwsError("QueueDoesNotExist", "The specified queue does not exist."));
    refusing.set(queueArn("busy"), new AwsError("ThrottlingException", "slow down", 429));
    events.put({ EventBusName: "ordersBus", Source: "x", DetailType: "y", Detail: JSON.stringify({ total: 200000 }) });
    await events.drain();
    const dead = delivered.filter((d) => d.arn === queueArn("big-dlq"));
    assert.equal(dead.length, 2);
    const gone = dead.find((d) => d.options.messageAttributes?.TARGET_ARN.StringValue === queueArn("gone"))!;
    // EventBridge's own codes, not the target's exception names (https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html).
    assert.equal(gone.options.messageAttributes?.ERROR_CODE.StringValue, "NO_RESOURCE");
    assert.match(gone.options.messageAttributes?.ERROR_MESSAGE.StringValue ?? "", /QueueDoesNotExist: The specified queue does not exist/);
    assert.equal(gone.options.messageAttributes?.RETRY_ATTEMPTS.StringValue, "0", "not retried");
    assert.equal(gone.options.messageAttributes?.EXHAUSTED_RETRY_CONDITION, undefined, "no retry policy ran out");
    assert.equal(gone.options.messageAttributes?.RULE_ARN.StringValue, `arn:aws:events:us-east-1:${A}:rule/ordersBus/bigOrders`);
    const busy = dead.find((d) => d.options.messageAttributes?.TARGET_ARN.StringValue === queueArn("busy"))!;
    assert.equal(busy.options.messageAttributes?.ERROR_CODE.StringValue, "THROTTLING");
    assert.equal(busy.options.messageAttributes?.EXHAUSTED_RETRY_CONDITION.StringValue, "MaximumRetryAttempts");
    assert.equal(busy.options.messageAttributes?.RETRY_ATTEMPTS.StringValue, "2");
    assert.equal(activity.records.filter((r) => r.kind === "retry" && r.detail.includes("busy")).length, 2);
    assert.equal((JSON.parse(busy.payload) as { detail: unknown }).detail && JSON.parse(busy.payload).detail.total, 200000, "the DLQ holds the event");
  });

  it("retries a target's own fault (5xx) until the event's maximum age, then dead-letters it naming that limit", async () => {
    // Retried: "EventBridge retries sending the event" for retriable errors, up to the retry policy's age
    // (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html). 60 s is 6 ms at this scale.
    refusing.set(queueArn("broken"), new AwsError("ServiceException", "the queue's service failed", 500));
    events.put({ EventBusName: "ordersBus", Source: "x", DetailType: "y", Detail: JSON.stringify({ aged: true }) });
    await events.drain();
    const [dead] = delivered.filter((d) => d.arn === queueArn("aged-dlq"));
    assert.ok(dead, "the event reached the dead-letter queue");
    const attributes = dead.options.messageAttributes!;
    assert.equal(attributes.EXHAUSTED_RETRY_CONDITION.StringValue, "MaximumEventAgeInSeconds");
    assert.equal(attributes.ERROR_CODE.StringValue, "ERROR_FROM_TARGET");
    assert.ok(Number(attributes.RETRY_ATTEMPTS.StringValue) >= 1, `retried ${attributes.RETRY_ATTEMPTS.StringValue} time(s)`);
    assert.ok(Number(attributes.RETRY_ATTEMPTS.StringValue) < 185, "stopped by age, not by the 185 attempts");
  });

  describe("SNS", () => {
    const topic: TopicSpec = { ...origin("notifications"), name: "notifications", arn: `arn:aws:sns:us-east-1:${A}:notifications`, fifo: false };
    const subscription = (name: string, extra: Partial<SubscriptionSpec>): SubscriptionSpec => ({
      ...origin(name),
      arn: `${topic.arn}:${name}`,
      topicArn: topic.arn,
      protocol: "sqs",
      endpoint: queueArn(name),
      rawMessageDelivery: false,
      filterPolicyScope: "MessageAttributes",
      ...extra,
    });
    const sns = new SnsService(
      [topic],
      [
        subscription("email", { rawMessageDelivery: true }),
        subscription("sms", { rawMessageDelivery: true, filterPolicy: '{"detail-type":["OrderShipped"]}', filterPolicyScope: "MessageBody" }),
        subscription("audit", { filterPolicy: '{"kind":["order"]}', deadLetterArn: queueArn("audit-dlq") }),
      ],
      router,
      clock,
      activity,
      "http://127.0.0.1:1",
    );

    it("fans out by filter policy: raw delivery passes the message as is, the envelope wraps it", async () => {
      sns.publish(topic.arn, { message: JSON.stringify({ "detail-type": "OrderShipped" }), messageAttributes: { kind: { Type: "String", Value: "order" } }, source: "test" });
      sns.publish(topic.arn, { message: JSON.stringify({ "detail-type": "OrderConfirmed" }), source: "test" });
      await sns.drain();
      const to = (name: string) => delivered.filter((d) => d.arn === queueArn(name));
      assert.equal(to("email").length, 2, "no policy: every message");
      assert.equal(to("sms").length, 1, "the body policy keeps OrderShipped only");
      assert.equal(to("sms")[0].payload, JSON.stringify({ "detail-type": "OrderShipped" }));
      assert.deepEqual(to("email")[0].options.messageAttributes, { kind: { DataType: "String", StringValue: "order" } }, "raw delivery turns attributes into SQS message attributes");
      assert.equal(to("audit").length, 1, "the attribute policy keeps kind=order only");
      const envelope = JSON.parse(to("audit")[0].payload) as Record<string, unknown>;
      assert.equal(envelope.Type, "Notification");
      assert.equal(envelope.TopicArn, topic.arn);
      assert.deepEqual(JSON.parse(String(envelope.Message)), { "detail-type": "OrderShipped" });
    });

    it("sends a message a subscriber refuses (client-side error) to the subscription's DLQ without retrying", async () => {
      refusing.set(queueArn("audit"), new AwsError("KMS.AccessDeniedException", "no access to the key"));
      sns.publish(topic.arn, { message: "{}", messageAttributes: { kind: { Type: "String", Value: "order" } }, source: "test" });
      await sns.drain();
      assert.equal(delivered.filter((d) => d.arn === queueArn("audit-dlq")).length, 1);
    });
  });
});
