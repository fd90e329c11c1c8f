import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";
import { uniquePermissions } from "../../iam/unique-permissions";

/** DynamoDB's and DynamoDB Streams' actions, on the table a table name names (its ARN in the graph) or the stream. */
export function dynamoDbPermissionsOf(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "tables">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const { partition, region, account } = graph.cloud;
  return dynamoDbPermissions(operation.operation, operation.input, (table) =>
    table.startsWith("arn:") ? table : (graph.tables.find((t) => t.name === table)?.arn ?? `arn:${partition}:dynamodb:${region}:${account}:table/${table}`),
  );
}

/**
 * DynamoDB's permissions: the operation on the table (or the index a Query or Scan reads); BatchGetItem and
 * BatchWriteItem on every table they name; a transaction needs each item's own action on its table (GetItem for
 * TransactGetItems; PutItem, UpdateItem, DeleteItem or ConditionCheckItem for TransactWriteItems).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */
function dynamoDbPermissions(name: string, input: Readonly<Record<string, unknown>>, tableArn: (table: string) => string): RequiredPermission[] | undefined {
  const action = `dynamodb:${name}`;
  if (name === "BatchGetItem" || name === "BatchWriteItem") {
    return Object.keys((input.RequestItems as object | undefined) ?? {}).map((table) => ({ action, resource: tableArn(table) }));
  }
  if (name === "TransactWriteItems" || name === "TransactGetItems") {
    const items = (input.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? [];
    const perItem = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem", Get: "GetItem" } as Record<string, string>;
    return uniquePermissions(
      items.flatMap((item) => Object.entries(item).map(([kind, spec]) => ({ action: `dynamodb:${perItem[kind] ?? kind}`, resource: tableArn(String(spec.TableName)) }))),
    );
  }
  if (name === "ListTables") return [{ action, resource: "*" }];
  if (typeof input.StreamArn === "string") return [{ action, resource: input.StreamArn }];
  if (typeof input.TableName !== "string") return undefined;
  const table = tableArn(input.TableName);
  return [{ action, resource: typeof input.IndexName === "string" ? `${table}/index/${input.IndexName}` : table }];
}
