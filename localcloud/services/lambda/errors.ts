import { errorCode } from "../../kernel/aws-error";
import { jsonAuthErrors } from "../../iam/service-iam";

/** Lambda's refusals: AccessDeniedException with 403 (Invoke's error list); the JSON services' signature codes. */
export const lambdaAuthErrors = jsonAuthErrors({ denied: 403, signature: 400 });

/**
 * Lambda's error codes (API reference, Invoke's Errors).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export const lambdaErrors = {
  ResourceNotFoundException: errorCode("ResourceNotFoundException", 404),
  ServiceException: errorCode("ServiceException", 500),
  TooManyRequestsException: errorCode("TooManyRequestsException", 429),
};
