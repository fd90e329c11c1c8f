import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What became of a message after AWS accepted it, as far as the local cloud knows (the simulators say). */
export interface OutboxDelivery {
  /** `delivered`, `bounced`, `failed`; `accepted` for a real recipient: the local cloud delivers nothing. */
  readonly status: "accepted" | "delivered" | "bounced" | "failed";
  /** The events AWS would publish for it (SES event types, SMS simulator outcomes), in order. */
  readonly events: readonly string[];
  readonly detail: string;
}

/** An email SES accepted. */
export interface OutboxEmail {
  readonly kind: "email";
  readonly messageId: string;
  readonly time: string;
  /** The From header as sent (`"Name" <address>`). */
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly configurationSet?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly delivery: OutboxDelivery;
  /** The message's file in the outbox. */
  readonly file: string;
}

/** A text message End User Messaging SMS accepted. */
export interface OutboxText {
  readonly kind: "sms";
  readonly messageId: string;
  readonly time: string;
  /** The origination identity's ARN. */
  readonly originationIdentity: string;
  readonly destinationPhoneNumber: string;
  readonly messageBody: string;
  readonly messageType?: string;
  readonly context: Readonly<Record<string, string>>;
  readonly delivery: OutboxDelivery;
  readonly file: string;
}

export type OutboxMessage = OutboxEmail | OutboxText;

/**
 * Every message the local SES and SMS services accepted: one file each in `.orderflow/local/<env>/outbox/` (an email
 * as an .eml file a mail client opens, a text as JSON), and in memory for scenarios and tests. Emptied when the local
 * cloud starts, as its logs are.
 */
export class Outbox {
  readonly messages: OutboxMessage[] = [];

  constructor(readonly dir: string) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }

  /** Writes the message's file (`<time>-<kind>-<messageId>.<extension>`) and keeps the message. */
  add<M extends OutboxMessage>(message: Omit<M, "file">, content: string | Buffer, extension: "eml" | "json"): M {
    const stamp = message.time.replace(/[-:]/g, "");
    const file = path.join(this.dir, `${stamp}-${message.kind}-${message.messageId}.${extension}`);
    writeFileSync(file, content);
    const kept = { ...message, file } as M;
    this.messages.push(kept);
    return kept;
  }

  get emails(): OutboxEmail[] {
    return this.messages.filter((m): m is OutboxEmail => m.kind === "email");
  }

  get texts(): OutboxText[] {
    return this.messages.filter((m): m is OutboxText => m.kind === "sms");
  }
}
