import type { PriceFigure } from "./price-table";

/**
 * The parts of an AWS Price List API offer file (`/offers/v1.0/aws/<offerCode>/current/<region>/index.json`) that the
 * price table reads: each product's usage type, and its on-demand price dimensions with their tiers.
 * https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-an-offer.html
 */
export interface OfferFile {
  readonly offerCode: string;
  readonly products: Readonly<Record<string, { readonly sku: string; readonly attributes?: Readonly<Record<string, string>> }>>;
  readonly terms: {
    readonly OnDemand?: Readonly<
      Record<string, Readonly<Record<string, { readonly priceDimensions: Readonly<Record<string, { readonly beginRange?: string; readonly unit?: string; readonly pricePerUnit: Readonly<Record<string, string>> }>> }>>>
    >;
  };
}

/** The usage type as an offer file names it in a region: us-east-1's carry no prefix, others their code (`EUW2-`). */
const REGION_PREFIX: Readonly<Record<string, string>> = { "us-east-1": "", "us-east-2": "USE2-", "us-west-2": "USW2-", "eu-west-1": "EU-", "eu-west-2": "EUW2-", "eu-central-1": "EUC1-" };

/**
 * A figure's price in an offer file: the product whose usage type is the figure's (with the region's prefix, or
 * `USE1-`, which some offers use in us-east-1 too), its first paid tier in USD per unit. Undefined when the offer has
 * no such product, so the caller can say which figure is missing.
 */
export function priceInOffer(offer: OfferFile, figure: Pick<PriceFigure, "usageType">, region: string): number | undefined {
  const prefix = REGION_PREFIX[region];
  if (prefix === undefined) throw new Error(`ops/cost/price-list.ts knows no usage-type prefix for ${region}: add it (AWS's billing region codes)`);
  const wanted = new Set([`${prefix}${figure.usageType}`, ...(region === "us-east-1" ? [`USE1-${figure.usageType}`] : [])]);
  const products = Object.values(offer.products).filter((p) => wanted.has(p.attributes?.usagetype ?? ""));
  for (const product of products) {
    const dimensions = Object.values(offer.terms.OnDemand?.[product.sku] ?? {}).flatMap((term) => Object.values(term.priceDimensions));
    const paid = dimensions
      .map((d) => ({ begin: Number(d.beginRange ?? 0), usd: Number(d.pricePerUnit.USD) }))
      .filter((d) => Number.isFinite(d.usd) && d.usd > 0)
      .sort((a, b) => a.begin - b.begin);
    if (paid.length > 0) return paid[0].usd;
  }
  return undefined;
}
