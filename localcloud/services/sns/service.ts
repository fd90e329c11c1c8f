import { resourceName, serviceOf } from "../events/service";
import type { LocalXRay, OpenSegment } from "../xray/local-xray";
import { randomUUID } from "node:crypto";
import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { Clock } from "../../kernel/clock";
import type { Delivery, DeliveryFailure } from "../../kernel/delivery";
import { escapeXml, type RequestContext } from "../../endpoint/endpoint";
import type { SubscriptionSpec, TopicSpec } from "./spec";
import { subscriptionAccepts } from "./filter-policy";
import type { MessageAttributeValue } from "../sqs/md5";

/** A message attribute as SNS carries it (Publish's `MessageAttributes.entry.N`). */
export interface SnsMessageAttribute {
  readonly Type: string;
  readonly Value: string;
}

export interface PublishInput {
  readonly message: string;
  readonly subject?: string;
  readonly messageAttributes?: Readonly<Record<string, SnsMessageAttribute>>;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly traceId?: string;
  /** Who published, for the activity log. */
  readonly source: string;
}

/**
 * The delivery policy of AWS-managed endpoints (SQS, Lambda): 3 immediate retries, 2 one second apart, 10 with
 * backoff from 1 s to 20 s, then 100,000 20 s apart (SNS developer guide, "Amazon SNS message delivery retries").
 */
function retryDelaySeconds(attempt: number): number | undefined {
  if (attempt <= 3) return 0;
  if (attempt <= 5) return 1;
  if (attempt <= 15) return Math.min(20, 2 ** (attempt - 5) / 2);
  if (attempt <= 100_015) return 20;
  return undefined;
}

/**
 * SNS for the environment's topics: Publish (the SDK's query protocol, `Action=Publish`, or from EventBridge), each
 * subscription's filter policy (on the message attributes or the body), raw or enveloped delivery to SQS, asynchronous
 * invocation of Lambda subscribers, the delivery policy's retries on server-side errors, and the subscription's
 * dead-letter queue for client-side errors (a missing endpoint, a denied call) and exhausted retries.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
 */
