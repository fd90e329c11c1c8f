import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FaultInjector } from "../../../../localcloud/faults/fault-injector";
import type { EventSourceMappingSpec, FunctionSpec } from "../../../../localcloud/services/lambda/spec";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsError } from "../../../../localcloud/kernel/aws-error";
import { Clock } from "../../../../localcloud/kernel/clock";
import { LambdaService } from "../../../../localcloud/services/lambda/service";
import { SqsEventSource } from "../../../../localcloud/services/lambda/sqs-event-source";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { XRayService } from "../../../../localcloud/services/xray/service";
import { functionSpec, queueSpec } from "../../../helpers/local-specs";

/** Handlers that leave a mark of having run (a file named after the event's id), so a test sees what ran. */
function archive(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-faults-"));
  writeFileSync(
    path.join(dir, "index.js"),
    `const fs = require("node:fs"); const path = require("node:path");
     const mark = (id) => fs.writeFileSync(path.join(${JSON.stringify(dir)}, "ran-" + id), "");
     exports.work = async (event, context) => { mark(event.id); return { remaining: context.getRemainingTimeInMillis() }; };
     exports.records = async (event) => { for (const r of event.Records) mark(r.messageId + "-" + r.attributes.ApproximateReceiveCount); await new Promise((r) => setTimeout(r, 300)); };
     exports.slowFail = async () => { await new Promise((r) => setTimeout(r, 800)); throw new Error("not today"); };`,
  );
  return dir;
}

function spec(dir: string, name: string, handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  return functionSpec(name, dir, handler, { name: `${name}Function`, timeoutSeconds: 2, ...extra });
}

const NAMES = ["crashing", "failing", "failingBefore", "slowed", "throttled", "http", "asyncCrash", "consumer", "slowConsumer"];

