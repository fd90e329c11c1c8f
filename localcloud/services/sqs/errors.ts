import { AwsError, errorCode } from "../../kernel/aws-error";
import { querySignatureError, type AuthErrors } from "../../iam/service-iam";

/**
 * SQS's refusals: AccessDenied (403) and the query-era signature codes, each repeated in the JSON protocol's
 * query-compatible header as SQS sends it.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export const sqsAuthErrors: AuthErrors = {
  accessDenied: (message) => new AwsError("AccessDenied", message, 403, "Sender", "AccessDenied"),
  badSignature: (failure) => querySignatureError(failure, true),
};

/**
 * SQS's error codes (API reference, each action's Errors; CommonErrors), with the query-compatible codes its JSON
 * protocol repeats in `x-amzn-query-error`.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
export const sqsErrors = {
  BatchEntryIdsNotDistinct: errorCode("BatchEntryIdsNotDistinct", 400, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
  EmptyBatchRequest: errorCode("EmptyBatchRequest", 400, "AWS.SimpleQueueService.EmptyBatchRequest"),
  InvalidAttributeName: errorCode("InvalidAttributeName"),
  InvalidBatchEntryId: errorCode("InvalidBatchEntryId", 400, "AWS.SimpleQueueService.InvalidBatchEntryId"),
  InvalidMessageContents: errorCode("InvalidMessageContents"),
  InvalidParameterValue: errorCode("InvalidParameterValue"),
  MessageNotInflight: errorCode("MessageNotInflight", 400, "AWS.SimpleQueueService.MessageNotInflight"),
  MissingParameter: errorCode("MissingParameter"),
  QueueDoesNotExist: errorCode("QueueDoesNotExist", 400, "AWS.SimpleQueueService.NonExistentQueue"),
  ReceiptHandleIsInvalid: errorCode("ReceiptHandleIsInvalid"),
  TooManyEntriesInBatchRequest: errorCode("TooManyEntriesInBatchRequest", 400, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
  UnsupportedOperation: errorCode("UnsupportedOperation", 400, "AWS.SimpleQueueService.UnsupportedOperation"),
};
