import type { EndpointOperation } from "../../endpoint/operation";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * SNS's actions: the query action on the topic it names (`TopicArn`, or `TargetArn`; a subscription's topic, whose ARN
 * is the subscription's without its id); PublishBatch is authorized as sns:Publish (SNS API reference, PublishBatch);
 * ListTopics and ListSubscriptions name no resource (`*`).
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
export function snsPermissions(operation: EndpointOperation): RequiredPermission[] | undefined {
  if (operation.protocol !== "query") return undefined;
  const action = operation.params.Action;
  if (action === "ListTopics" || action === "ListSubscriptions") return [{ action: `sns:${action}`, resource: "*" }];
  const iamAction = action === "PublishBatch" ? "Publish" : action;
  const subscription = operation.params.SubscriptionArn;
  const topic = operation.params.TopicArn ?? operation.params.TargetArn ?? (subscription ? subscription.slice(0, subscription.lastIndexOf(":")) : undefined);
  return action && topic ? [{ action: `sns:${iamAction}`, resource: topic }] : undefined;
}
