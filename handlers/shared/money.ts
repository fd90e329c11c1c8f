// Money is kept in each currency's minor unit (an integer: cents for EUR, yen for JPY, fils for BHD), so sums are
// exact. How many minor units make one major unit differs by currency, and so does how an amount is written: both come
// from the runtime's ICU data (Intl), which knows ISO 4217.

/** The ISO 4217 currency codes the runtime knows: `Intl.supportedValuesOf("currency")`. */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));

/** Whether `code` is an ISO 4217 currency code (`"EUR"`, `"JPY"`); `"QQQ"` and `"eur"` are not. */
export function isCurrencyCode(code: string): boolean {
  return CURRENCIES.has(code);
}

/** The digits of the currency's minor unit: 2 for EUR (cents), 0 for JPY, 3 for BHD. */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount in minor units, written in the currency with its own decimals, as customers read prices: 2699 EUR is
 * "€26.99", 1200 JPY is "¥1,200", 1500 BHD is "BHD 1.500" (Intl knows each currency's minor digits, ISO 4217).
 */
export function formatAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  // Intl separates a code from the number with a no-break space; a plain one reads the same in an email and an SMS.
  return new Intl.NumberFormat("en-US", { style: "currency", currency }).format(minor / 10 ** digits).replace(/\u00a0/g, " ");
}
