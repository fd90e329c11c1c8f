import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import { domainSettingsSchema, environmentSettingsSchema, parseSettings, SettingsError } from "../../stacks/settings";

const root = join(__dirname, "..", "..");

// Pulumi hands a program its config as strings; typed YAML values arrive as their JSON text.
function asPulumiConfig(file: string): Record<string, string> {
  const { config } = parse(readFileSync(join(root, file), "utf8")) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}

function settingsError(config: Record<string, string>, schema: z.ZodType = environmentSettingsSchema): string {
  try {
    parseSettings(schema, config, "Pulumi.dev.yaml");
  } catch (err) {
    assert.ok(err instanceof SettingsError, `expected a SettingsError, got ${String(err)}`);
    return err.message;
  }
  assert.fail("the settings were accepted");
}

describe("stacks/settings", () => {
  it("reads every environment's platform config", () => {
    const dev = parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.dev.yaml"), "Pulumi.dev.yaml");
    const prod = parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.prod.yaml"), "Pulumi.prod.yaml");
    parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.staging.yaml"), "Pulumi.staging.yaml");
    assert.equal(dev.logRetentionDays, 14);
    assert.deepEqual(dev.apiThrottle, { rateLimit: 20, burstLimit: 40 });
    assert.equal(dev.org, "organization", "the org defaults as Pulumi.yaml declares");
    // What users expect prod to do differently from dev.
    assert.ok(prod.logRetentionDays > dev.logRetentionDays);
    assert.equal(prod.deletionProtection, true);
    assert.equal(prod.pointInTimeRecovery, true);
    assert.match(prod.alarmEmail ?? "", /@/);
    assert.ok((prod.reservedConcurrency ?? 0) > (dev.reservedConcurrency ?? 0));
  });

  it("rejects a log retention CloudWatch does not accept, naming the key, the value and the allowed values", () => {
    const message = settingsError({ "orderflow:logRetentionDays": "45" });
    assert.match(message, /orderflow:logRetentionDays = 45/);
    assert.match(message, /1, 3, 5, 7, 14, 30, 60/);
    assert.match(message, /Pulumi\.dev\.yaml/);
  });

  it("rejects an unknown key, naming it", () => {
    const message = settingsError({ "orderflow:logRetention": "30" });
    assert.match(message, /orderflow:logRetention \(30\) is not a setting orderflow knows; check its spelling/);
    assert.match(message, /Settings here: .*logLevel, logRetentionDays/);
  });

  it("reads customer sign-in per environment: self sign-up only in dev, threat protection in prod, and refuses callback URLs Cognito refuses", () => {
    const dev = parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.dev.yaml"), "Pulumi.dev.yaml");
    const prod = parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.prod.yaml"), "Pulumi.prod.yaml");
    assert.deepEqual([dev.identity.selfSignUp, prod.identity.selfSignUp], [true, false]);
    assert.deepEqual([dev.identity.deletionProtection, prod.identity.deletionProtection], [false, true]);
    assert.equal(prod.identity.threatProtection, "ENFORCED");
    assert.equal(prod.identity.accessTokenMinutes, 15, "unset fields of the block keep their defaults");
    const message = settingsError({ "orderflow:identity": JSON.stringify({ callbackUrls: ["http://shop.example.com/"] }) });
    assert.match(message, /orderflow:identity\.callbackUrls\.0 = "http:\/\/shop\.example\.com\/": Cognito accepts only https URLs, or http:\/\/localhost/);
    assert.match(settingsError({ "orderflow:apiClients": JSON.stringify({ storefront: { rateLimit: 1, burstLimit: 1, dailyQuota: 0 } }) }), /orderflow:apiClients\.storefront\.dailyQuota = 0/);
  });

  it("rejects a wrong type, naming the key and the value", () => {
    const message = settingsError({ "orderflow:deletionProtection": "yes" });
    assert.match(message, /orderflow:deletionProtection = "yes"/);
    assert.match(message, /boolean/);
  });

  it("rejects out-of-range numbers and malformed values inside objects", () => {
    assert.match(settingsError({ "orderflow:reservedConcurrency": "0" }), /orderflow:reservedConcurrency = 0: .*>=\s*1/);
    assert.match(settingsError({ "orderflow:apiThrottle": JSON.stringify({ rateLimit: 10, burstLimit: -1 }) }), /orderflow:apiThrottle\.burstLimit = -1/);
    assert.match(settingsError({ "orderflow:alarmEmail": "oncall" }), /orderflow:alarmEmail = "oncall"/);
  });

  it("reports every problem at once", () => {
    const message = settingsError({ "orderflow:logRetentionDays": "45", "orderflow:logLevel": "LOUD" });
    assert.match(message, /logRetentionDays/);
    assert.match(message, /logLevel = "LOUD"/);
  });

  it("ignores other namespaces (aws:region is the provider's)", () => {
    const settings = parseSettings(environmentSettingsSchema, { "aws:region": "eu-west-1" }, "Pulumi.dev.yaml");
    assert.equal(settings.logRetentionDays, 30);
  });

  it("lets a domain override environment settings and set its own, and nothing else", () => {
    const payments = parseSettings(domainSettingsSchema("payments"), asPulumiConfig("Pulumi.dev.payments.yaml"), "Pulumi.dev.payments.yaml");
    assert.equal(payments.paymentDeclineAbove, 50000);
    assert.match(
      settingsError({ "orderflow:paymentDeclineAbove": "10" }, domainSettingsSchema("orders")),
      /orderflow:paymentDeclineAbove \(10\) is a setting of the payments domain: set it in Pulumi\.<env>\.payments\.yaml/,
    );
    const orders = parseSettings(domainSettingsSchema("orders"), asPulumiConfig("Pulumi.prod.orders.yaml"), "Pulumi.prod.orders.yaml");
    assert.equal(orders.reservedConcurrency, 100);
  });
});
