import { errorCode } from "../../kernel/aws-error";
import { jsonAuthErrors } from "../../iam/service-iam";

/** SES v2's refusals: the JSON services' codes, with 403 for a denial and for a bad signature. */
export const sesAuthErrors = jsonAuthErrors({ denied: 403, signature: 403 });

/**
 * SES v2's error codes (API reference, SendEmail's Errors).
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
export const sesErrors = {
  BadRequestException: errorCode("BadRequestException"),
  MessageRejected: errorCode("MessageRejected"),
  NotFoundException: errorCode("NotFoundException", 404),
  SendingPausedException: errorCode("SendingPausedException"),
};
