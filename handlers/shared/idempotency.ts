import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";

/**
 * The layout of the idempotency table the consumers share with Powertools: partition key `id` (S), TTL attribute
 * `expiration` (epoch seconds). Its name comes from IDEMPOTENCY_TABLE_NAME.
 */
export const IDEMPOTENCY_TABLE = { keyAttribute: "id", expiryAttribute: "expiration" } as const;

/** How long a completed record suppresses duplicates: SQS redelivers within the queue's retention, at most 14 days. */
export const IDEMPOTENCY_EXPIRES_AFTER_SECONDS = 14 * 24 * 60 * 60;

/** The Powertools persistence layer on the idempotency table, through the handler's (traced) client. */
export function idempotencyStore(tableName: string, client: DynamoDBClient): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName,
    keyAttr: IDEMPOTENCY_TABLE.keyAttribute,
    expiryAttr: IDEMPOTENCY_TABLE.expiryAttribute,
    awsSdkV3Client: client,
  });
}

/** An idempotency config keyed on `eventKeyJmesPath` of the idempotent function's first argument. */
export function idempotencyConfig(eventKeyJmesPath: string): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath,
    expiresAfterSeconds: IDEMPOTENCY_EXPIRES_AFTER_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
}
