import MailComposer from "nodemailer/lib/mail-composer";
import addressparser from "nodemailer/lib/addressparser";
import { randomUUID } from "node:crypto";
import { MAILBOX_SIMULATOR_ADDRESS } from "./mailbox-simulator";
import type { Activity } from "../../kernel/activity";
import type { FaultInjector } from "../../faults/fault-injector";
import { AwsError } from "../../kernel/aws-error";
import type { RestService } from "../../endpoint/endpoint";
import type { GraphConfigurationSet, GraphEmailIdentity } from "./spec";
import type { OutboxDelivery, OutboxEmail, Outbox } from "../../kernel/outbox";
import { sesErrors } from "./errors";

// SES v2 SendEmail (REST-JSON, `POST /v2/email/outbound-emails`) as the API reference documents it
// (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html): an accepted email answers
// `{"MessageId"}`; a refusal answers with the error's name in `x-amzn-ErrorType` and `{"message"}`.

const PATH = "/v2/email/outbound-emails";
/** "50 recipients per message", across To, CC and BCC (SES quotas, https://docs.aws.amazon.com/ses/latest/dg/quotas.html). */
const MAX_RECIPIENTS = 50;
/** Tag names and values: ASCII letters, digits, `_` and `-`, up to 256 characters (API_MessageTag). */
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

interface Content {
  readonly Data?: string;
  readonly Charset?: string;
}

/** The part of SendEmail's input the local service reads. */
interface SendEmailInput {
  readonly FromEmailAddress?: string;
  readonly Destination?: { readonly ToAddresses?: string[]; readonly CcAddresses?: string[]; readonly BccAddresses?: string[] };
  readonly ReplyToAddresses?: string[];
  readonly Content?: {
    readonly Simple?: { readonly Subject?: Content; readonly Body?: { readonly Text?: Content; readonly Html?: Content } };
    readonly Raw?: { readonly Data?: string };
    readonly Template?: { readonly TemplateName?: string; readonly TemplateArn?: string };
  };
  readonly EmailTags?: { readonly Name?: string; readonly Value?: string }[];
  readonly ConfigurationSetName?: string;
}

/**
 * The local SES v2 endpoint for SendEmail: sends only from an address the graph's identities cover (an address identity
 * itself, or any address @ a domain identity) through a configuration set the graph holds, validates what SES
 * validates, applies the mailbox simulator's outcomes, and puts every accepted email in the outbox as an .eml file.
 * Not emulated: identity verification (DKIM, the verification email), the sandbox's verified-recipients rule,
 * sending quotas and rates, deliverability, and the events' publication to an event destination.
 */
export class SesService implements RestService {
  constructor(
    private readonly identities: readonly GraphEmailIdentity[],
    private readonly configurationSets: readonly GraphConfigurationSet[],
    private readonly outbox: Outbox,
    private readonly activity: Activity,
    private readonly region: string,
    /** The fault plan in force: it may throttle a send, as SES does beyond the account's sending rate. */
    private readonly faults?: FaultInjector,
  ) {}

  matches(method: string, path: string): boolean {
    return method === "POST" && path === PATH;
  }

  async call(_method: string, _path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const input = (body ?? {}) as SendEmailInput;
    try {
      if (this.faults?.throttlesSending("ses", input)) throw this.injectedThrottle();
      const email = await this.send(input);
      return { status: 200, body: { MessageId: email.messageId } };
    } catch (error) {
      if (error instanceof AwsError) {
        this.activity.record({ service: "ses", kind: "refused", name: this.identities[0]?.component ?? "ses", detail: `SendEmail refused: ${error.code}: ${error.message}`, error: true });
      }
      throw error;
    }
  }

  /**
   * Beyond the maximum sending rate SES refuses the send; SES v2 answers TooManyRequestsException (429), the message
   * the developer guide gives for the rate ("Maximum sending rate exceeded").
   * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
   * https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas-errors.html
   */
  private injectedThrottle(): AwsError {
    this.faults?.count("ses-throttle");
    this.activity.record({ service: "ses", kind: "fault", name: this.identities[0]?.component ?? "ses", detail: "ses-throttle (fault injected): SendEmail answered TooManyRequestsException", error: true });
    return new AwsError("TooManyRequestsException", "Maximum sending rate exceeded.", 429);
  }

