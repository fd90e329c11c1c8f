import { makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { dynamoDbClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { eventConsumer, type ConsumedEvent } from "../shared/event-consumer";
import { idempotencyConfig, idempotencyStore } from "../shared/idempotency";
import { logger, maskPhone } from "../shared/powertools";
import { messageFor } from "./messages";

// SQS consumer of the SMS queue (its SNS filter policy passes OrderShipped only; raw message delivery). Records the
// SMS it would send in the log, once per order; a customer without a phone number gets none.
// Environment: IDEMPOTENCY_TABLE_NAME.

const env = readEnvironment({ IDEMPOTENCY_TABLE_NAME: nonEmpty });
const dynamo = dynamoDbClient();
const config = idempotencyConfig("key");

const send = makeIdempotent(
  async (sms: { key: string; event: ConsumedEvent<"OrderShipped"> }) => {
    const phone = sms.event.detail.contact.phone;
    if (phone === undefined) {
      logger.info("no phone number; no SMS", { channel: "sms", template: sms.event.name });
      return { sent: false };
    }
    logger.info("sms recorded", { channel: "sms", to: maskPhone(phone), template: sms.event.name, text: messageFor(sms.event).text });
    return { sent: true };
  },
  { persistenceStore: idempotencyStore(env.IDEMPOTENCY_TABLE_NAME, dynamo), config },
);

export const handler = eventConsumer({
  accepts: ["OrderShipped"],
  idempotency: config,
  handle: (event) => send({ key: `sms#${event.name}#${event.detail.orderId}`, event }),
});
