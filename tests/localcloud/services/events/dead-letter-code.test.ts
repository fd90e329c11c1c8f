import { strict as assert } from "node:assert";
import { deadLetterErrorCode } from "../../../../localcloud/services/events/dead-letter-code";

// https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html: ERROR_CODE holds EventBridge's codes.
describe("local cloud EventBridge: a dead-letter message's ERROR_CODE", () => {
  const code = (failure: string) => deadLetterErrorCode({ code: failure, message: "m", retryable: false });

  it("names a denied call NO_PERMISSIONS and a missing target NO_RESOURCE", () => {
    for (const denied of ["AccessDenied", "AccessDeniedException", "KMSAccessDeniedException", "AuthorizationError"]) assert.equal(code(denied), "NO_PERMISSIONS", denied);
    for (const gone of ["ResourceNotFoundException", "QueueDoesNotExist", "NotFoundException", "AWS.SimpleQueueService.NonExistentQueue"]) assert.equal(code(gone), "NO_RESOURCE", gone);
  });

  it("names throttling THROTTLING, a time-out TIMEOUT, a bad input INVALID_PARAMETER or INVALID_JSON", () => {
    assert.equal(code("ThrottlingException"), "THROTTLING");
    assert.equal(code("TooManyRequestsException"), "THROTTLING");
    assert.equal(code("RequestTimeout"), "TIMEOUT");
    assert.equal(code("InvalidParameterValue"), "INVALID_PARAMETER");
    assert.equal(code("InvalidInputTransformer"), "INVALID_JSON");
  });

  it("keeps a code that is EventBridge's already, and calls any other target error ERROR_FROM_TARGET", () => {
    assert.equal(code("NO_PERMISSIONS"), "NO_PERMISSIONS");
    assert.equal(code("InternalFailure"), "ERROR_FROM_TARGET");
    assert.equal(code("ServiceUnavailable"), "ERROR_FROM_TARGET");
  });
});
