import type { LocalGraph } from "../graph/graph";
import type { LocalIam } from "./authorizer";

/**
 * The pollers whose role may not read their source, by component: an SQS event source mapping needs
 * sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on its queue in the function's execution role (and
 * kms:Decrypt on a customer managed key); a pipe reading a DynamoDB stream needs dynamodb:DescribeStream,
 * dynamodb:GetRecords and dynamodb:GetShardIterator on the stream in the pipe's role. AWS refuses to create such a
 * mapping, and such a pipe fails to start; the local cloud does not run them, and records each denial.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
 */
export async function pollerDenials(iam: LocalIam, graph: Pick<LocalGraph, "eventSourceMappings" | "functions" | "pipes">): Promise<Set<string>> {
  const refused = new Set<string>();
  const need = async (component: string, principal: string, actions: readonly string[], resource: string, via: string) => {
    for (const action of actions) {
      if (!(await iam.check({ principal, action, resource, via })).allowed) refused.add(component);
    }
  };
  for (const esm of graph.eventSourceMappings) {
    const fn = graph.functions.find((f) => f.arn === esm.functionArn);
    if (!fn || esm.sourceKind !== "sqs") continue;
    await need(esm.component, fn.roleArn, ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], esm.sourceArn, `event source mapping ${esm.component}`);
    const key = iam.policies.keyFor(esm.sourceArn);
    if (key) await need(esm.component, fn.roleArn, ["kms:Decrypt"], key, `event source mapping ${esm.component}`);
  }
  for (const pipe of graph.pipes) {
    await need(pipe.component, pipe.roleArn, ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], pipe.sourceArn, `pipe ${pipe.component}`);
  }
  return refused;
}
