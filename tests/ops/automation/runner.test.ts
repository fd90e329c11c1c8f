import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ExitCode } from "../../../ops/automation/exit-codes";
import { FakeWorkspace, runFake, settle, stepEvent, tempRepo, urnOf } from "../../helpers/fake-workspace";

/** The domains that read only the platform; orders reads inventory's catalog too, so it has a wave of its own after them. */
const DOMAIN_WAVE = ["dev.inventory", "dev.payments", "dev.shipping", "dev.notifications"];
const DOMAINS = [...DOMAIN_WAVE, "dev.orders"];

/** Index of a log entry, failing loudly when it is absent so a comparison never passes on -1. */
function at(log: readonly string[], entry: string): number {
  const i = log.indexOf(entry);
  assert.notEqual(i, -1, `"${entry}" is not in the log: ${log.join(", ")}`);
  return i;
}

describe("ops/automation runner: up, preview and destroy over an environment", () => {
  it("runs every stack of the environment once, each wave only after the previous wave ended", async () => {
    const ws = new FakeWorkspace();
    const { results, exitCode } = await runFake(ws, { operation: "up" });

    assert.equal(exitCode, ExitCode.ok);
    assert.deepEqual([...ws.startOrder].sort(), ["bootstrap.nonprod", "dev", ...DOMAINS, "dev.checkout"].sort());
    assert.ok(at(ws.log, "end bootstrap.nonprod") < at(ws.log, "start dev"), "the platform started before the account's bootstrap ended");
    assert.ok(results.every((r) => r.status === "succeeded"));
    assert.ok(at(ws.log, "end dev.inventory") < at(ws.log, "start dev.orders"), "orders started before inventory's catalog existed");
    for (const domain of DOMAINS) {
      assert.ok(at(ws.log, "end dev") < at(ws.log, `start ${domain}`), `${domain} started before the platform ended`);
      assert.ok(at(ws.log, `end ${domain}`) < at(ws.log, "start dev.checkout"), `checkout started before ${domain} ended`);
    }
    assert.ok(ws.selected.every((s) => s.workDir === ws.selected[0].workDir));
  });

  it("runs the stacks of one wave at the same time, and the next wave only after all of them", async () => {
    const ws = new FakeWorkspace();
    const payments = ws.hold("dev.payments");
    const inventory = ws.hold("dev.inventory");
    const run = runFake(ws, { operation: "up" });

    await Promise.all([ws.started("dev.payments"), ws.started("dev.inventory")]);
    // Both are in flight at once: neither has ended, and the waves after them have not begun.
    assert.ok(!ws.log.includes("end dev.payments") && !ws.log.includes("end dev.inventory"));
    await settle();
    assert.ok(!ws.startOrder.includes("dev.orders") && !ws.startOrder.includes("dev.checkout"), "a later wave started while its upstreams were still running");

    payments.resolve();
    await settle();
    assert.ok(!ws.startOrder.includes("dev.orders"), "orders started before inventory ended");
    inventory.resolve();
    const { exitCode } = await run;
    assert.equal(exitCode, ExitCode.ok);
    assert.ok(at(ws.log, "end dev.inventory") < at(ws.log, "start dev.orders"));
    assert.ok(at(ws.log, "end dev.orders") < at(ws.log, "start dev.checkout"));
  });

  it("never runs more stacks of a wave at once than --parallel allows", async () => {
    const ws = new FakeWorkspace();
    const gates = DOMAIN_WAVE.map((stack) => ws.hold(stack));
    const run = runFake(ws, { operation: "preview", parallel: 2 });

    await Promise.all([ws.started("dev.inventory"), ws.started("dev.payments")]);
    await settle();
    assert.deepEqual(ws.startOrder, ["bootstrap.nonprod", "dev", "dev.inventory", "dev.payments"]);

    gates[0].resolve();
    await ws.started("dev.shipping");
    await settle();
    assert.deepEqual(ws.startOrder.slice(2), ["dev.inventory", "dev.payments", "dev.shipping"]);

    gates.forEach((g) => g.resolve());
    assert.equal((await run).exitCode, ExitCode.ok);
  });

  it("skips the dependents of a failed stack, names the failure, and still runs the unrelated stacks", async () => {
    const ws = new FakeWorkspace().behave("dev.orders", { error: new Error("stdout: ...\nerror: creating DynamoDB Table (orders): AccessDenied\n") });
    const { results, exitCode, text } = await runFake(ws, { operation: "up" });

    const byStack = new Map(results.map((r) => [r.stack, r]));
    assert.equal(byStack.get("dev.orders")?.status, "failed");
    assert.equal(byStack.get("dev.orders")?.error, "error: creating DynamoDB Table (orders): AccessDenied");
    assert.equal(byStack.get("dev.checkout")?.status, "skipped");
    assert.equal(byStack.get("dev.checkout")?.skippedBecause, "dev.orders");
    assert.ok(!ws.startOrder.includes("dev.checkout"));
    for (const stack of ["dev.inventory", "dev.payments", "dev.shipping", "dev.notifications"]) {
      assert.equal(byStack.get(stack)?.status, "succeeded", stack);
    }
    assert.equal(exitCode, ExitCode.error);
    assert.match(text, /Skipped \(not run because a stack they need failed\):\n {2}dev\.checkout: dev\.orders failed/);
  });

  it("skips everything transitively below a failed platform, naming the platform as the cause", async () => {
    const ws = new FakeWorkspace().behave("dev", { error: new Error("error: the bus already exists") });
    const { results } = await runFake(ws, { operation: "preview" });

    assert.deepEqual(ws.startOrder, ["bootstrap.nonprod", "dev"]);
    const skipped = results.filter((r) => r.status === "skipped");
    assert.equal(skipped.length, 6);
    assert.ok(skipped.every((r) => r.skippedBecause === "dev"), JSON.stringify(skipped));
  });

  it("destroys in reverse: checkout first, the platform last", async () => {
    const ws = new FakeWorkspace();
    const { exitCode } = await runFake(ws, { operation: "destroy" });

    assert.equal(exitCode, ExitCode.ok);
    assert.equal(ws.startOrder[0], "dev.checkout");
    assert.equal(ws.startOrder.at(-1), "dev");
    for (const domain of DOMAINS) {
      assert.ok(at(ws.log, "end dev.checkout") < at(ws.log, `start ${domain}`));
      assert.ok(at(ws.log, `end ${domain}`) < at(ws.log, "start dev"));
    }
    assert.ok(ws.calls.every((c) => c.method === "destroy"));
  });

  it("keeps the stacks a failed destroy still reads from, and destroys the others", async () => {
    const ws = new FakeWorkspace().behave("dev.checkout", { error: new Error("error: resource is protected") });
    const { results } = await runFake(ws, { operation: "destroy" });

    const status = Object.fromEntries(results.map((r) => [r.stack, r.status]));
    assert.deepEqual(status, {
      "dev.checkout": "failed",
      "dev.orders": "skipped",
      "dev.inventory": "skipped",
      "dev.payments": "skipped",
      "dev.shipping": "succeeded",
      "dev.notifications": "succeeded",
      dev: "skipped",
    });
  });

  it("--stack limits up to the stack and its upstreams, and destroy to the stack and its dependents", async () => {
    const up = new FakeWorkspace();
    await runFake(up, { operation: "up", stack: "checkout" });
    assert.deepEqual([...up.startOrder].sort(), ["bootstrap.nonprod", "dev", "dev.checkout", "dev.inventory", "dev.orders", "dev.payments"]);

    const destroy = new FakeWorkspace();
    await runFake(destroy, { operation: "destroy", stack: "orders" });
    assert.deepEqual(destroy.startOrder, ["dev.checkout", "dev.orders"]);

    const leaf = new FakeWorkspace();
    await runFake(leaf, { operation: "preview", stack: "shipping", env: "prod" });
    assert.deepEqual(leaf.startOrder, ["bootstrap.prod", "prod", "prod.shipping"]);
  });

  it("exits 1 when a stack fails on a mandatory policy, and lists the finding", async () => {
    const policyEvent = {
      sequence: 1,
      timestamp: 0,
      policyEvent: {
        resourceUrn: "urn:pulumi:dev.orders::orderflow::aws:sqs/queue:Queue::ordersQueue",
        message: "Queue has no dead-letter queue.\n",
        color: "never",
        policyName: "sqs-redrive-policy",
        policyPackName: "orderflow",
        policyPackVersion: "0.1.0",
        policyPackVersionTag: "v0.1.0",
        enforcementLevel: "mandatory" as const,
      },
    };
    const ws = new FakeWorkspace().behave("dev.orders", { events: [policyEvent], error: new Error("error: preview failed") });
    const { exitCode, text } = await runFake(ws, { operation: "preview" });

    assert.equal(exitCode, ExitCode.policyViolation);
    assert.match(text, /\[mandatory\] dev\.orders sqs-redrive-policy \(urn:pulumi:dev\.orders::orderflow::aws:sqs\/queue:Queue::ordersQueue\): Queue has no dead-letter queue\./);
  });

  it("prints each stack's progress as prefixed lines when not on a terminal", async () => {
    const { progress } = await runFake(new FakeWorkspace(), { operation: "preview", stack: "orders" });
    assert.deepEqual(progress, [
      "orderflow preview --env dev: wave 1 [bootstrap.nonprod] → wave 2 [dev] → wave 3 [dev.inventory] → wave 4 [dev.orders]",
      "[bootstrap.nonprod] started",
      "[bootstrap.nonprod] preview bootstrap.nonprod",
      "[bootstrap.nonprod] no changes",
      "[dev] started (after bootstrap)",
      "[dev] preview dev",
      "[dev] no changes",
      "[dev.inventory] started (after platform)",
      "[dev.inventory] preview dev.inventory",
      "[dev.inventory] no changes",
      "[dev.orders] started (after platform, inventory)",
      "[dev.orders] preview dev.orders",
      "[dev.orders] no changes",
    ]);
  });

  it("with --json writes the run's summary under .orderflow/<env>/", async () => {
    const repo = tempRepo();
    const ws = new FakeWorkspace().behave("dev.shipping", { changes: { same: 4, update: 2 } });
    await runFake(ws, { operation: "up", json: true }, repo);

    const summary = JSON.parse(fs.readFileSync(path.join(repo, ".orderflow", "dev", "up-summary.json"), "utf8"));
    assert.equal(summary.exitCode, 0);
    assert.deepEqual(summary.waves, [["bootstrap.nonprod"], ["dev"], DOMAIN_WAVE, ["dev.orders"], ["dev.checkout"]]);
    assert.deepEqual(summary.stacks.find((s: { stack: string }) => s.stack === "dev.shipping").changes, { same: 4, update: 2 });
  });

  it("reports an exemption no stack of the environment uses as stale, once, after a preview of every stack", async () => {
    const table = "aws:dynamodb/table:Table";
    const repo = tempRepo({
      dev: {
        "dynamodb-pitr": {
          exemptions: [
            { resource: "ordersTable", reason: "rebuilt from the event archive" },
            { resource: "legacyTable", reason: "removed from the program last sprint" },
          ],
        },
      },
    });
    const ws = new FakeWorkspace().behave("dev.orders", { events: [stepEvent("same", urnOf("dev.orders", table, "ordersTable"))] });
    const { text } = await runFake(ws, { operation: "preview" }, repo);
    assert.match(text, /Stale exemptions: 1 in policies\/config\/dev\.json that no stack of dev uses; remove it:\n {4}- dynamodb-pitr: "legacyTable" \(reason: "removed from the program last sprint"\)/);
    assert.doesNotMatch(text, /"ordersTable"/);

    // A run that did not see every stack cannot tell.
    const partial = await runFake(new FakeWorkspace(), { operation: "preview", stack: "orders" }, repo);
    assert.doesNotMatch(partial.text, /Stale exemptions/);
  });
});
