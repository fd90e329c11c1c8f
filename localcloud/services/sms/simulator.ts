/**
 * The SMS simulator's US destination numbers (a success event, a failure event), as AWS lists them. A simulator
 * origination number reaches only the destination numbers of its own country, and AWS offers simulator origination
 * numbers in the United States only. The emulator's own copy of AWS's fact: the app chooses these numbers as
 * recipients (handlers/notifications/recipients.ts), the local SMS answers them as End User Messaging SMS does.
 * https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html
 */
export const SMS_SIMULATOR_DESTINATIONS = { success: "+14254147755", failure: "+14254147167" } as const;