  private async send(input: SendEmailInput): Promise<OutboxEmail> {
    const content = input.Content;
    if (!content || [content.Simple, content.Raw, content.Template].filter(Boolean).length !== 1) {
      throw sesErrors.BadRequestException("Content must contain exactly one of Simple, Raw or Template.");
    }
    if (content.Template) {
      // The stacks create no email templates, so no template name can resolve.
      throw sesErrors.NotFoundException(`Template ${content.Template.TemplateName ?? content.Template.TemplateArn ?? "(none)"} does not exist.`);
    }
    const raw = content.Raw ? rawMessage(content.Raw.Data) : undefined;
    const from = input.FromEmailAddress ?? raw?.header("from");
    if (!from) throw sesErrors.BadRequestException("FromEmailAddress is required: the message has no From address.");
    const fromAddress = this.senderAddress(from);
    const destination = input.Destination ?? (raw ? { ToAddresses: raw.addresses("to"), CcAddresses: raw.addresses("cc"), BccAddresses: raw.addresses("bcc") } : undefined);
    const to = destination?.ToAddresses ?? [];
    const cc = destination?.CcAddresses ?? [];
    const bcc = destination?.BccAddresses ?? [];
    const recipients = [...to, ...cc, ...bcc];
    if (recipients.length === 0) throw sesErrors.BadRequestException("Destination must name at least one recipient (ToAddresses, CcAddresses or BccAddresses).");
    // SES's v1 API answers InvalidParameterValue "Recipient count exceeds 50."; its v2 counterpart is BadRequestException.
    if (recipients.length > MAX_RECIPIENTS) throw sesErrors.BadRequestException(`Recipient count exceeds ${MAX_RECIPIENTS}.`);
    for (const address of [...recipients, ...(input.ReplyToAddresses ?? [])]) {
      if (!ADDRESS.test(addressOf(address) ?? "")) throw sesErrors.BadRequestException(`Illegal address: ${address}`);
    }
    const simple = content.Simple;
    if (simple) {
      if (!simple.Subject?.Data) throw sesErrors.BadRequestException("Content.Simple.Subject is required.");
      if (!simple.Body?.Text?.Data && !simple.Body?.Html?.Data) throw sesErrors.BadRequestException("Content.Simple.Body must have a Text or an Html part.");
    }
    const tags: Record<string, string> = {};
    for (const tag of input.EmailTags ?? []) {
      if (!TAG.test(tag.Name ?? "") || !TAG.test(tag.Value ?? "")) {
        throw sesErrors.BadRequestException(`Invalid message tag ${JSON.stringify(tag)}: names and values hold only ASCII letters, digits, "_" and "-", 256 characters at most.`);
      }
      tags[tag.Name!] = tag.Value!;
    }
    const configurationSet = this.configurationSet(input.ConfigurationSetName, fromAddress);

    const messageId = sesMessageId();
    const time = new Date();
    const delivery = deliveryOf(recipients);
    const message: Omit<OutboxEmail, "file"> = {
      kind: "email",
      messageId,
      time: time.toISOString(),
      from,
      to,
      cc,
      bcc,
      subject: simple?.Subject?.Data ?? raw?.header("subject") ?? "",
      ...(simple?.Body?.Text?.Data !== undefined ? { text: simple.Body.Text.Data } : {}),
      ...(simple?.Body?.Html?.Data !== undefined ? { html: simple.Body.Html.Data } : {}),
      ...(configurationSet ? { configurationSet: configurationSet.name } : {}),
      tags,
      delivery,
    };
    const eml = raw ? raw.bytes : await composeEml(message, input.ReplyToAddresses ?? [], time);
    const kept = this.outbox.add<OutboxEmail>(message, eml, "eml");
    const identity = this.identityCovering(fromAddress)!;
    // SES bills each recipient of an outbound email as one message (https://aws.amazon.com/ses/pricing/).
    this.activity.meter({ "ses.emails": recipients.length });
    this.activity.record({
      service: "ses",
      kind: "send",
      name: identity.component,
      detail: `email "${message.subject}" to ${recipients.join(", ")}: ${delivery.status} (${delivery.events.join(", ")}) → outbox/${kept.file.split("/").pop()}`,
      error: delivery.status === "bounced",
    });
    return kept;
  }

  /** The From address, which one of the graph's identities must cover; SES answers MessageRejected otherwise. */
  private senderAddress(from: string): string {
    const address = addressOf(from);
    if (!address || !ADDRESS.test(address)) throw sesErrors.BadRequestException(`Illegal address: ${from}`);
    if (!this.identityCovering(address)) {
      // SES's wording for a sender it has no verified identity for (troubleshooting, "Email address is not verified"):
      // https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-error-messages.html
      throw sesErrors.MessageRejected(`Email address is not verified. The following identities failed the check in region ${this.region.toUpperCase()}: ${from}` +
          ` (the environment's SES identities: ${this.identities.map((i) => i.identity).join(", ") || "none"})`);
    }
    return address;
  }

  private identityCovering(address: string): GraphEmailIdentity | undefined {
    const lower = address.toLowerCase();
    const exact = this.identities.find((i) => i.type === "EMAIL_ADDRESS" && i.identity.toLowerCase() === lower);
    return exact ?? this.identities.find((i) => i.type === "DOMAIN" && lower.endsWith(`@${i.identity.toLowerCase()}`));
  }

