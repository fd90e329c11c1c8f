import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { catalogItem, catalogKey, type CatalogItem } from "../shared/catalog";
import { safeParse } from "../shared/validation";

/**
 * The catalog items of the given SKUs, by SKU; a SKU the catalog lacks is absent from the map. One GetItem per distinct
 * SKU (an order has at most 50 lines), all at once, eventually consistent: a price change takes effect within a second,
 * and an order priced a moment before it was made at the price then.
 *
 * GetItem rather than one BatchGetItem: the table is then named by `TableName`, which `orderflow access` follows to the
 * function's CATALOG_TABLE_NAME, so the grant (`dynamodb:GetItem` on the catalog) is checked against the code; the
 * cost is the same (DynamoDB bills BatchGetItem per item read).
 */
export async function readCatalog(db: DynamoDBDocumentClient, tableName: string, skus: readonly string[]): Promise<Map<string, CatalogItem>> {
  const items = await Promise.all(
    [...new Set(skus)].map(async (sku) => {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: catalogKey(sku) }));
      return Item === undefined ? undefined : toCatalogItem(Item);
    }),
  );
  return new Map(items.flatMap((item) => (item ? [[item.sku, item] as const] : [])));
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
