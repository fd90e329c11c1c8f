// Where notifications go. Production sends to each order's contact; dev sends to AWS's simulators, which accept
// messages from accounts still in the SES and SMS sandboxes and deliver them to no one. No side effects: the stack
// settings (stacks/settings.ts) validate their values with these same rules.

/** The recipients setting that sends every notification to the order's own contact address or number. */
export const CUSTOMERS = "customers";

/**
 * An address of SES's mailbox simulator: `success@`, `bounce@`, `ooto@`, `complaint@` or `suppressionlist@`
 * `simulator.amazonses.com`, optionally labelled (`success+dev@...`). The simulator works in the SES sandbox and
 * does not count against the sending quota or the reputation metrics.
 * https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator
 */
export const MAILBOX_SIMULATOR_ADDRESS = /^(success|bounce|ooto|complaint|suppressionlist)(\+[A-Za-z0-9._-]+)?@simulator\.amazonses\.com$/;

/**
 * The SMS simulator's US destination numbers (success, failure). A simulator origination number reaches only the
 * destination numbers of its own country, and AWS offers simulator origination numbers in the United States only,
 * so these are the two a simulator number can text.
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html
 */
export const SMS_SIMULATOR_DESTINATIONS = { success: "+14254147755", failure: "+14254147167" } as const;

/** "customers", or a mailbox simulator address. */
export function isEmailRecipients(value: string): boolean {
  return value === CUSTOMERS || MAILBOX_SIMULATOR_ADDRESS.test(value);
}

/** "customers", or an SMS simulator destination number. */
export function isSmsRecipients(value: string): boolean {
  return value === CUSTOMERS || (Object.values(SMS_SIMULATOR_DESTINATIONS) as string[]).includes(value);
}

export const EMAIL_RECIPIENTS_RULE = `"${CUSTOMERS}" or an address of SES's mailbox simulator, such as "success@simulator.amazonses.com"`;
export const SMS_RECIPIENTS_RULE = `"${CUSTOMERS}" or an SMS simulator destination number (${Object.values(SMS_SIMULATOR_DESTINATIONS).join(" for success, ")} for failure)`;
