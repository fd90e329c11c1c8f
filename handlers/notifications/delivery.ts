import { maskEmail, maskPhone } from "../shared/powertools";

/**
 * AWS refused one message for good: sending it again would get the same answer (an invalid or opted-out recipient,
 * rejected content). It is recorded and not retried. `message` has addresses and numbers masked.
 */
export interface Refusal {
  /** The exception's name, e.g. `MessageRejected` or `ConflictException`. */
  readonly error: string;
  /** The exception's `Reason` field, where the API has one (`DESTINATION_PHONE_NUMBER_OPTED_OUT`). */
  readonly reason?: string;
  readonly message: string;
}

/** What became of one message: accepted by AWS, with the id it gave the message, or refused for good. */
export type Delivery = { readonly sent: true; readonly messageId: string } | { readonly sent: false; readonly refusal: Refusal };

/** A refusal from an SDK service exception, with personal data masked (SES names the refused address in its message). */
export function refusalOf(error: Error & { Reason?: unknown }): Refusal {
  const message = error.message
    .replace(/[^\s@<>"',;:]+@[^\s@<>"',;:]+/g, (address) => maskEmail(address))
    .replace(/\+[1-9][0-9]{6,14}/g, (phone) => maskPhone(phone));
  return { error: error.name, ...(typeof error.Reason === "string" ? { reason: error.Reason } : {}), message };
}
