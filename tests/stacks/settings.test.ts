import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { z } from "zod";
import { domainSettingsSchema, environmentSettingsSchema, parseSettings, SettingsError, type NotificationSettings } from "../../stacks/settings";

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
  it("reads the currencies each environment sells, and refuses a code that is no currency or one listed twice", () => {
    assert.deepEqual(parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.dev.yaml"), "Pulumi.dev.yaml").currencies, ["EUR", "USD"]);
    assert.deepEqual(parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.prod.yaml"), "Pulumi.prod.yaml").currencies, ["EUR"]);
    assert.match(settingsError({ "orderflow:currencies": '["EUR","QQQ"]' }), /orderflow:currencies\.1 = "QQQ": must be an ISO 4217 currency code/);
    assert.match(settingsError({ "orderflow:currencies": '["EUR","EUR"]' }), /orderflow:currencies = \["EUR","EUR"\]: lists a currency twice/);
    assert.match(settingsError({ "orderflow:currencies": "[]" }), /orderflow:currencies = \[\]/);
  });

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

  it("takes `none` for no reserved concurrency, where a domain undoes its environment's reservation", () => {
    const none = parseSettings(domainSettingsSchema("orders"), { "orderflow:reservedConcurrency": "none" }, "Pulumi.prod.orders.yaml");
    assert.equal(none.reservedConcurrency, "none");
    assert.match(settingsError({ "orderflow:reservedConcurrency": '"off"' }), /orderflow:reservedConcurrency = "off": expected a number of executions from 1 to 1000, or "none"/);
  });

  it("runs the label worker in a private VPC unless the environment chooses the default VPC (dev does)", () => {
    assert.equal(parseSettings(environmentSettingsSchema, {}, "Pulumi.qa.yaml").labelWorkerVpc, "private");
    assert.equal(parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.dev.yaml"), "Pulumi.dev.yaml").labelWorkerVpc, "default");
    assert.equal(parseSettings(environmentSettingsSchema, asPulumiConfig("Pulumi.prod.yaml"), "Pulumi.prod.yaml").labelWorkerVpc, "private");
    assert.match(settingsError({ "orderflow:labelWorkerVpc": "public" }), /orderflow:labelWorkerVpc = "public": .*"default"\|"private"/);
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

  describe("notifications: where emails and texts go", () => {
    const notifications = domainSettingsSchema("notifications");
    const valid = {
      email: { identity: "mail.example.com", from: "orders@mail.example.com", recipients: "customers" },
      sms: { originationIdentity: "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0123", recipients: "customers" },
    };
    const config = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [`orderflow:${k}`, JSON.stringify(v)]));

    it("every environment says it: dev and staging text the simulator, dev mails the mailbox simulator, prod reaches the customers", () => {
      const read = (env: string) => parseSettings(notifications, asPulumiConfig(`Pulumi.${env}.notifications.yaml`), `Pulumi.${env}.notifications.yaml`) as NotificationSettings;
      const [dev, staging, prod] = ["dev", "staging", "prod"].map(read);
      assert.equal(dev.email.recipients, "success@simulator.amazonses.com");
      assert.deepEqual(dev.sms, { originationIdentity: "simulator", recipients: "+14254147755" });
      assert.equal(staging.email.recipients, "customers");
      assert.deepEqual([prod.email.recipients, prod.sms.recipients], ["customers", "customers"]);
      assert.match(prod.sms.originationIdentity, /^arn:aws:sms-voice:/);
    });

    it("a domain stack without them fails, saying what is missing and where to set it", () => {
      const message = settingsError({}, notifications.extend(environmentSettingsSchema.shape).strict());
      assert.match(message, /orderflow:email = undefined: is required: the SES identity, From address and recipients of the customers' emails/);
      assert.match(message, /orderflow:sms = undefined: is required: the origination identity and recipients of the customers' texts/);
      assert.match(settingsError(config(valid), environmentSettingsSchema), /orderflow:email \(.*\) is a setting of the notifications domain: set it in Pulumi\.<env>\.notifications\.yaml/);
    });

    it("rejects recipients other than the customers or AWS's simulators, a From address outside the identity, and a simulator number texting customers", () => {
      const team = settingsError(config({ ...valid, email: { ...valid.email, recipients: "team@example.com" } }), notifications);
      assert.match(team, /orderflow:email\.recipients = "team@example\.com": must be "customers" or an address of SES's mailbox simulator/);
      const outside = settingsError(config({ ...valid, email: { ...valid.email, from: "orders@example.com" } }), notifications);
      assert.match(outside, /orderflow:email\.from = "orders@example\.com": must be the identity's address, or an address @ the identity's domain/);
      const phone = settingsError(config({ ...valid, sms: { ...valid.sms, recipients: "+4915112345678" } }), notifications);
      assert.match(phone, /orderflow:sms\.recipients = "\+4915112345678": must be "customers" or an SMS simulator destination number/);
      const simulator = settingsError(config({ ...valid, sms: { originationIdentity: "simulator", recipients: "customers" } }), notifications);
      assert.match(simulator, /orderflow:sms\.recipients = "customers": a simulator origination number reaches only simulator destination numbers/);
      const identity = settingsError(config({ ...valid, sms: { ...valid.sms, originationIdentity: "+12065550100" } }), notifications);
      assert.match(identity, /orderflow:sms\.originationIdentity = "\+12065550100": "simulator", or the ARN of a phone number, pool or sender ID/);
    });
  });
});
