import { SendEmailCommand, SESv2ServiceException, type SESv2Client } from "@aws-sdk/client-sesv2";
import { refusalOf, type Delivery } from "./delivery";
import type { EmailContent } from "./messages";

/** One email to one recipient, as send-email builds it. */
export interface Email {
  /** The From header, `"Name" <address>` or the address alone; its address belongs to the SES identity. */
  readonly from: string;
  readonly to: string;
  /** The SES configuration set the email is sent through (its grant covers exactly this one). */
  readonly configurationSet: string;
  readonly content: EmailContent;
  /** SES message tags, published with the email's events (bounces, complaints): letters, digits, `_` and `-` only. */
  readonly tags: Readonly<Record<string, string>>;
}

// SES v2 SendEmail errors that concern this one message, so that sending it again gets the same answer
// (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html):
// - MessageRejected: "the message can't be sent because it contains invalid content"; also what the SES sandbox
//   answers for a recipient that is not verified ("Email address is not verified");
// - BadRequestException: the input is invalid; with From, configuration set and content fixed by the deployment,
//   that is the recipient's address ("Illegal address", "Invalid email address").
// Every other error fails the record, so the queue retries it and then keeps it in its dead-letter queue:
// TooManyRequestsException and LimitExceededException (sending rate and quota) and 5xx answers pass with time;
// SendingPausedException, AccountSuspendedException, MailFromDomainNotVerifiedException and NotFoundException (no
// such configuration set) are the account's or the deployment's state, fixed by the team, after which the
// dead-letter queue is redriven: no email is lost to them.
const REFUSALS: ReadonlySet<string> = new Set(["MessageRejected", "BadRequestException"]);

/** Sends one email with SES v2 SendEmail: a simple message with a text and an HTML part, both UTF-8. */
export async function sendEmail(client: SESv2Client, email: Email): Promise<Delivery> {
  const utf8 = (Data: string) => ({ Data, Charset: "UTF-8" });
  try {
    const output = await client.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: {
            Subject: utf8(email.content.subject),
            Body: { Text: utf8(email.content.text), Html: utf8(email.content.html) },
          },
        },
        ConfigurationSetName: email.configurationSet,
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    return { sent: true, messageId: output.MessageId ?? "" };
  } catch (error) {
    if (error instanceof SESv2ServiceException && REFUSALS.has(error.name)) return { sent: false, refusal: refusalOf(error) };
    throw error;
  }
}
