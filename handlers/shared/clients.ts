import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { tracer } from "./powertools";

// Clients are made once per cold start and captured by the tracer, so every call is a subsegment in X-Ray. Each
// handler imports only the factories it uses, so a handler that never publishes bundles no EventBridge client.

/** A low-level DynamoDB client, traced (the idempotency store uses this one). */
export function dynamoDbClient(): DynamoDBClient {
  return tracer.captureAWSv3Client(new DynamoDBClient({}));
}

/** A DynamoDB document client (plain JS values in and out, `undefined` attributes dropped), traced. */
export function documentClient(client: DynamoDBClient = dynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** An EventBridge client, traced. */
export function eventBridgeClient(): EventBridgeClient {
  return tracer.captureAWSv3Client(new EventBridgeClient({}));
}

/** An SES v2 client, traced; `AWS_ENDPOINT_URL_SESV2` points it elsewhere (the local cloud). */
export function sesClient(): SESv2Client {
  return tracer.captureAWSv3Client(new SESv2Client({}));
}

/**
 * An AWS End User Messaging SMS client (API `pinpoint-sms-voice-v2`), traced; `AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2`
 * points it elsewhere (the local cloud).
 */
export function smsClient(): PinpointSMSVoiceV2Client {
  return tracer.captureAWSv3Client(new PinpointSMSVoiceV2Client({}));
}

/** An SQS client, traced. */
export function sqsClient(): SQSClient {
  return tracer.captureAWSv3Client(new SQSClient({}));
}
