import { jsonAuthErrors } from "../../iam/service-iam";

/** Lambda's refusals: AccessDeniedException with 403 (Invoke's error list); the JSON services' signature codes. */
export const lambdaAuthErrors = jsonAuthErrors({ denied: 403, signature: 400 });
