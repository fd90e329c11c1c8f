/**
 * SES's mailbox simulator, as AWS documents it: `success@`, `bounce@`, `ooto@`, `complaint@` and `suppressionlist@`
 * `simulator.amazonses.com`, optionally labelled (`success+dev@...`); each address gives its outcome (delivered,
 * bounced, auto-reply, complaint, suppressed). The emulator's own copy of AWS's fact: the app chooses these addresses
 * as recipients (handlers/notifications/recipients.ts), the local SES answers them as SES does.
 * https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator
 */
export const MAILBOX_SIMULATOR_ADDRESS = /^(success|bounce|ooto|complaint|suppressionlist)(\+[A-Za-z0-9._-]+)?@simulator\.amazonses\.com$/;