  /** The named configuration set, or the identity's default one; a name the graph does not hold is NotFoundException. */
  private configurationSet(name: string | undefined, fromAddress: string): GraphConfigurationSet | undefined {
    const chosen = name ?? this.identityCovering(fromAddress)?.defaultConfigurationSet;
    if (chosen === undefined) return undefined;
    const set = this.configurationSets.find((c) => c.name === chosen);
    if (!set) throw sesErrors.NotFoundException(`Configuration set ${chosen} does not exist.`);
    if (!set.sendingEnabled) throw sesErrors.SendingPausedException(`Sending is paused for configuration set ${chosen}.`);
    return set;
  }
}

/**
 * What the mailbox simulator does with each recipient (SES developer guide, "Using the mailbox simulator"):
 * success@ is delivered; bounce@ is refused by the receiving server (SMTP 550 5.1.1), a hard bounce event;
 * ooto@ is delivered and answered automatically; complaint@ is delivered, then marked as spam, a complaint event;
 * suppressionlist@ bounces as if the address were on the suppression list. All of these answer SendEmail with a
 * MessageId: the outcome is an event, never an API error. Other recipients are accepted and go nowhere.
 * https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator
 */
function deliveryOf(recipients: readonly string[]): OutboxDelivery {
  const events = ["Send"];
  const notes: string[] = [];
  let bounced = 0;
  let delivered = 0;
  for (const recipient of recipients) {
    const address = addressOf(recipient) ?? recipient;
    const kind = MAILBOX_SIMULATOR_ADDRESS.exec(address.toLowerCase())?.[1];
    switch (kind) {
      case "success":
        events.push("Delivery");
        delivered++;
        break;
      case "ooto":
        events.push("Delivery");
        notes.push(`${address}: delivered, and an automatic reply goes to the Return-Path`);
        delivered++;
        break;
      case "complaint":
        events.push("Delivery", "Complaint");
        notes.push(`${address}: delivered, then marked as spam (a complaint)`);
        delivered++;
        break;
      case "bounce":
        events.push("Bounce");
        notes.push(`${address}: hard bounce, smtp; 550 5.1.1 user unknown`);
        bounced++;
        break;
      case "suppressionlist":
        events.push("Bounce");
        notes.push(`${address}: hard bounce, the address is on the suppression list`);
        bounced++;
        break;
      default:
        notes.push(`${address}: accepted; the local cloud delivers to no real mailbox`);
    }
  }
  const status = bounced > 0 ? "bounced" : delivered === recipients.length ? "delivered" : "accepted";
  return { status, events: [...new Set(events)], detail: notes.join("; ") || "delivered by the mailbox simulator" };
}

/** The address of `"Name" <address>` or of a bare address; undefined when there is not exactly one. */
function addressOf(value: string): string | undefined {
  const parsed = addressparser(value);
  return parsed.length === 1 && "address" in parsed[0] && parsed[0].address ? parsed[0].address : undefined;
}

/** A message id shaped like SES's: 16 hex digits of time, a UUID, and a sequence (`0100019a...-...-000000`). */
function sesMessageId(): string {
  return `${Date.now().toString(16).padStart(16, "0")}-${randomUUID()}-000000`;
}

/**
 * The email as an RFC 5322 message: multipart/alternative with its text and HTML parts (quoted-printable UTF-8), the
 * SES message id, and the configuration set and tags in SES's own headers, so a mail client opens it as received.
 */
function composeEml(message: Omit<OutboxEmail, "file">, replyTo: readonly string[], date: Date): Promise<Buffer> {
  const headers: Record<string, string> = {};
  if (message.configurationSet) headers["X-SES-CONFIGURATION-SET"] = message.configurationSet;
  const tags = Object.entries(message.tags);
  if (tags.length > 0) headers["X-SES-MESSAGE-TAGS"] = tags.map(([k, v]) => `${k}=${v}`).join(", ");
  const composer = new MailComposer({
    from: message.from,
    to: [...message.to],
    cc: [...message.cc],
    // Bcc is kept in the file (the outbox is the sender's copy); mail clients show it as sent.
    bcc: [...message.bcc],
    ...(replyTo.length > 0 ? { replyTo: [...replyTo] } : {}),
    subject: message.subject,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    messageId: `<${message.messageId}@email.amazonses.com>`,
    date,
    headers,
  });
  const node = composer.compile();
  node.keepBcc = true;
  return node.build();
}

/** A Raw message (base64 in the JSON body): its bytes, and the headers SES reads when the request leaves them out. */
function rawMessage(data: string | undefined): { bytes: Buffer; header(name: string): string | undefined; addresses(name: string): string[] } {
  if (!data) throw sesErrors.BadRequestException("Content.Raw.Data is required.");
  const bytes = Buffer.from(data, "base64");
  const text = bytes.toString("utf8");
  const head = text.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, " ");
  const headers = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0 && !headers.has(line.slice(0, colon).trim().toLowerCase())) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    bytes,
    header: (name) => headers.get(name),
    addresses: (name) => (headers.has(name) ? addressparser(headers.get(name)!, { flatten: true }).map((a) => a.address).filter(Boolean) : []),
  };
}
