import { errorCode } from "../../kernel/aws-error";

/**
 * Step Functions' error codes (API reference, StartExecution's Errors).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export const statesErrors = {
  InvalidExecutionInput: errorCode("InvalidExecutionInput"),
  StateMachineDoesNotExist: errorCode("StateMachineDoesNotExist"),
};
