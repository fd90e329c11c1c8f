// Refreshes ops/cost/prices.json from the AWS Price List API's offer files (no credentials needed; the public bulk
// files): `node -r ./ops/register.js ops/cost/update-prices.ts [--offers <dir>]`. Each figure keeps its unit (`per`);
// its price is the offer's first paid tier for the figure's usage type, in the table's region. With --offers, the
// offer files are read from a folder (`<offerCode>.json`) instead of the network, as the tests do.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { priceInOffer, type OfferFile } from "./price-list";
import { loadPriceTable, PRICE_TABLE_FILE, type PriceTable } from "./price-table";

const PRICE_LIST = "https://pricing.us-east-1.amazonaws.com";

/** An offer file by offer code, for a region. */
export type OfferSource = (offerCode: string, region: string) => Promise<OfferFile>;

export const fromNetwork: OfferSource = async (offerCode, region) => {
  const url = `${PRICE_LIST}/offers/v1.0/aws/${offerCode}/current/${region}/index.json`;
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  return (await answer.json()) as OfferFile;
};

export const fromFolder =
  (dir: string): OfferSource =>
  async (offerCode) =>
    JSON.parse(readFileSync(path.join(dir, `${offerCode}.json`), "utf8")) as OfferFile;

/** The table with every figure's price read again; figures whose usage type an offer lacks are named, not zeroed. */
export async function refreshPrices(table: PriceTable, source: OfferSource, today: string): Promise<{ table: PriceTable; missing: string[]; changed: string[] }> {
  const offers = new Map<string, OfferFile>();
  const prices: PriceTable["prices"] = {};
  const missing: string[] = [];
  const changed: string[] = [];
  for (const [key, figure] of Object.entries(table.prices)) {
    if (!offers.has(figure.offer)) offers.set(figure.offer, await source(figure.offer, table.region));
    const perUnit = priceInOffer(offers.get(figure.offer)!, figure, table.region);
    if (perUnit === undefined) {
      missing.push(`${key} (${figure.offer} ${figure.usageType})`);
      prices[key] = figure;
      continue;
    }
    const usd = Number((perUnit * figure.per).toPrecision(10));
    if (usd !== figure.usd) changed.push(`${key}: ${figure.usd} -> ${usd} per ${figure.per}`);
    prices[key] = { ...figure, usd };
  }
  return { table: { ...table, read: today, prices }, missing, changed };
}

async function main(argv: readonly string[]): Promise<number> {
  const offersDir = argv[argv.indexOf("--offers") + 1];
  const source = argv.includes("--offers") && offersDir ? fromFolder(offersDir) : fromNetwork;
  const { table, missing, changed } = await refreshPrices(loadPriceTable(), source, new Date().toISOString().slice(0, 10));
  writeFileSync(PRICE_TABLE_FILE, `${JSON.stringify(table, null, 2)}\n`);
  for (const line of changed) process.stdout.write(`changed ${line}\n`);
  for (const line of missing) process.stderr.write(`not found in its offer, kept as it was: ${line}\n`);
  process.stdout.write(`${PRICE_TABLE_FILE}: ${Object.keys(table.prices).length} figures, read ${table.read}\n`);
  return missing.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      process.exit(2);
    },
  );
}
