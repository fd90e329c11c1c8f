import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsError } from "../../../../localcloud/kernel/aws-error";
import { Clock } from "../../../../localcloud/kernel/clock";
import type { FunctionSpec } from "../../../../localcloud/services/lambda/spec";
import { functionSpec } from "../../../helpers/local-specs";
import { LambdaService } from "../../../../localcloud/services/lambda/service";
import { ScaledAgesClock } from "../../../helpers/scaled-ages-clock";

/** A deployed archive: one index.js with several handlers, as a bundle would export them. */
function archive(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-lambda-"));
  writeFileSync(
    path.join(dir, "index.js"),
    `let warm = 0;
     const started = Date.now();
     exports.echo = async (event, context) => ({ event, warm: ++warm, name: context.functionName, remaining: context.getRemainingTimeInMillis(), trace: process.env._X_AMZN_TRACE_ID ?? null, region: process.env.AWS_REGION });
     exports.fail = async () => { const e = new Error("card declined"); e.name = "PaymentDeclined"; throw e; };
     exports.slow = () => new Promise((resolve) => setTimeout(resolve, 5000));
     exports.crash = async () => { process.exit(3); };
     exports.callback = (event, context, callback) => setTimeout(() => callback(null, { via: "callback", event }), 5);
     exports.flaky = async (event) => { if (++warm < 3) throw new Error("not yet"); return { ok: event }; };`,
  );
  writeFileSync(path.join(dir, "broken.js"), "this is not javascript");
  return dir;
}

function spec(dir: string, handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return functionSpec(`${handler.replace(/\W/g, "")}Function`, dir, handler, { timeoutSeconds: 1, ...extra });
}

