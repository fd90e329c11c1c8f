import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { catalogItem, catalogKey, type CatalogItem } from "../shared/catalog";
import { safeParse } from "../shared/validation";

/** How many times unprocessed keys are asked for again before the read fails (DynamoDB throttling a partition). */
const MAX_ATTEMPTS = 5;

/**
 * The catalog items of the given SKUs, by SKU; a SKU the catalog lacks is absent from the map. One BatchGetItem per
 * order (an order has at most 50 lines, BatchGetItem takes 100 keys), eventually consistent: a price change
 * takes effect within a second, and an order priced a moment before it was made at the price then.
 *
 * BatchGetItem may answer with some keys unprocessed (throttling, the 16 MB limit); they are asked for again with
 * exponential backoff, as AWS advises:
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
export async function readCatalog(db: DynamoDBDocumentClient, tableName: string, skus: readonly string[]): Promise<Map<string, CatalogItem>> {
  const found = new Map<string, CatalogItem>();
  // BatchGetItem refuses a request that names one key twice.
  let keys: Record<string, unknown>[] = [...new Set(skus)].map(catalogKey);
  for (let attempt = 1; keys.length > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`The catalog did not answer for ${keys.length} SKU(s) after ${MAX_ATTEMPTS} attempts (throttled).`);
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const answer = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
    for (const raw of answer.Responses?.[tableName] ?? []) {
      const item = toCatalogItem(raw);
      found.set(item.sku, item);
    }
    keys = answer.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}

/** A catalog item as the table holds it; one that breaks the contract is the catalog's fault, not the customer's (500). */
function toCatalogItem(raw: Record<string, unknown>): CatalogItem {
  const result = safeParse(catalogItem, raw);
  if (!result.success) {
    const where = result.error.issues.map((i) => i.path.join(".") || "(item)").join(", ");
    throw new Error(`Catalog item ${JSON.stringify(raw.sku)} does not match the catalog's contract (handlers/shared/catalog.ts) at ${where}.`);
  }
  return result.data;
}
