import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SendEmailCommand, SESv2Client, SESv2ServiceException, type SendEmailCommandInput } from "@aws-sdk/client-sesv2";
import { sendEmail } from "../../../../handlers/notifications/email";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import type { GraphConfigurationSet, GraphEmailIdentity } from "../../../../localcloud/services/ses/spec";
import { Outbox } from "../../../../localcloud/kernel/outbox";
import { SesService } from "../../../../localcloud/services/ses/service";

const A = "123456789012";
const DOMAIN: GraphEmailIdentity = { component: "customerEmail", identity: "dev.orderflow.example.com", type: "DOMAIN", arn: `arn:aws:ses:us-east-1:${A}:identity/dev.orderflow.example.com`, defaultConfigurationSet: "orderflow-dev-customerEmail" };
const ADDRESS: GraphEmailIdentity = { component: "alerts", identity: "alerts@ops.example.org", type: "EMAIL_ADDRESS", arn: `arn:aws:ses:us-east-1:${A}:identity/alerts@ops.example.org` };
const SETS: GraphConfigurationSet[] = [
  { name: "orderflow-dev-customerEmail", arn: `arn:aws:ses:us-east-1:${A}:configuration-set/orderflow-dev-customerEmail`, sendingEnabled: true },
  { name: "paused", arn: `arn:aws:ses:us-east-1:${A}:configuration-set/paused`, sendingEnabled: false },
];
const FROM = '"Orderflow (dev)" <orders@dev.orderflow.example.com>';

