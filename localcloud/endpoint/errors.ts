import { errorCode } from "../kernel/aws-error";

/**
 * The endpoint's own answers, before a service's: a request for an operation or a path nobody serves, a body that is
 * not JSON, and a failure that is no AwsError (the common errors of the AWS APIs).
 */
export const endpointErrors = {
  UnknownOperationException: errorCode("UnknownOperationException"),
  /** A REST path no service serves: 404, as API Gateway-fronted services answer an unknown route. */
  UnknownPath: errorCode("UnknownOperationException", 404),
  InvalidAction: errorCode("InvalidAction"),
  SerializationException: errorCode("SerializationException"),
  InternalFailure: errorCode("InternalFailure", 500),
};
