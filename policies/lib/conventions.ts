// Conventions of the orderflow components that policies rely on (components/queue.ts and friends).

/** Tag naming what a component made a resource for. */
export const ROLE_TAG = "orderflow:role";
/** `ROLE_TAG` value of the dead-letter queues components create. */
export const DEAD_LETTER_ROLE = "dead-letter-queue";
/** Tag a queue carries when it opted out of a dead-letter queue (`deadLetter: false`); its value is the reason. */
export const DEAD_LETTER_OPT_OUT_TAG = "orderflow:dead-letter-opt-out";
/** Tag a topic carries when the X-Ray resource policy admitting SNS for it lives elsewhere (the account's bootstrap). */
export const XRAY_RESOURCE_POLICY_TAG = "orderflow:xray-resource-policy";
/** Seconds SQS uses when `visibilityTimeoutSeconds` is not set. */
export const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
/** Seconds Lambda uses when `timeout` is not set. */
export const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
/** AWS's guidance for Lambda consumers of SQS: visibility timeout at least this many times the function's timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
