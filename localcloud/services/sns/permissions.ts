import type { EndpointOperation } from "../../endpoint/operation";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * SNS's actions: the query action on the topic it names (`TopicArn`, or `TargetArn`); PublishBatch is authorized as
 * sns:Publish (SNS API reference, PublishBatch).
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
export function snsPermissions(operation: EndpointOperation): RequiredPermission[] | undefined {
  if (operation.protocol !== "query") return undefined;
  const action = operation.params.Action;
  const iamAction = action === "PublishBatch" ? "Publish" : action;
  const topic = operation.params.TopicArn ?? operation.params.TargetArn;
  return action && topic ? [{ action: `sns:${iamAction}`, resource: topic }] : undefined;
}
