import { jsonAuthErrors } from "../../iam/service-iam";

/** SES v2's refusals: the JSON services' codes, with 403 for a denial and for a bad signature. */
export const sesAuthErrors = jsonAuthErrors({ denied: 403, signature: 403 });
