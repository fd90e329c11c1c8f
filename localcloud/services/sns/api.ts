import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import type { SubscriptionSpec, TopicSpec } from "./spec";
import { page } from "../../endpoint/pagination";
import { queryResponse, XmlMap } from "../../endpoint/query-xml";
import type { SnsService } from "./service";

/** SNS lists 100 topics or subscriptions a page (ListTopics, ListSubscriptions API reference). */
const PAGE = 100;

/**
 * The SNS API (query protocol, XML answers) over the graph's topics and subscriptions: Publish on the service itself,
 * and the topics, subscriptions and their attributes as deployed.
 * https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
 * https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html
 */
export class SnsApi {
  readonly xmlns = "http://sns.amazonaws.com/doc/2010-03-31/";

  constructor(
    private readonly sns: SnsService,
    private readonly topics: readonly TopicSpec[],
    private readonly subscriptions: readonly SubscriptionSpec[],
  ) {}

  async call(action: string, params: Readonly<Record<string, string>>, context: RequestContext): Promise<string> {
    switch (action) {
      case "Publish":
        return this.sns.call(action, params, context);
      case "ListTopics": {
        const { items, next } = page(this.topics, { max: undefined, token: params.NextToken, limit: PAGE, error: invalid });
        return queryResponse(this.xmlns, action, { Topics: items.map((t) => ({ TopicArn: t.arn })), NextToken: next });
      }
      case "ListSubscriptions": {
        const { items, next } = page(this.subscriptions, { max: undefined, token: params.NextToken, limit: PAGE, error: invalid });
        return queryResponse(this.xmlns, action, { Subscriptions: items.map((s) => this.listed(s)), NextToken: next });
      }
      case "ListSubscriptionsByTopic": {
        const topic = this.topic(params.TopicArn);
        const { items, next } = page(this.subscriptions.filter((s) => s.topicArn === topic.arn), { max: undefined, token: params.NextToken, limit: PAGE, error: invalid });
        return queryResponse(this.xmlns, action, { Subscriptions: items.map((s) => this.listed(s)), NextToken: next });
      }
      case "GetTopicAttributes": {
        const topic = this.topic(params.TopicArn);
        const confirmed = this.subscriptions.filter((s) => s.topicArn === topic.arn).length;
        return queryResponse(this.xmlns, action, {
          Attributes: new XmlMap(
            defined({
              TopicArn: topic.arn,
              Owner: ownerOf(topic.arn),
              DisplayName: "",
              Policy: topic.policy === undefined ? undefined : typeof topic.policy === "string" ? topic.policy : JSON.stringify(topic.policy),
              SubscriptionsConfirmed: String(confirmed),
              SubscriptionsPending: "0",
              SubscriptionsDeleted: "0",
              KmsMasterKeyId: topic.kmsMasterKeyId,
              FifoTopic: topic.fifo ? "true" : undefined,
            }),
          ),
        });
      }
      case "GetSubscriptionAttributes": {
        const arn = required(params.SubscriptionArn, "SubscriptionArn");
        const subscription = this.subscriptions.find((s) => s.arn === arn);
        if (!subscription) throw new AwsError("NotFound", "Subscription does not exist", 404);
        return queryResponse(this.xmlns, action, {
          Attributes: new XmlMap(
            defined({
              SubscriptionArn: subscription.arn,
              TopicArn: subscription.topicArn,
              Owner: ownerOf(subscription.topicArn),
              Protocol: subscription.protocol,
              Endpoint: subscription.endpoint,
              ConfirmationWasAuthenticated: "true",
              PendingConfirmation: "false",
              RawMessageDelivery: String(subscription.rawMessageDelivery),
              FilterPolicy: subscription.filterPolicy,
              FilterPolicyScope: subscription.filterPolicy ? subscription.filterPolicyScope : undefined,
              RedrivePolicy: subscription.deadLetterArn ? JSON.stringify({ deadLetterTargetArn: subscription.deadLetterArn }) : undefined,
            }),
          ),
        });
      }
      default:
        throw new AwsError("InvalidAction", `The local cloud does not serve SNS ${action}.`);
    }
  }

  private topic(arn: string | undefined): TopicSpec {
    const topic = this.topics.find((t) => t.arn === required(arn, "TopicArn"));
    if (!topic) throw new AwsError("NotFound", "Topic does not exist", 404);
    return topic;
  }

  private listed(s: SubscriptionSpec): Record<string, string> {
    return { SubscriptionArn: s.arn, Owner: ownerOf(s.topicArn), Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn };
  }
}

function ownerOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "") throw new AwsError("InvalidParameter", `Invalid parameter: ${name} Reason: no value for required parameter`);
  return value;
}

function invalid(message: string): AwsError {
  return new AwsError("InvalidParameter", `Invalid parameter: NextToken Reason: ${message}`);
}

function defined(record: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
