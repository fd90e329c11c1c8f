import { makeIdempotent } from "@aws-lambda-powertools/idempotency";
import * as z from "zod/mini";
import { dynamoDbClient, smsClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { eventConsumer, type ConsumedEvent } from "../shared/event-consumer";
import { idempotencyConfig, idempotencyStore } from "../shared/idempotency";
import { count, logger, maskPhone, METRIC_NAMES } from "../shared/powertools";
import type { Delivery } from "./delivery";
import { textFor } from "./messages";
import { CUSTOMERS, isSmsRecipients, SMS_RECIPIENTS_RULE } from "./recipients";
import { sendText } from "./sms";

// SQS consumer of the SMS queue (its SNS filter policy passes OrderShipped only; raw message delivery). Texts the
// customer that the order shipped, once per order however often it is delivered; a customer without a phone number
// gets none. A refusal for good (opted-out or unreachable number) is logged and counted (TextsRefused) and not
// retried; any other failure fails the record, which the queue retries.
//
// Why AWS End User Messaging SMS (SendTextMessage) and not SNS Publish to a phone number: SNS hands its texts to End
// User Messaging SMS for delivery and points to it for "granular permissions, phone pools, configuration sets, SMS
// simulator, and country rules" (https://docs.aws.amazon.com/sns/latest/dg/sns-mobile-phone-number-as-subscriber.html).
// Two of those decide it here. Granular permissions: sms-voice:SendTextMessage is granted on the origination
// identity's ARN, while sns:Publish to a phone number has no resource to scope it to and needs Resource "*", which
// the policy pack's least-privilege rule refuses. The SMS simulator: dev texts simulator numbers that reach no phone
// (https://docs.aws.amazon.com/sms-voice/latest/userguide/test-phone-numbers.html). And the origination identity is
// named on every message, so texts come from the registered number or sender ID the team chose.
// Environment: IDEMPOTENCY_TABLE_NAME; SMS_ORIGINATION_IDENTITY (the phone number, pool or sender ID ARN);
// SMS_RECIPIENTS ("customers", or a simulator destination number that receives every text instead).

const env = readEnvironment({
  IDEMPOTENCY_TABLE_NAME: nonEmpty,
  SMS_ORIGINATION_IDENTITY: z.string().check(z.regex(/^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/\S+$/, "must be the ARN of a phone number, pool or sender ID (arn:aws:sms-voice:...)")),
  SMS_RECIPIENTS: z.string().check(z.refine(isSmsRecipients, `must be ${SMS_RECIPIENTS_RULE}`)),
});
const dynamo = dynamoDbClient();
const sms = smsClient();
const config = idempotencyConfig("key");

const send = makeIdempotent(
  async ({ event }: { key: string; event: ConsumedEvent<"OrderShipped"> }): Promise<Delivery | { sent: false; noPhone: true }> => {
    const phone = event.detail.contact.phone;
    if (phone === undefined) {
      logger.info("no phone number; no SMS", { channel: "sms", template: event.name });
      return { sent: false, noPhone: true };
    }
    const to = env.SMS_RECIPIENTS === CUSTOMERS ? phone : env.SMS_RECIPIENTS;
    const delivery = await sendText(sms, {
      originationIdentity: env.SMS_ORIGINATION_IDENTITY,
      to,
      body: textFor(event),
      context: { event: event.name, orderId: event.detail.orderId },
    });
    // The number is masked: logs are not a place for customers' numbers.
    const about = { channel: "sms", template: event.name, to: maskPhone(to) };
    if (delivery.sent) {
      logger.info("sms sent", { ...about, messageId: delivery.messageId });
      count(METRIC_NAMES.textsSent);
    } else {
      logger.warn("sms refused; not retried", { ...about, refusal: delivery.refusal });
      count(METRIC_NAMES.textsRefused);
    }
    return delivery;
  },
  { persistenceStore: idempotencyStore(env.IDEMPOTENCY_TABLE_NAME, dynamo), config },
);

export const handler = eventConsumer({
  accepts: ["OrderShipped"],
  idempotency: config,
  handle: (event) => send({ key: `sms#${event.name}#${event.detail.orderId}`, event }),
});