describe("local cloud: the Lambda runtime (each environment a process that loaded the archive)", function () {
  this.timeout(30_000);
  const dir = archive();
  const records: { arn: string; record: Record<string, unknown> }[] = [];
  const activity = new Activity();
  const lambda = new LambdaService(
    [
      spec(dir, "index.echo"),
      spec(dir, "index.fail"),
      spec(dir, "index.slow"),
      spec(dir, "index.crash"),
      spec(dir, "index.callback"),
      spec(dir, "index.flaky", { asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600, onFailure: "arn:aws:sqs:us-east-1:123456789012:failures" } }),
      spec(dir, "index.echo", { name: "reservedFunction", arn: "arn:aws:lambda:us-east-1:123456789012:function:reservedFunction", reservedConcurrency: 1, handler: "index.slow" } as Partial<FunctionSpec>),
      spec(dir, "index.fail", { name: "asyncFail", arn: "arn:aws:lambda:us-east-1:123456789012:function:asyncFail", asyncInvoke: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 21600, onFailure: "arn:aws:sqs:us-east-1:123456789012:failures" } }),
      spec(dir, "index.fail", { name: "agedFail", arn: "arn:aws:lambda:us-east-1:123456789012:function:agedFail", asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60, onFailure: "arn:aws:sqs:us-east-1:123456789012:failures" } }),
      spec(dir, "index.echo", { name: "asyncEcho", arn: "arn:aws:lambda:us-east-1:123456789012:function:asyncEcho", asyncInvoke: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 21600, onSuccess: "arn:aws:sqs:us-east-1:123456789012:successes" } }),
      spec(dir, "index.fail", { name: "failToBus", arn: "arn:aws:lambda:us-east-1:123456789012:function:failToBus", asyncInvoke: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 21600, onFailure: "arn:aws:events:us-east-1:123456789012:event-bus/failures" } }),
    ],
    {
      // One minute between asynchronous retries becomes 6 ms.
      clock: new ScaledAgesClock(0.0001),
      activity,
      variablesOf: (s) => ({ AWS_LAMBDA_FUNCTION_NAME: s.name, AWS_REGION: "us-east-1", _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }),
      logOf: () => () => undefined,
      destinations: async (arn, record) => {
        records.push({ arn, record: JSON.parse(record) as Record<string, unknown> });
      },
    },
  );
  after(() => lambda.stop());

  it("runs the handler with Lambda's context, keeps module scope warm, and counts one cold start", async () => {
    const first = await lambda.invoke("indexechoFunction", { hello: "world" }, { traceId: "Root=1-5e1b4151-5ac6c58f5b1b9e9f0a6c1e2d;Parent=53995c3f42cd8ad8;Sampled=1" });
    assert.equal(first.functionError, undefined);
    assert.equal(first.coldStart, true);
    const payload = first.payload as Record<string, unknown>;
    assert.deepEqual(payload.event, { hello: "world" });
    assert.equal(payload.name, "indexechoFunction");
    assert.equal(payload.region, "us-east-1");
    assert.match(String(payload.trace), /^Root=1-5e1b4151/);
    assert.ok(Number(payload.remaining) > 0 && Number(payload.remaining) <= 1000, "getRemainingTimeInMillis counts down from the timeout");
    const second = await lambda.invoke("arn:aws:lambda:us-east-1:123456789012:function:indexechoFunction:$LATEST", {});
    assert.equal(second.coldStart, false);
    assert.equal((second.payload as { warm: number }).warm, 2, "module scope is kept between invocations");
    assert.equal((second.payload as { trace: unknown }).trace, null, "each invocation has only its own trace");
  });

  it("reports a thrown error as the Node.js runtime does: Unhandled, with errorType and errorMessage", async () => {
    const result = await lambda.invoke("indexfailFunction", {});
    assert.equal(result.functionError, "Unhandled");
    assert.equal((result.payload as { errorType: string }).errorType, "PaymentDeclined");
    assert.equal((result.payload as { errorMessage: string }).errorMessage, "card declined");
  });

  it("ends an invocation at the function's timeout (Sandbox.Timedout) and discards its environment", async () => {
    const result = await lambda.invoke("indexslowFunction", {});
    assert.equal(result.functionError, "Unhandled");
    assert.equal((result.payload as { errorType: string }).errorType, "Sandbox.Timedout");
    assert.match((result.payload as { errorMessage: string }).errorMessage, /Task timed out after 1\.00 seconds/);
  });

  it("reports a runtime that exits mid-invocation as Runtime.ExitError, and starts a new environment for the next one", async () => {
    const first = await lambda.invoke("indexcrashFunction", {});
    assert.equal((first.payload as { errorType: string }).errorType, "Runtime.ExitError");
    const second = await lambda.invoke("indexcrashFunction", {});
    assert.equal(second.coldStart, true);
  });

  it("serves callback-style handlers", async () => {
    const result = await lambda.invoke("indexcallbackFunction", { n: 1 });
    assert.deepEqual(result.payload, { via: "callback", event: { n: 1 } });
  });

  it("throttles beyond the reserved concurrency with TooManyRequestsException (429)", async () => {
    const running = lambda.invoke("reservedFunction", {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(lambda.invoke("reservedFunction", {}), (e: unknown) => e instanceof AwsError && e.code === "TooManyRequestsException" && e.status === 429);
    await running;
  });

  it("answers an unknown function with ResourceNotFoundException, and a service fault when one is injected", async () => {
    assert.throws(() => lambda.function("nope"), (e: unknown) => e instanceof AwsError && e.code === "ResourceNotFoundException");
    lambda.injectFault("indexechoFunction", new AwsError("ServiceException", "injected", 500), 1, (event) => (event as { target?: boolean }).target === true);
    assert.equal((await lambda.invoke("indexechoFunction", { target: false })).functionError, undefined, "a fault applies only to the events it names");
    await assert.rejects(lambda.invoke("indexechoFunction", { target: true }), (e: unknown) => e instanceof AwsError && e.code === "ServiceException");
  });

  it("retries a failing asynchronous invocation (1 and 2 minutes, scaled) and succeeds on the third attempt", async () => {
    lambda.invokeAsync("indexflakyFunction", { n: 7 });
    await lambda.drain();
    assert.equal(records.filter((r) => r.record.requestPayload && (r.record.requestPayload as { n?: number }).n === 7).length, 0, "no failure record for an event that finally succeeded");
    assert.equal(activity.records.filter((r) => r.kind === "retry" && r.name === "indexflakyFunction").length, 2);
  });

  it("sends an event that exhausts its retries to the on-failure destination, as an invocation record", async () => {
    lambda.invokeAsync("asyncFail", { order: "o-1" });
    await lambda.drain();
    const failure = records.find((r) => (r.record.requestPayload as { order?: string })?.order === "o-1");
    assert.ok(failure, "a record reached the destination");
    assert.equal(failure.arn, "arn:aws:sqs:us-east-1:123456789012:failures");
    const context = failure.record.requestContext as Record<string, unknown>;
    assert.equal(context.condition, "RetriesExhausted");
    assert.equal(context.approximateInvokeCount, 2, "the first attempt and one retry");
    assert.equal((failure.record.responsePayload as { errorType: string }).errorType, "PaymentDeclined");
  });

  it("stops retrying an event older than the function's maximum event age: EventAgeExceeded", async () => {
    // The retry waits a minute (6 ms here), past the event's 60 s maximum age (also 6 ms): no second attempt.
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    lambda.invokeAsync("agedFail", { order: "o-4" });
    await lambda.drain();
    const failure = records.find((r) => (r.record.requestPayload as { order?: string })?.order === "o-4");
    assert.ok(failure, "a record reached the on-failure destination");
    const context = failure.record.requestContext as Record<string, unknown>;
    assert.equal(context.condition, "EventAgeExceeded");
    assert.equal(context.approximateInvokeCount, 1);
  });

  it("sends a successful asynchronous invocation's record to the on-success destination, with the response", async () => {
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
    lambda.invokeAsync("asyncEcho", { order: "o-2" });
    await lambda.drain();
    const success = records.find((r) => r.arn === "arn:aws:sqs:us-east-1:123456789012:successes");
    assert.ok(success, "a record reached the on-success destination");
    const context = success.record.requestContext as Record<string, unknown>;
    assert.equal(context.condition, "Success");
    assert.equal(context.functionArn, "arn:aws:lambda:us-east-1:123456789012:function:asyncEcho:$LATEST");
    assert.deepEqual(success.record.requestPayload, { order: "o-2" });
    assert.equal((success.record.responseContext as { statusCode: number }).statusCode, 200);
    assert.deepEqual((success.record.responsePayload as { event: unknown }).event, { order: "o-2" });
  });

  it("sends a bus destination the record as the event AWS puts: source lambda, the outcome as detail-type, the record as detail", async () => {
    lambda.invokeAsync("failToBus", { order: "o-3" });
    await lambda.drain();
    const sent = records.find((r) => r.arn === "arn:aws:events:us-east-1:123456789012:event-bus/failures");
    assert.ok(sent, "an event reached the bus");
    assert.equal(sent.record.source, "lambda");
    assert.equal(sent.record["detail-type"], "Lambda Function Invocation Result - Failure");
    assert.deepEqual(sent.record.resources, ["arn:aws:events:us-east-1:123456789012:event-bus/failures", "arn:aws:lambda:us-east-1:123456789012:function:failToBus:$LATEST"]);
    const detail = sent.record.detail as Record<string, unknown>;
    assert.equal((detail.requestContext as { condition: string }).condition, "RetriesExhausted");
    assert.deepEqual(detail.requestPayload, { order: "o-3" });
    assert.equal((detail.responsePayload as { errorType: string }).errorType, "PaymentDeclined");
  });

  it("refuses to start a function whose archive does not load, naming it", async () => {
    const broken = new LambdaService([spec(dir, "broken.handler")], { clock: new Clock(1), activity: new Activity(), variablesOf: (s) => ({ _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }), logOf: () => () => undefined, destinations: async () => undefined });
    await assert.rejects(broken.warmAll(), /did not load: brokenhandlerFunction .*Runtime\.UserCodeSyntaxError/);
    await broken.stop();
  });
});
