import { makeIdempotent } from "@aws-lambda-powertools/idempotency";
import * as z from "zod/mini";
import { dynamoDbClient, sesClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { eventConsumer } from "../shared/event-consumer";
import { idempotencyConfig, idempotencyStore } from "../shared/idempotency";
import { count, logger, maskEmail, METRIC_NAMES } from "../shared/powertools";
import type { Delivery } from "./delivery";
import { sendEmail } from "./email";
import { emailFor, type NotifiedEvent } from "./messages";
import { CUSTOMERS, EMAIL_RECIPIENTS_RULE, isEmailRecipients } from "./recipients";

// SQS consumer of the email queue (SNS notifications topic, raw message delivery: each body is an EventBridge event).
// Emails the customer about each order outcome and shipment through SES v2 SendEmail, once per event kind and order
// however often it is delivered. A refusal for good (invalid address, rejected message) is logged and counted
// (EmailsRefused) and not retried; any other failure fails the record, which the queue retries.
// Environment: IDEMPOTENCY_TABLE_NAME; EMAIL_FROM (the From header); EMAIL_CONFIGURATION_SET; EMAIL_RECIPIENTS
// ("customers", or a mailbox simulator address that receives every email instead).

const env = readEnvironment({
  IDEMPOTENCY_TABLE_NAME: nonEmpty,
  EMAIL_FROM: nonEmpty,
  EMAIL_CONFIGURATION_SET: nonEmpty,
  EMAIL_RECIPIENTS: z.string().check(z.refine(isEmailRecipients, `must be ${EMAIL_RECIPIENTS_RULE}`)),
});
const dynamo = dynamoDbClient();
const ses = sesClient();
const config = idempotencyConfig("key");

const send = makeIdempotent(
  async ({ event }: { key: string; event: NotifiedEvent }): Promise<Delivery> => {
    const to = env.EMAIL_RECIPIENTS === CUSTOMERS ? event.detail.contact.email : env.EMAIL_RECIPIENTS;
    const delivery = await sendEmail(ses, {
      from: env.EMAIL_FROM,
      to,
      configurationSet: env.EMAIL_CONFIGURATION_SET,
      content: emailFor(event),
      tags: { event: event.name, orderId: event.detail.orderId },
    });
    // The recipient is masked: logs are not a place for customers' addresses.
    const about = { channel: "email", template: event.name, to: maskEmail(to) };
    if (delivery.sent) {
      logger.info("email sent", { ...about, messageId: delivery.messageId });
      count(METRIC_NAMES.emailsSent);
    } else {
      logger.warn("email refused; not retried", { ...about, refusal: delivery.refusal });
      count(METRIC_NAMES.emailsRefused);
    }
    return delivery;
  },
  { persistenceStore: idempotencyStore(env.IDEMPOTENCY_TABLE_NAME, dynamo), config },
);

export const handler = eventConsumer({
  accepts: ["OrderConfirmed", "OrderCancelled", "OrderShipped"],
  idempotency: config,
  handle: (event) => send({ key: `email#${event.name}#${event.detail.orderId}`, event }),
});
