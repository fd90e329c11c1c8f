import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { LocalCloud } from "../../../ops/local/local-cloud";
import { SCENARIOS } from "../../../ops/local/scenarios";
import { runScenarios, type ScenarioResult } from "../../../ops/local/scenarios/scenario";
import { callsOf } from "../../../ops/local/xray/journey";
import { spansOf } from "../../../ops/local/xray/segment";
import { synthesizedEnvironment } from "../../helpers/synthesized";

// dev as `npm run local` runs it: the graph the offline preview synthesizes, every function from its deployed bundle,
// DynamoDB Local, the saga's real ASL. Every scenario runs once, in parallel as `--scenario all` runs them, at a
// hundredth of the configured waits (visibility timeouts, retry intervals, batching windows); each `it` then reports
// one scenario's outcome with the step that failed.
describe("orderflow local: dev end to end (every scenario, time scale 0.01)", function () {
  this.timeout(180_000);
  let cloud: LocalCloud | undefined;
  let results: readonly ScenarioResult[] = [];

  before(async function () {
    this.timeout(300_000);
    cloud = await LocalCloud.start({ env: "dev", port: 0, timeScale: 0.01, stacks: await synthesizedEnvironment("dev") });
    results = await runScenarios(cloud, SCENARIOS, { parallel: true });
  });

  after(async function () {
    this.timeout(30_000);
    await cloud?.stop();
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, () => {
      const result = results.find((r) => r.name === scenario.name);
      assert.ok(result, `${scenario.name} did not run`);
      const failed = result.steps.filter((s) => !s.ok).map((s) => `${s.label}: ${s.detail ?? "failed"}`);
      assert.ok(result.ok, `${scenario.name} failed: ${[...failed, result.error].filter(Boolean).join("; ")}`);
      assert.ok(result.steps.length > 0, `${scenario.name} ran no step`);
    });
  }

  it("traces the happy path's order through every hop, from the segments the functions, the worker and the services recorded", () => {
    assert.ok(cloud);
    const trace = results.find((r) => r.name === "happy-path")?.trace;
    assert.ok(trace, "the happy path names no trace");
    const calls = callsOf(spansOf(trace.traceIds.flatMap((t) => cloud!.xray.trace(t))));
    const hops = calls.map((c) => `${c.from} -> ${c.to}`);
    for (const hop of [/^client -> ordersApi\//, /-> placeOrderFunction/, /placeOrderFunction-\w+ -> DynamoDB ordersTable/, /^pipe \w+ -> orderPlacedFromStreamFunction/, /^pipe \w+ -> checkoutStateMachine/, /checkoutStateMachine-\w+ -> (reserveStock|chargePayment|confirmOrder)Function/, /checkoutStateMachine-\w+ -> ordersBus/, /ordersBus-\w+ -> SQS shippingQueue/, /^SQS shippingQueue-\w+ -> createShipmentFunction/, /-> label-worker$/, /-> notificationsTopic/, /^SQS emailQueue-\w+ -> sendEmailFunction/]) {
      assert.ok(hops.some((h) => hop.test(h)), `no hop ${hop} in the happy path's trace: ${hops.join(", ")}`);
    }
    // A consumer's batch may carry other scenarios' orders too; their duplicates meet idempotency's conditional writes
    // (ConditionalCheckFailedException, recorded as a client error, as X-Ray records it). Nothing else may fail.
    const failed = calls.filter((c) => c.error && !c.error.includes("ConditionalCheckFailedException"));
    assert.deepEqual(failed.map((c) => `${c.to}: ${c.error}`), [], "the happy path recorded errors");
    assert.match(readFileSync(trace.diagram, "utf8"), /^sequenceDiagram/);
  });

  it("stops every process it started: the API's port is closed afterwards", async () => {
    assert.ok(cloud);
    const url = Object.values(cloud.apiUrls)[0];
    await cloud.stop();
    cloud = undefined;
    await assert.rejects(fetch(`${url}/orders/none`), "the API still answers after stop()");
  });
});