describe("local cloud: SES v2 SendEmail", () => {
  let dir: string;
  let outbox: Outbox;
  let activity: Activity;
  let endpoint: AwsEndpoint;
  let client: SESv2Client;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "outbox-"));
    outbox = new Outbox(path.join(dir, "outbox"));
    activity = new Activity();
    endpoint = new AwsEndpoint(() => "sendEmail-role");
    endpoint.serveRest(new SesService([DOMAIN, ADDRESS], SETS, outbox, activity, "us-east-1"));
    client = new SESv2Client({ region: "us-east-1", endpoint: await endpoint.listen(), credentials: { accessKeyId: "a", secretAccessKey: "b" }, maxAttempts: 1 });
  });

  afterEach(async () => {
    client.destroy();
    await endpoint.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const email = (overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
    FromEmailAddress: FROM,
    Destination: { ToAddresses: ["success@simulator.amazonses.com"] },
    Content: { Simple: { Subject: { Data: "Your order o-1 is confirmed: €19.99" }, Body: { Text: { Data: "Total: €19.99" }, Html: { Data: "<p>Total: <b>€19.99</b></p>" } } } },
    ConfigurationSetName: "orderflow-dev-customerEmail",
    EmailTags: [{ Name: "event", Value: "OrderConfirmed" }],
    ...overrides,
  });

  /** The SDK's exception for a request, with the HTTP status. */
  async function refusal(input: SendEmailCommandInput): Promise<{ name: string; message: string; status?: number }> {
    try {
      await client.send(new SendEmailCommand(input));
    } catch (error) {
      assert.ok(error instanceof SESv2ServiceException, `expected an SES exception, got ${String(error)}`);
      return { name: error.name, message: error.message, status: error.$metadata.httpStatusCode };
    }
    assert.fail("expected SendEmail to be refused");
  }

  it("accepts the handler's email from an address of the domain identity: MessageId, an .eml in the outbox, an activity line", async () => {
    const delivery = await sendEmail(client, {
      from: FROM,
      to: "success@simulator.amazonses.com",
      configurationSet: "orderflow-dev-customerEmail",
      content: { subject: "Your order o-1 is confirmed: €19.99", text: "Order o-1\nTotal: €19.99", html: "<p>Order <strong>o-1</strong></p>" },
      tags: { event: "OrderConfirmed", orderId: "o-1" },
    });
    assert.ok(delivery.sent);
    assert.match(delivery.messageId, /^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
    const [message] = outbox.emails;
    assert.equal(message.messageId, delivery.messageId);
    assert.deepEqual([message.from, message.to, message.subject, message.text, message.configurationSet, message.tags], [FROM, ["success@simulator.amazonses.com"], "Your order o-1 is confirmed: €19.99", "Order o-1\nTotal: €19.99", "orderflow-dev-customerEmail", { event: "OrderConfirmed", orderId: "o-1" }]);
    assert.deepEqual([message.delivery.status, message.delivery.events], ["delivered", ["Send", "Delivery"]]);

    assert.equal(path.dirname(message.file), path.join(dir, "outbox"));
    assert.match(path.basename(message.file), new RegExp(`-email-${delivery.messageId}\\.eml$`));
    const eml = readFileSync(message.file, "utf8");
    assert.match(eml, /^From: "Orderflow \(dev\)" <orders@dev\.orderflow\.example\.com>$/m);
    assert.match(eml, /^To: success@simulator\.amazonses\.com$/m);
    assert.match(eml, new RegExp(`^Message-ID:\\s+<${delivery.messageId}@email\\.amazonses\\.com>\r?$`, "m"));
    assert.match(eml, /^Subject: =\?UTF-8\?Q\?Your_order_o-1_is_confirmed/m);
    assert.match(eml, /^Content-Type: multipart\/alternative;/m);
    assert.match(eml, /^Content-Type: text\/plain; charset=utf-8\r?\nContent-Transfer-Encoding: quoted-printable\r?\n\r?\nOrder o-1\r?\nTotal: =E2=82=AC19\.99/m);
    assert.match(eml, /^Content-Type: text\/html; charset=utf-8/m);
    assert.match(eml, /^X-Ses-Configuration-Set: orderflow-dev-customerEmail$/im);
    assert.match(eml, /^X-Ses-Message-Tags: event=OrderConfirmed, orderId=o-1$/im);

    const line = activity.records.find((r) => r.service === "ses");
    assert.deepEqual([line?.kind, line?.name, line?.error], ["send", "customerEmail", false]);
    assert.match(line!.detail, /"Your order o-1 is confirmed: €19\.99" to success@simulator\.amazonses\.com: delivered/);
  });

  it("answers MessageRejected for a From address no identity covers, which the handler records as a refusal", async () => {
    const rejected = await refusal(email({ FromEmailAddress: "orders@example.com" }));
    assert.equal(rejected.name, "MessageRejected");
    assert.equal(rejected.status, 400);
    assert.match(rejected.message, /^Email address is not verified\. The following identities failed the check in region US-EAST-1: orders@example\.com/);
    // An address identity covers that address only, not its domain's other addresses.
    assert.equal((await refusal(email({ FromEmailAddress: "bob@ops.example.org" }))).name, "MessageRejected");
    await client.send(new SendEmailCommand(email({ FromEmailAddress: "alerts@ops.example.org", ConfigurationSetName: undefined })));
    // A subdomain is another identity.
    assert.equal((await refusal(email({ FromEmailAddress: "orders@eu.dev.orderflow.example.com" }))).name, "MessageRejected");

    const delivery = await sendEmail(client, { from: "orders@example.com", to: "success@simulator.amazonses.com", configurationSet: "orderflow-dev-customerEmail", content: { subject: "s", text: "t", html: "h" }, tags: {} });
    assert.deepEqual(delivery.sent ? "sent" : delivery.refusal.error, "MessageRejected");
    assert.equal(outbox.emails.length, 1, "only the email from the address identity was accepted");
  });

  it("answers NotFoundException (404) for a configuration set the graph does not hold, which the handler retries", async () => {
    const missing = await refusal(email({ ConfigurationSetName: "orderflow-prod-customerEmail" }));
    assert.deepEqual([missing.name, missing.status, missing.message], ["NotFoundException", 404, "Configuration set orderflow-prod-customerEmail does not exist."]);
    await assert.rejects(
      sendEmail(client, { from: FROM, to: "success@simulator.amazonses.com", configurationSet: "nope", content: { subject: "s", text: "t", html: "h" }, tags: {} }),
      (e: Error) => e.name === "NotFoundException",
    );
    assert.equal((await refusal(email({ ConfigurationSetName: "paused" }))).name, "SendingPausedException");
    // No configuration set named: the identity's default one applies.
    await client.send(new SendEmailCommand(email({ ConfigurationSetName: undefined })));
    assert.equal(outbox.emails[0].configurationSet, "orderflow-dev-customerEmail");
  });

  it("validates what SES validates: recipients (present, at most 50, well-formed), subject, body and tags", async () => {
    const bad = async (input: SendEmailCommandInput, pattern: RegExp) => {
      const answer = await refusal(input);
      assert.equal(answer.name, "BadRequestException", answer.message);
      assert.match(answer.message, pattern);
    };
    await bad(email({ Destination: {} }), /Destination must name at least one recipient/);
    await bad(email({ Destination: undefined }), /Destination must name at least one recipient/);
    const many = Array.from({ length: 26 }, (_, i) => `success+${i}@simulator.amazonses.com`);
    await bad(email({ Destination: { ToAddresses: many, BccAddresses: many.slice(0, 25) } }), /^Recipient count exceeds 50\.$/);
    await client.send(new SendEmailCommand(email({ Destination: { ToAddresses: many, BccAddresses: many.slice(0, 24) } })));
    await bad(email({ Destination: { ToAddresses: ["not an address"] } }), /^Illegal address: not an address$/);
    await bad(email({ Content: { Simple: { Subject: undefined, Body: { Text: { Data: "t" } } } } }), /Subject is required/);
    await bad(email({ Content: { Simple: { Subject: { Data: "s" }, Body: {} } } }), /Body must have a Text or an Html part/);
    await bad(email({ Content: {} }), /exactly one of Simple, Raw or Template/);
    await bad(email({ EmailTags: [{ Name: "order id", Value: "o-1" }] }), /Invalid message tag/);
    assert.equal(outbox.emails.length, 1);
    assert.equal(outbox.emails[0].bcc.length, 24);
  });

  it("applies the mailbox simulator: bounce@ and suppressionlist@ are accepted and bounce, complaint@ is delivered then complained of", async () => {
    const sent = async (to: string) => {
      const { MessageId } = await client.send(new SendEmailCommand(email({ Destination: { ToAddresses: [to] } })));
      return outbox.emails.find((m) => m.messageId === MessageId)!.delivery;
    };
    const bounce = await sent("bounce@simulator.amazonses.com");
    assert.deepEqual([bounce.status, bounce.events], ["bounced", ["Send", "Bounce"]]);
    assert.match(bounce.detail, /550 5\.1\.1/);
    assert.deepEqual((await sent("suppressionlist+dev@simulator.amazonses.com")).events, ["Send", "Bounce"]);
    assert.deepEqual((await sent("complaint@simulator.amazonses.com")).events, ["Send", "Delivery", "Complaint"]);
    assert.deepEqual((await sent("ooto@simulator.amazonses.com")).status, "delivered");
    const real = await sent("customer@example.com");
    assert.deepEqual([real.status, real.events], ["accepted", ["Send"]]);
    assert.equal(readdirSync(path.join(dir, "outbox")).length, 5);
    assert.ok(activity.records.some((r) => r.service === "ses" && r.error === true && r.detail.includes("bounce@simulator.amazonses.com: bounced")));
  });

  it("keeps a Raw message as sent, with its From and recipients read from its headers", async () => {
    const raw = ["From: orders@dev.orderflow.example.com", "To: success@simulator.amazonses.com", "Subject: raw", "", "hello"].join("\r\n");
    const { MessageId } = await client.send(new SendEmailCommand({ Content: { Raw: { Data: Buffer.from(raw) } } }));
    const [message] = outbox.emails;
    assert.equal(message.messageId, MessageId);
    assert.deepEqual([message.from, message.to, message.subject], ["orders@dev.orderflow.example.com", ["success@simulator.amazonses.com"], "raw"]);
    assert.equal(readFileSync(message.file, "utf8"), raw);
    assert.equal((await refusal({ Content: { Raw: { Data: Buffer.from(raw.replace("orders@dev.orderflow", "x@other")) } } })).name, "MessageRejected");
    assert.ok(existsSync(message.file));
  });
});
