import { strict as assert } from "node:assert";
import path from "node:path";
import { loadPriceTable, type PriceTable } from "../../../ops/cost/price-table";
import { fromFolder, refreshPrices } from "../../../ops/cost/update-prices";

// The price table is refreshed from the AWS Price List API's offer files, never edited by hand; here from a folder of
// offer files in the API's format (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html).
describe("cost: the price table is refreshed from the Price List API's offer files", () => {
  const table = loadPriceTable();
  const lambdaOnly: PriceTable = { ...table, prices: Object.fromEntries(Object.entries(table.prices).filter(([, f]) => f.offer === "AWSLambda")) };
  const offers = fromFolder(path.join(__dirname, "..", "..", "fixtures", "price-list"));

  it("takes each figure's first paid tier, in the table's region and unit, and dates the table", async () => {
    const { table: refreshed, changed, missing } = await refreshPrices(lambdaOnly, offers, "2027-01-01");
    assert.equal(refreshed.read, "2027-01-01");
    assert.equal(refreshed.prices["lambda.requests"].usd, 0.21, "$0.00000021 a request is $0.21 per million");
    assert.equal(refreshed.prices["lambda.gbSeconds.x86_64"].usd, 0.000017, "the tier from 0, not the cheaper one from 6 billion, nor eu-west-1's");
    assert.deepEqual(missing, ["lambda.gbSeconds.arm64 (AWSLambda Lambda-GB-Second-ARM)"]);
    assert.equal(refreshed.prices["lambda.gbSeconds.arm64"].usd, lambdaOnly.prices["lambda.gbSeconds.arm64"].usd, "a figure the offer lacks is kept and named, not zeroed");
    assert.equal(changed.length, 2);
  });

  it("the checked-in table is well formed: every figure has a source page, an offer and a usage type", () => {
    for (const [key, figure] of Object.entries(table.prices)) {
      assert.match(figure.source, /^https:\/\/aws\.amazon\.com\//, key);
      assert.ok(figure.offer && figure.usageType, key);
    }
    assert.equal(table.region, "us-east-1");
  });
});
