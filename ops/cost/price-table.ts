import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const figureSchema = z.strictObject({
  /** Dollars per `per` units. */
  usd: z.number().nonnegative(),
  per: z.number().positive(),
  unit: z.string().min(1),
  /** The AWS page the figure was read from. */
  source: z.url(),
  /** Where the Price List API has it (ops/cost/update-prices.ts): the offer code and the usage type, without a region prefix. */
  offer: z.string().min(1),
  usageType: z.string().min(1),
});

export const priceTableSchema = z.strictObject({
  region: z.string().min(1),
  currency: z.literal("USD"),
  /** The day the figures were read (YYYY-MM-DD). */
  read: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  source: z.string().min(1),
  prices: z.record(z.string(), figureSchema),
});

export type PriceTable = z.infer<typeof priceTableSchema>;
export type PriceFigure = z.infer<typeof figureSchema>;

/** The project's price table: ops/cost/prices.json. */
export const PRICE_TABLE_FILE = path.join(__dirname, "prices.json");

/** Reads and checks a price table; a malformed one fails naming the file and each problem. */
export function loadPriceTable(file = PRICE_TABLE_FILE): PriceTable {
  const parsed = priceTableSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) throw new Error(`${file} is not a price table:\n${parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  return parsed.data;
}

/** Prices quantities of billed units; a unit the table lacks is an error, never a silent zero. */
export class Pricer {
  constructor(readonly table: PriceTable) {}

  /** The dollars for `quantity` of a figure's unit. */
  price(key: string, quantity: number): number {
    const figure = this.table.prices[key];
    if (!figure) throw new Error(`The price table (${this.table.read}, ${this.table.region}) has no price for "${key}": add it to ops/cost/prices.json through ops/cost/update-prices.ts.`);
    return (quantity / figure.per) * figure.usd;
  }

  has(key: string): boolean {
    return key in this.table.prices;
  }
}
