import { strict as assert } from "node:assert";
import { Activity } from "../../../localcloud/kernel/activity";
import { Clock } from "../../../localcloud/kernel/clock";
import { UsageMeter } from "../../../localcloud/kernel/usage-meter";
import { LocalQueue } from "../../../localcloud/services/sqs/queue";
import { queueSpec } from "../../helpers/local-specs";

describe("the usage meter: what a window of the local cloud was billed for", () => {
  it("sums what is reported inside the window, its asynchronous tail included, and nothing outside it", async () => {
    const activity = new Activity();
    const meter = new UsageMeter(activity);
    activity.meter({ "lambda.requests": 5 }); // before the window
    const measured = await meter.measure(
      async () => {
        activity.meter({ "lambda.requests": 1 });
        activity.record({ service: "lambda", kind: "invoke", name: "f", detail: "", traceId: "Root=1-6b111755-e20b85042204fbdf5a5b978d;Parent=53995c3f42cd8ad8;Sampled=1" });
        // The tail: reported after the work resolved, before the cloud went quiet.
        setTimeout(() => activity.meter({ "lambda.requests": 2, "ses.emails": 1 }), 50);
        return "done";
      },
      { quietMs: 200 },
    );
    activity.meter({ "lambda.requests": 7 }); // after it
    meter.close();
    assert.equal(measured.result, "done");
    assert.deepEqual(measured.usage, { "lambda.requests": 3, "ses.emails": 1, "xray.traces": 1 });
  });

  it("refuses overlapping windows: two orders measured at once could not be told apart", async () => {
    const meter = new UsageMeter(new Activity());
    const first = meter.measure(() => new Promise((resolve) => setTimeout(resolve, 20)), { quietMs: 10 });
    await assert.rejects(meter.measure(async () => undefined), /do not overlap/);
    await first;
  });

  it("a queue bills each request and each 64 KB chunk of what it sends and returns; empty polls are left to the fixed cost", async () => {
    const usage: Record<string, number> = {};
    const queue = new LocalQueue(queueSpec("metered"), "http://local/q", new Clock(0.001), () => undefined);
    queue.meter = (u) => {
      for (const [k, v] of Object.entries(u)) usage[k] = (usage[k] ?? 0) + v;
    };
    queue.send({ body: "x".repeat(100 * 1024) });
    assert.deepEqual(usage, { "sqs.requests.standard": 2 });
    const [received] = await queue.receive({ maxNumberOfMessages: 1 });
    assert.deepEqual(usage, { "sqs.requests.standard": 4 });
    queue.delete(received.receiptHandle);
    assert.deepEqual(usage, { "sqs.requests.standard": 5 });
    await queue.receive({ waitTimeSeconds: 0 });
    assert.deepEqual(usage, { "sqs.requests.standard": 5 }, "an empty receive is not an order's cost");
  });
});
