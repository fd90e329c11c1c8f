import { AwsError } from "../kernel/aws-error";

/**
 * The members each JSON-protocol operation takes, read from the AWS SDK's own model of it: every SDK v3 client exports
 * its operations' schemas (`SendMessage$` = `[9, namespace, "SendMessage", traits, input, output]`, the input a
 * structure `[3, namespace, name, traits, memberNames, memberSchemas]`), generated from the service's Smithy model.
 */
const CLIENTS: Readonly<Record<string, () => Promise<Readonly<Record<string, unknown>>>>> = {
  AmazonSQS: () => import("@aws-sdk/client-sqs"),
  AWSEvents: () => import("@aws-sdk/client-eventbridge"),
  AWSStepFunctions: () => import("@aws-sdk/client-sfn"),
  DynamoDB_20120810: () => import("@aws-sdk/client-dynamodb"),
  DynamoDBStreams_20120810: () => import("@aws-sdk/client-dynamodb-streams"),
  PinpointSMSVoiceV2: () => import("@aws-sdk/client-pinpoint-sms-voice-v2"),
  Logs_20140328: () => import("@aws-sdk/client-cloudwatch-logs"),
};

type Schema = unknown[] | (() => unknown[]);

/**
 * The members an operation's input takes (`QueueUrl`, `MessageBody`...), or undefined when the SDK has no model of
 * the service or the operation (the service then answers the operation itself).
 */
export async function inputMembersOf(targetPrefix: string, operation: string): Promise<readonly string[] | undefined> {
  const load = CLIENTS[targetPrefix];
  if (!load) return undefined;
  const operationSchema = (await load())[`${operation}$`] as unknown[] | undefined;
  if (!Array.isArray(operationSchema) || operationSchema[0] !== 9) return undefined;
  const input = resolve(operationSchema[4] as Schema);
  return Array.isArray(input) && input[0] === 3 && Array.isArray(input[4]) ? (input[4] as string[]) : undefined;
}

/**
 * Refuses a request that carries members its operation does not take. The AWS SDKs never send one: botocore refuses
 * it before sending (`Unknown parameter in input: "QueueName", must be one of: QueueUrl, MessageBody, ...`), and the
 * SDK v3 serializers write only the input's own members, so only a hand-made request carries one. AWS's JSON services
 * read the members of the operation's input and nothing else; a member they would ignore must not decide anything here
 * either (IAM once took a SendMessage's queue from a stray `QueueName`). The local cloud answers with botocore's words,
 * as each service's documented error for an invalid parameter: SQS `InvalidParameterValue` (its common errors), the
 * others `ValidationException`. No public record shows what SQS itself answers to an unknown member (LocalStack's
 * parser, which is checked against AWS, reads the input's members only): refusing is the side on which whatever passes
 * here also passes in AWS.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export async function refuseUnknownMembers(targetPrefix: string, operation: string, input: Readonly<Record<string, unknown>>): Promise<void> {
  const members = await inputMembersOf(targetPrefix, operation);
  if (!members) return;
  const unknown = Object.keys(input).filter((key) => !members.includes(key));
  if (unknown.length === 0) return;
  const message = `Unknown parameter${unknown.length === 1 ? "" : "s"} in input: ${unknown.map((k) => `"${k}"`).join(", ")}, must be one of: ${members.join(", ")}`;
  throw targetPrefix === "AmazonSQS" ? new AwsError("InvalidParameterValue", message, 400, "Sender", "InvalidParameterValue") : new AwsError("ValidationException", message);
}

function resolve(schema: Schema): unknown[] {
  return typeof schema === "function" ? schema() : schema;
}
