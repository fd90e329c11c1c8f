import type { GraphPolicies } from "../../localcloud/iam/policies-from-graph";
import type { Need } from "./need";

/**
 * What a call on a queue or topic encrypted with a customer managed key also needs on the key, as SQS and SNS document
 * it: a producer kms:GenerateDataKey and kms:Decrypt, a consumer kms:Decrypt (the local cloud's IAM asks the same).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html
 * A DynamoDB table's customer managed key is not modelled (nor checked by the local cloud).
 */
export function keyNeeds(needs: readonly Need[], policies: Pick<GraphPolicies, "keyFor">): Need[] {
  return needs.flatMap((need) => {
    const key = need.action.startsWith("sqs:") || need.action.startsWith("sns:") ? policies.keyFor(need.resource) : undefined;
    if (!key) return [];
    const actions = need.action === "sqs:SendMessage" || need.action === "sns:Publish" ? ["kms:GenerateDataKey", "kms:Decrypt"] : need.action === "sqs:ReceiveMessage" ? ["kms:Decrypt"] : [];
    return actions.map((action) => ({ action, resource: key, why: `${need.why}, on a queue or topic encrypted with a customer managed key` }));
  });
}