export class SnsService {
  readonly xmlns = "http://sns.amazonaws.com/doc/2010-03-31/";
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly topics: readonly TopicSpec[],
    private readonly subscriptions: readonly SubscriptionSpec[],
    private readonly delivery: Delivery,
    private readonly clock: Clock,
    private readonly activity: Activity,
    /** Where the local cloud serves SNS (for the envelope's UnsubscribeURL). */
    private readonly endpoint: string,
    /** Where deliveries of traced messages record their segments. */
    private readonly xray?: LocalXRay,
  ) {}

  /** The query API: `Publish` only (the handlers publish; topics and subscriptions come from the graph). */
  async call(action: string, params: Readonly<Record<string, string>>, context: RequestContext): Promise<string> {
    if (action !== "Publish") throw new AwsError("InvalidAction", `The local cloud does not serve SNS ${action}.`);
    const topicArn = params.TopicArn ?? params.TargetArn;
    if (!topicArn) throw new AwsError("InvalidParameter", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
    if (params.Message === undefined) throw new AwsError("InvalidParameter", "Invalid parameter: Message Reason: no value for required parameter");
    const messageId = this.publish(topicArn, {
      message: params.Message,
      ...(params.Subject ? { subject: params.Subject } : {}),
      messageAttributes: queryAttributes(params),
      ...(params.MessageGroupId ? { messageGroupId: params.MessageGroupId } : {}),
      ...(params.MessageDeduplicationId ? { messageDeduplicationId: params.MessageDeduplicationId } : {}),
      ...(context.traceHeader ? { traceId: context.traceHeader } : {}),
      source: context.principal,
    });
    return `<PublishResponse xmlns="${this.xmlns}"><PublishResult><MessageId>${messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`;
  }

  /** Publishes to a topic; resolves to the message id once accepted (deliveries continue in the background). */
  publish(topicArn: string, input: PublishInput): string {
    const topic = this.topics.find((t) => t.arn === topicArn);
    if (!topic) throw new AwsError("NotFound", "Topic does not exist", 404);
    if (Buffer.byteLength(input.message) > 262144) throw new AwsError("InvalidParameter", "Invalid parameter: Message too long");
    if (topic.fifo && !input.messageGroupId) throw new AwsError("InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
    const messageId = randomUUID();
    const timestamp = new Date().toISOString();
    const subscribers = this.subscriptions.filter((s) => s.topicArn === topicArn);
    const delivered: string[] = [];
    for (const subscription of subscribers) {
      if (!this.accepts(subscription, input)) continue;
      delivered.push(subscription.component);
      this.track(this.deliver(topic, subscription, input, messageId, timestamp));
    }
    this.activity.record({
      service: "sns",
      kind: "publish",
      name: topic.component,
      detail: `from ${input.source}: ${delivered.length === 0 ? "no subscription's filter policy matched" : `to ${delivered.join(", ")}`} (${subscribers.length - delivered.length} filtered out)`,
      traceId: input.traceId,
    });
    return messageId;
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopping.abort();
  }

  private accepts(subscription: SubscriptionSpec, input: PublishInput): boolean {
    return subscriptionAccepts(subscription, { message: input.message, messageAttributes: input.messageAttributes ?? {} });
  }

  private track(delivery: Promise<void>): void {
    const p = delivery.finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * SNS carries a traced publisher's header on to its subscribers, and starts no trace itself (the topics have no
   * active tracing): the delivery records a segment for the topic, with a subsegment per attempt as the Parent.
   * https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sns.html
   */
  private async deliver(topic: TopicSpec, subscription: SubscriptionSpec, input: PublishInput, messageId: string, timestamp: string): Promise<void> {
    const trace = this.xray?.begin(topic.name, "AWS::SNS", input.traceId, { startTrace: false, fields: { aws: { topic_arn: topic.arn, message_id: messageId } } });
    try {
      await this.deliverTraced(topic, subscription, trace ? { ...input, trace } : input, messageId, timestamp);
    } finally {
      trace?.end();
    }
  }

  private async deliverTraced(topic: TopicSpec, subscription: SubscriptionSpec, input: PublishInput & { trace?: OpenSegment }, messageId: string, timestamp: string): Promise<void> {
    const { payload, attributes } = this.payloadFor(topic, subscription, input, messageId, timestamp);
    let attempt = 0;
    let failure: DeliveryFailure | undefined;
    for (;;) {
      if (this.stopping.signal.aborted) return;
      const call = input.trace?.subsegment(serviceOf(subscription.endpoint), { namespace: "aws", aws: { operation: `subscription ${subscription.component}`, resource: resourceName(subscription.endpoint) } });
      failure = await this.delivery.deliver(subscription.endpoint, payload, {
        traceId: input.trace && call ? input.trace.header(call.id) : input.traceId,
        source: `topic ${topic.component}`,
        principal: "sns.amazonaws.com",
        sourceArn: topic.arn,
        ...(attributes ? { messageAttributes: attributes } : {}),
        ...(input.messageGroupId ? { messageGroupId: input.messageGroupId } : {}),
      });
      call?.end(failure ? { error: `${failure.code}: ${failure.message}` } : {});
      if (!failure) {
        this.activity.record({ service: "sns", kind: "deliver", name: subscription.component, detail: `delivered to ${subscription.endpoint.split(":").pop()}`, traceId: input.traceId });
        return;
      }
      // Client-side errors are not retried; server-side errors follow the delivery policy.
      const delay = failure.retryable ? retryDelaySeconds(++attempt) : undefined;
      if (delay === undefined) break;
      await this.clock.sleep(delay * (0.5 + Math.random() / 2), this.stopping.signal);
    }
    const where = subscription.deadLetterArn ? `sent to ${subscription.deadLetterArn.split(":").pop()}` : "discarded (no dead-letter queue)";
    this.activity.record({ service: "sns", kind: "dead-letter", name: subscription.component, detail: `message ${messageId} not delivered to ${subscription.endpoint.split(":").pop()} (${failure.code}: ${failure.message}); ${where}`, error: true, traceId: input.traceId });
    if (subscription.deadLetterArn) {
      const lost = await this.delivery.deliver(subscription.deadLetterArn, payload, { traceId: input.traceId, source: `subscription ${subscription.component} (dead letter)`, principal: "sns.amazonaws.com", sourceArn: topic.arn });
      if (lost) this.activity.record({ service: "sns", kind: "lost", name: subscription.component, detail: `message ${messageId} lost: the dead-letter queue refused it (${lost.code})`, error: true });
    }
  }

  /**
   * What a subscriber receives. SQS with raw delivery: the message itself, its attributes as SQS message attributes;
   * otherwise the JSON envelope (Type, MessageId, TopicArn, Subject, Message, Timestamp, signature fields,
   * MessageAttributes). Lambda: the SNS event record.
   */
  private payloadFor(topic: TopicSpec, subscription: SubscriptionSpec, input: PublishInput, messageId: string, timestamp: string): { payload: string; attributes?: Record<string, MessageAttributeValue> } {
    const attributes = input.messageAttributes ?? {};
    if (subscription.protocol === "sqs" && subscription.rawMessageDelivery) {
      const sqsAttributes = Object.fromEntries(
        Object.entries(attributes).map(([name, a]) => [name, a.Type === "Binary" ? { DataType: "Binary", BinaryValue: a.Value } : { DataType: a.Type === "String.Array" ? "String" : a.Type, StringValue: a.Value }]),
      );
      return { payload: input.message, attributes: sqsAttributes };
    }
    const envelope = {
      Type: "Notification",
      MessageId: messageId,
      ...(topic.fifo ? { SequenceNumber: String(Date.now()).padStart(20, "0") } : {}),
      TopicArn: topic.arn,
      ...(input.subject ? { Subject: input.subject } : {}),
      Message: input.message,
      Timestamp: timestamp,
      SignatureVersion: "1",
      // The local cloud does not sign: there is no SNS certificate to verify against locally.
      Signature: "",
      SigningCertURL: "",
      UnsubscribeURL: `${this.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
      ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
    };
    if (subscription.protocol === "lambda") {
      const { SigningCertURL, UnsubscribeURL, ...rest } = envelope;
      return {
        payload: JSON.stringify({
          Records: [{ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: subscription.arn, Sns: { ...rest, SigningCertUrl: SigningCertURL, UnsubscribeUrl: UnsubscribeURL, MessageAttributes: attributes } }],
        }),
      };
    }
    return { payload: JSON.stringify(envelope) };
  }
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` of a query-protocol Publish. */
function queryAttributes(params: Readonly<Record<string, string>>): Record<string, SnsMessageAttribute> {
  const out: Record<string, SnsMessageAttribute> = {};
  for (let n = 1; params[`MessageAttributes.entry.${n}.Name`] !== undefined; n++) {
    const name = params[`MessageAttributes.entry.${n}.Name`];
    const type = params[`MessageAttributes.entry.${n}.Value.DataType`];
    const value = params[`MessageAttributes.entry.${n}.Value.StringValue`] ?? params[`MessageAttributes.entry.${n}.Value.BinaryValue`];
    if (!type || value === undefined) throw new AwsError("ParameterValueInvalid", `The message attribute '${escapeXml(name)}' must contain non-empty message attribute value and type.`);
    out[name] = { Type: type, Value: value };
  }
  return out;
}