describe("local cloud: faults injected into Lambda invocations (AWS FIS's Lambda actions, crashes, throttles)", function () {
  this.timeout(60_000);
  const dir = archive();
  const activity = new Activity();
  const faults = new FaultInjector({ functions: NAMES, queues: ["work"], services: [] });
  let xray: XRayService;
  let lambda: LambdaService;

  before(async () => {
    xray = await XRayService.start(mkdtempSync(path.join(tmpdir(), "orderflow-faults-traces-")));
    lambda = new LambdaService(
      NAMES.map((n) => spec(dir, n, n === "consumer" ? "index.records" : n === "slowConsumer" ? "index.slowFail" : "index.work", n === "slowed" ? { timeoutSeconds: 1 } : {})),
      {
        // Lambda's one-minute asynchronous retry becomes 60 ms: far sooner than the 2 s timeout a crashed attempt had
        // (and the six hours an event may wait, 21.6 s).
        clock: new Clock(0.001),
        activity,
        faults,
        xray,
        variablesOf: (s) => ({ AWS_LAMBDA_FUNCTION_NAME: s.name, _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }),
        logOf: () => () => undefined,
        destinations: async () => undefined,
      },
    );
    faults.use({
      functions: {
        crashing: { environmentCrash: { invocationPercentage: 100 } },
        asyncCrash: { environmentCrash: { invocationPercentage: 100 } },
        failing: { invocationError: { invocationPercentage: 100, preventExecution: false } },
        failingBefore: { invocationError: { invocationPercentage: 100 } },
        slowed: { invocationAddDelay: { invocationPercentage: 100, startupDelayMilliseconds: 1500 } },
        throttled: { throttle: { invocationPercentage: 100 } },
        http: { invocationHttpIntegrationResponse: { invocationPercentage: 100, statusCode: 503 } },
      },
    });
  });
  after(async () => {
    await lambda.stop();
    await xray.stop();
  });

  const ran = (id: string) => existsSync(path.join(dir, `ran-${id}`));
  const faultRecords = (name: string) => activity.records.filter((r) => r.kind === "fault" && r.name === name);

  it("a crash kills the environment before it answers: Runtime.ExitError, the invocation's deadline, a new environment next time", async () => {
    const before = Date.now();
    const result = await lambda.invoke("crashingFunction", { id: "crash-1" });
    assert.equal((result.payload as { errorType: string }).errorType, "Runtime.ExitError");
    assert.match((result.payload as { errorMessage: string }).errorMessage, /signal: SIGKILL/);
    assert.equal(result.environmentDied, true);
    assert.ok(result.deadline >= before + 2000 && result.deadline <= Date.now() + 2000, "the deadline is the start plus the (real) 2 s timeout");
    assert.match(faultRecords("crashing")[0].detail, /^environment-crash \(fault injected\): the execution environment killed \d+ ms into the invocation/);
    assert.equal((await lambda.invoke("crashingFunction", { id: "crash-2" })).coldStart, true);
    assert.equal(faults.injected.get("environment-crash"), 2);
  });

  it("an invocation error after the handler ran keeps its effects; with preventExecution the handler does not run", async () => {
    const after = await lambda.invoke("failingFunction", { id: "after-1" });
    assert.deepEqual([(after.payload as { errorType: string }).errorType, ran("after-1")], ["InjectedFault", true]);
    const prevented = await lambda.invoke("failingBeforeFunction", { id: "before-1" });
    assert.deepEqual([(prevented.payload as { errorType: string }).errorType, ran("before-1")], ["InjectedFault", false]);
    assert.match(faultRecords("failing")[0].detail, /^invocation-error \(fault injected\): the handler ran, then the invocation failed/);
  });

  it("added latency counts against the function's timeout, as FIS's startup delay does", async () => {
    const result = await lambda.invoke("slowedFunction", { id: "slow-1" });
    assert.equal((result.payload as { errorType: string }).errorType, "Sandbox.Timedout");
    assert.equal(ran("slow-1"), false, "the 1 s timeout ended the invocation during the 1.5 s delay");
  });

  it("a throttle answers 429 TooManyRequestsException without running the function", async () => {
    await assert.rejects(lambda.invoke("throttledFunction", { id: "throttle-1" }), (e: unknown) => e instanceof AwsError && e.code === "TooManyRequestsException" && e.status === 429);
    assert.equal(ran("throttle-1"), false);
    assert.equal(lambda.function("throttledFunction").throttles, 1);
  });

  it("an HTTP integration response answers the status API Gateway's proxy integration expects", async () => {
    const result = await lambda.invoke("httpFunction", { id: "http-1" });
    assert.deepEqual(result.payload, { statusCode: 503, headers: { "Content-Type": "application/json" }, body: "" });
    assert.equal(ran("http-1"), false);
  });

  it("marks each faulted invocation's Lambda segment: the fault and what was injected (annotation fault_injected)", () => {
    const segments = xray.traceIds.flatMap((t) => xray.trace(t)).filter((d) => d.origin === "AWS::Lambda");
    const annotated = (fn: string) => segments.filter((d) => d.name === `${fn}Function` && d.annotations?.fault_injected !== undefined);
    assert.equal(annotated("crashing")[0].annotations?.fault_injected, "environment-crash");
    assert.equal(annotated("crashing")[0].fault, true);
    assert.equal(annotated("throttled")[0].throttle, true);
    assert.equal(annotated("failing")[0].annotations?.fault_injected, "invocation-error");
  });

  it("an asynchronous retry after a crash waits for the crashed attempt's deadline, not only Lambda's (scaled) minute", async () => {
    const started = Date.now();
    lambda.invokeAsync("asyncCrashFunction", { id: "async-1" });
    await lambda.drain();
    const retries = activity.records.filter((r) => r.kind === "retry" && r.name === "asyncCrash");
    assert.equal(retries.length, 2);
    assert.match(retries[0].detail, /not before the failed attempt's timeout/);
    // Three attempts, each killed within a second; each retry waited out the 2 s the attempt before it had.
    assert.ok(Date.now() - started >= 4000, `the three attempts took ${Date.now() - started} ms`);
  });

  it("an SQS message does not come back while the invocation that took it runs, even when its scaled visibility timeout is shorter", async () => {
    const sqs = new SqsService([queueSpec("work", { visibilityTimeoutSeconds: 60 })], "http://127.0.0.1:1", new Clock(0.0001), activity, faults);
    const queue = sqs.queue("arn:aws:sqs:us-east-1:123456789012:work");
    const esm: EventSourceMappingSpec = {
      ...{ stack: "dev.test", component: "slowEsm", urn: "urn:slowEsm", uuid: "esm-2", enabled: true },
      ...{ sourceArn: queue.arn, sourceKind: "sqs", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:slowConsumerFunction" },
      ...{ batchSize: 1, maximumBatchingWindowSeconds: 0, maximumConcurrency: 2, filters: [], reportBatchItemFailures: false },
    };
    const source = new SqsEventSource(esm, queue, lambda.function("slowConsumerFunction"), new Clock(0.0001), activity, "us-east-1");
    queue.send({ body: "{}" });
    source.start();
    try {
      const invocations = () => activity.records.filter((r) => r.kind === "invoke" && r.name === "slowConsumer");
      for (const end = Date.now() + 15_000; invocations().length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      const [first, second] = invocations();
      assert.ok(second, "the failed message came back");
      // The 6 ms visibility timeout ended during the first 800 ms invocation; the message came back after it answered.
      assert.ok(second.time - second.durationMs! >= first.time - 5, `the second invocation started ${first.time - (second.time - second.durationMs!)} ms before the first ended`);
    } finally {
      await source.stop();
      sqs.close();
    }
  });

  it("a duplicate delivery is marked on the trace of the invocation that received the copy", async () => {
    const sqs = new SqsService([queueSpec("work")], "http://127.0.0.1:1", new Clock(0.001), activity, faults);
    const queue = sqs.queue("arn:aws:sqs:us-east-1:123456789012:work");
    const esm: EventSourceMappingSpec = {
      ...{ stack: "dev.test", component: "dupEsm", urn: "urn:dupEsm", uuid: "esm-3", enabled: true },
      ...{ sourceArn: queue.arn, sourceKind: "sqs", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:consumerFunction" },
      ...{ batchSize: 1, maximumBatchingWindowSeconds: 0, maximumConcurrency: 1, filters: [], reportBatchItemFailures: false },
    };
    const source = new SqsEventSource(esm, queue, lambda.function("consumerFunction"), new Clock(0.001), activity, "us-east-1");
    faults.use({ queues: { work: { duplicateDelivery: { percentage: 100 } } } });
    const { messageId } = queue.send({ body: "{}" });
    faults.clear();
    source.start();
    try {
      for (const end = Date.now() + 15_000; !(ran(`${messageId}-1`) && queue.peek().length === 0) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      assert.equal(queue.peek().length, 0, "both copies were received and deleted");
      const segments = xray.traceIds.flatMap((t) => xray.trace(t)).filter((d) => d.origin === "AWS::Lambda" && d.name === "consumerFunction");
      assert.equal(segments.filter((d) => d.annotations?.fault_injected === "duplicate-delivery").length, 1, "the copy's invocation, not the original's");
    } finally {
      await source.stop();
      sqs.close();
    }
  });

  it("an SQS batch whose invocation crashed comes back after that invocation's deadline, not after the scaled visibility timeout", async () => {
    // A 60 s visibility timeout at this scale is 6 ms; the consumer's timeout is 2 s, real. Unscaled, the retry would
    // meet the idempotency record the crashed attempt left in progress until its deadline.
    const sqs = new SqsService([queueSpec("work", { visibilityTimeoutSeconds: 60 })], "http://127.0.0.1:1", new Clock(0.0001), activity, faults);
    const queue = sqs.queue("arn:aws:sqs:us-east-1:123456789012:work");
    const esm: EventSourceMappingSpec = {
      ...{ stack: "dev.test", component: "consumerEsm", urn: "urn:consumerEsm", uuid: "esm-1", enabled: true },
      ...{ sourceArn: queue.arn, sourceKind: "sqs", functionArn: "arn:aws:lambda:us-east-1:123456789012:function:consumerFunction" },
      ...{ batchSize: 1, maximumBatchingWindowSeconds: 0, maximumConcurrency: 2, filters: [], reportBatchItemFailures: false },
    };
    const source = new SqsEventSource(esm, queue, lambda.function("consumerFunction"), new Clock(0.0001), activity, "us-east-1");
    faults.use({ functions: { consumer: { environmentCrash: { invocationPercentage: 100 } } } });
    const { messageId } = queue.send({ body: "{}" });
    // When each invocation began: its record is made as it ends, with its duration. (The fault records are made as
    // each ends too, after a crash that comes at a random point: their spacing says nothing of the deadline.)
    const invocations: number[] = [];
    const unsubscribe = activity.subscribe((r) => r.name === "consumer" && r.kind === "invoke" && invocations.push(r.time - (r.durationMs ?? 0)));
    source.start();
    try {
      for (const end = Date.now() + 15_000; invocations.length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
      assert.ok(invocations.length >= 2, "the message was received again");
      // The deadline is 2 s after the first began; a few ms go between an invocation's end and its record.
      assert.ok(invocations[1] - invocations[0] >= 1_950, `the second invocation began ${invocations[1] - invocations[0]} ms after the first`);
      assert.equal(queue.peek().find((m) => m.messageId === messageId)?.receiveCount, invocations.length, "each retry was a receive of the message");
    } finally {
      unsubscribe();
      await source.stop();
      faults.clear();
      sqs.close();
    }
  });
});
