import { readFileSync } from "node:fs";
import path from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import * as z from "zod/mini";
import { stockKey, type StockItem } from "../../../handlers/inventory/stock-table";
import { OperationError } from "../../../ops/automation/errors";

/** The seed file the local cloud starts from unless `--seed` names another. */
export const DEFAULT_SEED_FILE = path.join(__dirname, "default.json");

/** `{"stock": {"<sku>": <available quantity>}}`: SKUs as the orders API accepts them, quantities whole and not negative. */
const seedSchema = z.strictObject({
  stock: z.record(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, - or _ (as the orders API accepts a SKU)")), z.number().check(z.int(), z.minimum(0), z.maximum(1_000_000_000))),
});

export type Seed = z.infer<typeof seedSchema>;

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
  const result = seedSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "(the file)"}: ${i.message}`);
    throw new SeedError(`Seed file ${file} is not valid: ${problems.join("; ")}. Expected {"stock": {"<sku>": <available quantity>, ...}}.`);
  }
  return result.data;
}

/** Writes the seed's stock into the inventory domain's stock table, in the item shape the inventory handlers read. */
export async function seedStock(client: DynamoDBClient, tableName: string, seed: Seed): Promise<number> {
  const entries = Object.entries(seed.stock);
  const db = DynamoDBDocumentClient.from(client);
  await Promise.all(
    entries.map(([sku, available]) => {
      const item: StockItem = { ...(stockKey(sku) as { pk: string }), sku, available };
      return db.send(new PutCommand({ TableName: tableName, Item: item }));
    }),
  );
  return entries.length;
}
