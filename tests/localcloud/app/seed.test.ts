import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_SEED_FILE, readSeed, SeedError, seedInventory } from "../../../localcloud/app/seed/seed";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";

const dir = mkdtempSync(path.join(tmpdir(), "orderflow-seed-"));
function seedFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}
function refusal(file: string): string {
  try {
    readSeed(file);
  } catch (error) {
    assert.ok(error instanceof SeedError, String(error));
    return error.message;
  }
  assert.fail(`${file} was accepted`);
}

describe("local cloud: the catalog seed", () => {
  it("reads the default seed: every SKU priced, one out of stock, one withdrawn", () => {
    const seed = readSeed(DEFAULT_SEED_FILE);
    const entries = Object.entries(seed.catalog);
    assert.ok(entries.length >= 5);
    assert.ok(entries.every(([, e]) => Object.keys(e.prices).length > 0), "every SKU has a price");
    assert.ok(entries.some(([, e]) => e.stock === 0 && (e.sold ?? true)), "one sold SKU is out of stock");
    assert.ok(entries.some(([, e]) => e.sold === false), "one SKU is not sold");
    assert.equal(seed.catalog["MOUSE-02"].prices.EUR, 2499);
  });

  it("refuses the old stock-only form with a message that shows the new form, with the file's own first SKU", () => {
    const message = refusal(seedFile("old.json", { stock: { "LAMP-9": 12, "DESK-1": 3 } }));
    assert.match(message, /has the old form \{"stock": \{"<sku>": <quantity>\}\}, without prices/);
    assert.ok(message.includes('{"catalog":{"LAMP-9":{"stock":12,"prices":{"EUR":1250}}}}'), message);
  });

  it("names each problem: a bad SKU, a negative stock, a price of 0, a currency that is none, an unknown key", () => {
    const message = refusal(
      seedFile("bad.json", {
        catalog: {
          "bad sku": { stock: 1, prices: { EUR: 100 } },
          "A-1": { stock: -1, prices: { EUR: 0, EURO: 100 } },
          "B-2": { stock: 1, prices: { EUR: 100 }, discount: 5 },
        },
      }),
    );
    for (const expected of ["catalog.bad sku", "catalog.A-1.stock", "catalog.A-1.prices.EUR", "catalog.A-1.prices.EURO", "catalog.B-2", "Expected {\"catalog\""]) {
      assert.ok(message.includes(expected), `${expected} not in: ${message}`);
    }
    assert.match(refusal(seedFile("text.json", "{nope")), /is not valid JSON/);
  });

  describe("seedInventory", () => {
    const dynamo = useDynamoDBLocal({ "seed-stock": "pk", "seed-catalog": "sku" });
    it("writes each SKU's stock into the stock table and its prices into the catalog table, sold unless it says not", async () => {
      const seed = readSeed(seedFile("ok.json", { catalog: { "A-1": { stock: 7, prices: { EUR: 1250, USD: 1400 } }, "OLD-1": { stock: 2, prices: { EUR: 500 }, sold: false } } }));
      assert.equal(await seedInventory(dynamo.current.client, { stock: "seed-stock", catalog: "seed-catalog" }, seed), 2);
      const get = async (table: string, key: Record<string, string>) => (await dynamo.current.db.send(new GetCommand({ TableName: table, Key: key }))).Item;
      assert.deepEqual(await get("seed-stock", { pk: "SKU#A-1" }), { pk: "SKU#A-1", sku: "A-1", available: 7 });
      assert.deepEqual(await get("seed-catalog", { sku: "A-1" }), { sku: "A-1", sold: true, prices: { EUR: 1250, USD: 1400 } });
      assert.equal((await get("seed-catalog", { sku: "OLD-1" }))?.sold, false);
    });
  });
});
