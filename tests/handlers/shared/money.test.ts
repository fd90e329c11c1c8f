import { strict as assert } from "node:assert";
import { emailFor } from "../../../handlers/notifications/messages";
import { currency } from "../../../handlers/shared/events";
import { formatAmount, isCurrencyCode, minorUnitDigits } from "../../../handlers/shared/money";

describe("handlers/shared/money", () => {
  it("knows ISO 4217 codes from the runtime, and nothing else", () => {
    for (const code of ["EUR", "USD", "JPY", "BHD", "CHF"]) assert.ok(isCurrencyCode(code), code);
    for (const code of ["QQQ", "eur", "EURO", ""]) assert.ok(!isCurrencyCode(code), code);
  });

  it("the currency schema refuses three capital letters that are no currency, naming the problem", () => {
    assert.ok(currency.safeParse("EUR").success);
    const qqq = currency.safeParse("QQQ");
    assert.ok(!qqq.success);
    assert.match(qqq.error.issues[0].message, /is not an ISO 4217 currency code/);
    assert.match(currency.safeParse("eur").error!.issues[0].message, /three-letter ISO 4217 code/);
  });

  it("uses each currency's own minor unit: cents, none for the yen, fils for the Bahraini dinar", () => {
    assert.deepEqual(["EUR", "JPY", "BHD"].map(minorUnitDigits), [2, 0, 3]);
    assert.equal(formatAmount(2699, "EUR"), "€26.99");
    assert.equal(formatAmount(1200, "JPY"), "¥1,200");
    assert.equal(formatAmount(1500, "BHD"), "BHD 1.500");
    assert.equal(formatAmount(123456789, "USD"), "$1,234,567.89");
  });

  it("notifications state a yen total as yen, not as hundredths", () => {
    const detail = { orderId: "0b1c2d3e-4f50-4617-8899-aabbccddeeff", customerId: "c", contact: { email: "a@example.com" }, items: [{ sku: "TEA", quantity: 2, unitPrice: 600 }], currency: "JPY", total: 1200 };
    const email = emailFor({ name: "OrderConfirmed", eventId: "e-1", detail });
    assert.match(email.text, /Total: ¥1,200\n/);
  });
});
