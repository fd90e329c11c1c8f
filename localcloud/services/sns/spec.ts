import { json, str, type GraphResources, type Origin } from "../../graph/resources";

export interface TopicSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly policy?: unknown;
  readonly kmsMasterKeyId?: string;
}

export interface SubscriptionSpec extends Origin {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly rawMessageDelivery: boolean;
  readonly filterPolicy?: string;
  readonly filterPolicyScope: "MessageAttributes" | "MessageBody";
  readonly deadLetterArn?: string;
}

/** The graph's topics, with the policy their TopicPolicy attaches. */
export function readTopics(graph: GraphResources): TopicSpec[] {
  const { of, origin, out } = graph;
  const topicPolicies = new Map(of("aws:sns/topicPolicy:TopicPolicy").map(({ r }) => [String(r.inputs.arn), json(r.inputs.policy)]));
  return of("aws:sns/topic:Topic").map(({ stack, r }) => {
    const arn = String(out(r).arn);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn,
      fifo: r.inputs.fifoTopic === true,
      ...(topicPolicies.has(arn) ? { policy: topicPolicies.get(arn) } : {}),
      ...(str(r.inputs.kmsMasterKeyId) ? { kmsMasterKeyId: str(r.inputs.kmsMasterKeyId) } : {}),
    };
  });
}

/** The graph's topic subscriptions. */
export function readSubscriptions(graph: GraphResources): SubscriptionSpec[] {
  const { of, origin, out } = graph;
  return of("aws:sns/topicSubscription:TopicSubscription").map(({ stack, r }) => {
    const i = r.inputs;
    const redrive = json(i.redrivePolicy) as { deadLetterTargetArn?: string } | undefined;
    return {
      ...origin(stack, r),
      arn: String(out(r).arn),
      topicArn: String(i.topic ?? i.topicArn),
      protocol: String(i.protocol),
      endpoint: String(i.endpoint),
      rawMessageDelivery: i.rawMessageDelivery === true,
      ...(str(i.filterPolicy) ? { filterPolicy: str(i.filterPolicy) } : {}),
      filterPolicyScope: i.filterPolicyScope === "MessageBody" ? "MessageBody" : "MessageAttributes",
      ...(redrive && typeof redrive === "object" && redrive.deadLetterTargetArn ? { deadLetterArn: redrive.deadLetterTargetArn } : {}),
    };
  });
}
