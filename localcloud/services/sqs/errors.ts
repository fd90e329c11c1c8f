import { AwsError } from "../../kernel/aws-error";
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
