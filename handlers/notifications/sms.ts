import { PinpointSMSVoiceV2ServiceException, SendTextMessageCommand, type PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { refusalOf, type Delivery } from "./delivery";

/** One text message to one number, as send-sms builds it. */
export interface TextMessage {
  /** The ARN of the phone number, pool or sender ID it is sent from (its grant covers exactly this one). */
  readonly originationIdentity: string;
  /** E.164. */
  readonly to: string;
  readonly body: string;
  /** Published with the message's events; at most 5 entries. */
  readonly context: Readonly<Record<string, string>>;
}

// SendTextMessage errors that concern this one recipient, by exception and `Reason`, so that sending again gets the
// same answer (https://docs.aws.amazon.com/goto/WebAPI/pinpoint-sms-voice-v2-2022-03-31/SendTextMessage):
// - ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT: the customer replied STOP; the origination identity's
//   opt-out list holds the number and AWS refuses to text it, which is how opt-outs are respected here;
// - ConflictException DESTINATION_PHONE_NUMBER_NOT_VERIFIED: the account is in the SMS sandbox and the number is not
//   one of its verified destinations;
// - ValidationException CANNOT_PARSE, DESTINATION_COUNTRY_BLOCKED, INVALID_IDENTITY_FOR_DESTINATION_COUNTRY,
//   INTERNATIONAL_SENDING_NOT_SUPPORTED: the number, or its country, cannot be reached from this identity.
// Every other error fails the record (retried by the queue, then kept in its dead-letter queue): ThrottlingException,
// InternalServerException and ServiceQuotaExceededException (a monthly spend limit) pass with time or a raised
// limit; AccessDeniedException, ResourceNotFoundException and the other reasons are the account's or the
// deployment's state, fixed by the team before the dead-letter queue is redriven.
const REFUSALS: Readonly<Record<string, ReadonlySet<string>>> = {
  ConflictException: new Set(["DESTINATION_PHONE_NUMBER_OPTED_OUT", "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"]),
  ValidationException: new Set(["CANNOT_PARSE", "DESTINATION_COUNTRY_BLOCKED", "INVALID_IDENTITY_FOR_DESTINATION_COUNTRY", "INTERNATIONAL_SENDING_NOT_SUPPORTED"]),
};

/** Sends one transactional text with AWS End User Messaging SMS SendTextMessage. */
export async function sendText(client: PinpointSMSVoiceV2Client, text: TextMessage): Promise<Delivery> {
  try {
    const output = await client.send(
      new SendTextMessageCommand({
        DestinationPhoneNumber: text.to,
        OriginationIdentity: text.originationIdentity,
        MessageBody: text.body,
        // Order updates are time-sensitive: TRANSACTIONAL asks carriers for the higher-reliability route.
        MessageType: "TRANSACTIONAL",
        Context: { ...text.context },
      }),
    );
    return { sent: true, messageId: output.MessageId ?? "" };
  } catch (error) {
    if (error instanceof PinpointSMSVoiceV2ServiceException && isRefusal(error)) return { sent: false, refusal: refusalOf(error) };
    throw error;
  }
}

function isRefusal(error: PinpointSMSVoiceV2ServiceException & { Reason?: unknown }): boolean {
  return typeof error.Reason === "string" && (REFUSALS[error.name]?.has(error.Reason) ?? false);
}
