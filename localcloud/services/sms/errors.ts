import { errorCode } from "../../kernel/aws-error";

/**
 * End User Messaging SMS's error codes (API reference, SendTextMessage's Errors); the shapes' members (Reason,
 * ResourceType...) are given at the call.
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html
 */
export const smsErrors = {
  ConflictException: errorCode("ConflictException"),
  ResourceNotFoundException: errorCode("ResourceNotFoundException", 404),
  UnknownOperationException: errorCode("UnknownOperationException"),
  ValidationException: errorCode("ValidationException"),
};
