import { strict as assert } from "node:assert";
import { changedResources, classifyDrift } from "../../../ops/automation/drift";
import { ExitCode } from "../../../ops/automation/exit-codes";
import { FakeWorkspace, runFake, stepEvent, urnOf } from "../../helpers/fake-workspace";

const QUEUE = urnOf("dev.orders", "orderflow:messaging:Queue$aws:sqs/queue:Queue", "shippingQueueQueue");
const TABLE = urnOf("dev.orders", "aws:dynamodb/table:Table", "ordersTable");
const EXPECTED_NO_CHANGES = new Error("code: 255\n stdout: ...\n stderr: error: no changes were expected but changes were proposed\n");

describe("ops/automation drift: classifying a refresh-preview", () => {
  it("is in sync when the preview only refreshed, read and kept resources", () => {
    const events = [stepEvent("refresh", QUEUE), stepEvent("same", QUEUE), stepEvent("read", TABLE)];
    assert.deepEqual(classifyDrift({ events, changeSummary: { same: 12 } }), { status: "in-sync", resources: [] });
  });

  it("is drifted when expectNoChanges failed, listing each changed resource once with its differing properties", () => {
    const events = [
      stepEvent("update", QUEUE, ["visibilityTimeoutSeconds"]),
      stepEvent("replace", TABLE, ["hashKey"]),
      stepEvent("create-replacement", TABLE, ["hashKey"]),
      stepEvent("delete-replaced", TABLE),
    ];
    const report = classifyDrift({ events, error: EXPECTED_NO_CHANGES });
    assert.equal(report.status, "drifted");
    assert.deepEqual(report.resources, [
      { urn: QUEUE, type: "orderflow:messaging:Queue$aws:sqs/queue:Queue", name: "shippingQueueQueue", op: "update", properties: ["visibilityTimeoutSeconds"] },
      { urn: TABLE, type: "aws:dynamodb/table:Table", name: "ordersTable", op: "replace", properties: ["hashKey"] },
    ]);
  });

  it("counts a resource deleted out of band (the preview would create it) as drift", () => {
    const report = classifyDrift({ events: [stepEvent("create", QUEUE)], changeSummary: { create: 1, same: 3 } });
    assert.equal(report.status, "drifted");
    assert.equal(report.resources[0].op, "create");
  });

  it("is an error, with the engine's message, when the preview failed for another reason", () => {
    const error = new Error("stderr: error: failed to refresh: ExpiredToken: The security token included in the request is expired\n");
    const report = classifyDrift({ events: [stepEvent("update", QUEUE)], error });
    assert.equal(report.status, "error");
    assert.equal(report.error, "error: failed to refresh: ExpiredToken: The security token included in the request is expired");
  });

  it("reads step metadata from resource-outputs events too", () => {
    const event = { sequence: 2, timestamp: 0, resOutputsEvent: stepEvent("delete", TABLE).resourcePreEvent! };
    assert.deepEqual(changedResources([event]).map((r) => [r.name, r.op]), [["ordersTable", "delete"]]);
  });
});

describe("ops/automation drift: orderflow drift --env", () => {
  it("previews every stack with refresh and expectNoChanges, never refreshing state, and exits 3 with a table of the drift", async () => {
    const ws = new FakeWorkspace().behave("dev.orders", {
      events: [stepEvent("update", QUEUE, ["visibilityTimeoutSeconds", "tags"])],
      error: EXPECTED_NO_CHANGES,
    });
    const { exitCode, results, text } = await runFake(ws, { operation: "drift" });

    assert.equal(exitCode, ExitCode.drift);
    assert.equal(ws.calls.length, 8, "the account's bootstrap stack and the environment's seven");
    for (const call of ws.calls) {
      assert.equal(call.method, "preview");
      assert.equal(call.options.refresh, true);
      assert.equal(call.options.expectNoChanges, true);
    }
    const orders = results.find((r) => r.stack === "dev.orders")!;
    assert.equal(orders.status, "succeeded");
    assert.equal(orders.drift?.status, "drifted");
    assert.ok(results.filter((r) => r.stack !== "dev.orders").every((r) => r.drift?.status === "in-sync"));
    assert.match(text, /Drift in 1 stack\(s\):/);
    assert.match(text, /dev\.orders\s+orderflow:messaging:Queue\$aws:sqs\/queue:Queue\s+shippingQueueQueue\s+update\s+visibilityTimeoutSeconds, tags/);
    // Dependents of a drifted stack are still checked: drift is a finding, not a failure.
    assert.ok(ws.startOrder.includes("dev.checkout"));
  });

  it("exits 0 and says so when every stack is in sync", async () => {
    const { exitCode, text } = await runFake(new FakeWorkspace(), { operation: "drift" });
    assert.equal(exitCode, ExitCode.ok);
    assert.match(text, /No drift: every checked stack matches its program\./);
  });

  it("exits 2, not 3, when a stack could not be checked, so an incomplete check never closes a drift issue", async () => {
    const ws = new FakeWorkspace()
      .behave("dev.orders", { events: [stepEvent("update", QUEUE)], error: EXPECTED_NO_CHANGES })
      .behave("dev.payments", { error: new Error("error: could not decrypt secrets: incorrect passphrase") });
    const { exitCode, text } = await runFake(ws, { operation: "drift" });
    assert.equal(exitCode, ExitCode.error);
    assert.match(text, /Failed:\n {2}dev\.payments:\n {4}error: could not decrypt secrets: incorrect passphrase/);
    assert.match(text, /Drift in 1 stack\(s\):/);
  });
});
