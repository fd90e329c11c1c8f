import { makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { dynamoDbClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { eventConsumer, type ConsumedEvent } from "../shared/event-consumer";
import { idempotencyConfig, idempotencyStore } from "../shared/idempotency";
import { logger, maskEmail } from "../shared/powertools";
import { messageFor } from "./messages";

// SQS consumer of the email queue (SNS notifications topic, raw message delivery: each body is an EventBridge event).
// Records the email it would send in the log, once per event kind and order, however often it is delivered.
// Environment: IDEMPOTENCY_TABLE_NAME.

const env = readEnvironment({ IDEMPOTENCY_TABLE_NAME: nonEmpty });
const dynamo = dynamoDbClient();
const config = idempotencyConfig("key");

type EmailEvent = ConsumedEvent<"OrderConfirmed" | "OrderCancelled" | "OrderShipped">;

const send = makeIdempotent(
  async (email: { key: string; event: EmailEvent }) => {
    const message = messageFor(email.event);
    // The recipient is masked: logs are not a place for customers' addresses.
    logger.info("email recorded", { channel: "email", to: maskEmail(email.event.detail.contact.email), template: email.event.name, ...message });
    return { sent: true };
  },
  { persistenceStore: idempotencyStore(env.IDEMPOTENCY_TABLE_NAME, dynamo), config },
);

export const handler = eventConsumer({
  accepts: ["OrderConfirmed", "OrderCancelled", "OrderShipped"],
  idempotency: config,
  handle: (event) => send({ key: `email#${event.name}#${event.detail.orderId}`, event }),
});
