import { AwsError } from "../../kernel/aws-error";
import { querySignatureError, type AuthErrors } from "../../iam/service-iam";

/**
 * SNS's refusals: AuthorizationError (403) and the query-era signature codes.
 * https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 */
export const snsAuthErrors: AuthErrors = {
  accessDenied: (message) => new AwsError("AuthorizationError", message, 403),
  badSignature: (failure) => querySignatureError(failure, false),
};
