import { strict as assert } from "node:assert";
import { Activity } from "../../../../localcloud/kernel/activity";
import { Clock } from "../../../../localcloud/kernel/clock";
import type { EventSourceMappingSpec } from "../../../../localcloud/services/lambda/spec";
import type { InvokeResult, LocalFunction } from "../../../../localcloud/services/lambda/function";
import { SqsEventSource } from "../../../../localcloud/services/lambda/sqs-event-source";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { queueSpec } from "../../../helpers/local-specs";

// An SQS event source mapping's handling of what the function answers, on a real local queue and a function double.
// https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html ("Implementing partial batch responses")

const QUEUE = queueSpec("jobs");

function mapping(reportBatchItemFailures: boolean): EventSourceMappingSpec {
  return {
    stack: "dev.test",
    component: "jobsMapping",
    urn: "urn:mapping",
    uuid: "u-1",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:worker",
    sourceArn: QUEUE.arn,
    sourceKind: "sqs",
    enabled: true,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    maximumConcurrency: 1,
    filters: [],
    reportBatchItemFailures,
  };
}

/**
 * Sends three messages, lets the mapping invoke the function once with them, and stops it. `answer` makes the
 * function's result from the batch's message ids. Resolves to the bodies still on the queue.
 */
async function oneBatch(reportBatchItemFailures: boolean, answer: (ids: string[]) => Partial<InvokeResult>): Promise<string[]> {
  // At this scale the 30 s visibility timeout lasts 300 ms: long enough for nothing to come back during the test.
  const clock = new Clock(0.01);
  const sqs = new SqsService([QUEUE], "http://127.0.0.1:1", clock);
  const queue = sqs.queue(QUEUE.arn);
  for (const body of ["first", "second", "third"]) queue.send({ body });
  let invoked!: () => void;
  const done = new Promise<void>((resolve) => (invoked = resolve));
  let batches = 0;
  const fn = {
    // The mapping keeps a batch invisible for the function's timeout while it runs (SqsEventSource.hold).
    spec: { timeoutSeconds: 1 },
    invoke: async (event: { Records: { messageId: string }[] }) => {
      batches++;
      // Resolves once the mapping has acted on this answer (it deletes right after the invocation returns).
      setImmediate(invoked);
      return { requestId: "r", statusCode: 200, payload: null, coldStart: false, durationMs: 1, ...answer(event.Records.map((r) => r.messageId)) };
    },
  } as unknown as LocalFunction;
  const source = new SqsEventSource(mapping(reportBatchItemFailures), queue, fn, clock, new Activity(), "us-east-1");
  source.start();
  await done;
  await source.stop();
  sqs.close();
  assert.equal(batches, 1, "one batch of three");
  return queue.peek().map((m) => m.body);
}

describe("local cloud: the SQS event source's batch results", () => {
  it("deletes a successful batch", async () => {
    assert.deepEqual(await oneBatch(true, () => ({ payload: { batchItemFailures: [] } })), []);
  });

  it("with ReportBatchItemFailures, deletes all but the items reported; those return after the visibility timeout", async () => {
    assert.deepEqual(await oneBatch(true, (ids) => ({ payload: { batchItemFailures: [{ itemIdentifier: ids[1] }] } })), ["second"]);
  });

  it("without ReportBatchItemFailures, ignores a partial batch response: the batch succeeded", async () => {
    assert.deepEqual(await oneBatch(false, (ids) => ({ payload: { batchItemFailures: [{ itemIdentifier: ids[1] }] } })), []);
  });

  it("keeps the whole batch when the response names an id not in it, or an empty one (Lambda treats it as failed)", async () => {
    assert.deepEqual(await oneBatch(true, () => ({ payload: { batchItemFailures: [{ itemIdentifier: "not-in-the-batch" }] } })), ["first", "second", "third"]);
    assert.deepEqual(await oneBatch(true, () => ({ payload: { batchItemFailures: [{ itemIdentifier: "" }] } })), ["first", "second", "third"]);
  });

  it("keeps the whole batch when the function fails", async () => {
    assert.deepEqual(await oneBatch(true, () => ({ functionError: "Unhandled", payload: { errorType: "Error", errorMessage: "boom" } })), ["first", "second", "third"]);
  });
});
