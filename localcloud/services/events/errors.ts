import { errorCode } from "../../kernel/aws-error";

/**
 * EventBridge's error codes (API reference, PutEvents' Errors).
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export const eventsErrors = {
  UnknownOperationException: errorCode("UnknownOperationException"),
  ValidationException: errorCode("ValidationException"),
};
