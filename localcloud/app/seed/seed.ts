import { readFileSync } from "node:fs";
import path from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { stockKey, type StockItem } from "../../../handlers/inventory/stock-table";
import { catalogKey, type CatalogItem } from "../../../handlers/shared/catalog";
import { isCurrencyCode } from "../../../handlers/shared/money";
import { OperationError } from "../../../ops/automation/errors";

/** The seed file the local cloud starts from unless `--seed` names another. */
export const DEFAULT_SEED_FILE = path.join(__dirname, "default.json");

const skuKey = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, - or _ (as the orders API accepts a SKU)"));
const currencyKey = z.string().check(z.refine((c) => /^[A-Z]{3}$/.test(c) && isCurrencyCode(c), 'must be an ISO 4217 currency code such as "EUR"'));

/**
 * `{"catalog": {"<sku>": {"stock": <available quantity>, "prices": {"<currency>": <unit price in minor units>}, "sold": true}}}`:
 * SKUs as the orders API accepts them, quantities whole and not negative, prices whole and at least 1, `sold`
 * optional (true unless false). One entry seeds inventory's two tables: the SKU's stock and its catalog item.
 */
const seedSchema = z.strictObject({
  catalog: z.record(
    skuKey,
    z.strictObject({
      stock: z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000_000)),
      prices: z.record(currencyKey, z.number().check(z.int(), z.minimum(1), z.maximum(100_000_000))),
      sold: z.optional(z.boolean()),
    }),
  ),
});

export type Seed = z.infer<typeof seedSchema>;

/** The form a seed file has, written out for error messages. */
const SEED_FORM = '{"catalog": {"<sku>": {"stock": <available quantity>, "prices": {"<currency>": <unit price in minor units>}}, ...}}';

/** A seed file that cannot be used; the message names the file and each problem. */
export class SeedError extends OperationError {}

/** Reads and checks a seed file. */
export function readSeed(file: string): Seed {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new SeedError(`Seed file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SeedError(`Seed file ${file} is not valid JSON: ${(error as Error).message}.`);
  }
  refuseStockOnlyForm(file, parsed);
  const result = seedSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the file)"}: ${i.message}`);
    throw new SeedError(`Seed file ${file} is not valid: ${problems.join("; ")}. Expected ${SEED_FORM}.`);
  }
  return result.data;
}

/**
 * The form before the catalog, `{"stock": {"<sku>": <quantity>}}`, has no prices, and every order is priced from the
 * catalog now: such a file would seed SKUs nobody can order. It is refused with its first entry rewritten in the new
 * form, so the fix can be copied.
 */
function refuseStockOnlyForm(file: string, parsed: unknown): void {
  if (parsed === null || typeof parsed !== "object" || !("stock" in parsed) || "catalog" in parsed) return;
  const stock = (parsed as { stock: unknown }).stock;
  const [sku, quantity] = stock !== null && typeof stock === "object" ? (Object.entries(stock)[0] ?? ["KEYBOARD-01", 500]) : ["KEYBOARD-01", 500];
  const example = JSON.stringify({ catalog: { [sku]: { stock: quantity, prices: { EUR: 1250 } } } });
  throw new SeedError(
    `Seed file ${file} has the old form {"stock": {"<sku>": <quantity>}}, without prices; orders are priced from the catalog, so each SKU needs its prices. ` +
      `Write it as ${SEED_FORM}, for example ${example} (prices in the currency's minor unit: 1250 is €12.50).`,
  );
}

/**
 * Writes the seed into the inventory domain's tables, in the item shapes its handlers and place-order read: each SKU's
 * stock into the stock table, its prices and whether it is sold into the catalog table.
 */
export async function seedInventory(client: DynamoDBClient, tables: { stock: string; catalog: string }, seed: Seed): Promise<number> {
  const entries = Object.entries(seed.catalog);
  const db = DynamoDBDocumentClient.from(client);
  await Promise.all(
    entries.flatMap(([sku, entry]) => {
      const stock: StockItem = { ...(stockKey(sku) as { pk: string }), sku, available: entry.stock };
      const item: CatalogItem = { ...(catalogKey(sku) as { sku: string }), sold: entry.sold ?? true, prices: entry.prices };
      return [db.send(new PutCommand({ TableName: tables.stock, Item: stock })), db.send(new PutCommand({ TableName: tables.catalog, Item: item }))];
    }),
  );
  return entries.length;
}
