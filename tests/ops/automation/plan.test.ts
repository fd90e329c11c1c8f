import { strict as assert } from "node:assert";
import { planRun, withDependents } from "../../../ops/automation/plan";
import { deploymentWaves } from "../../../stacks/graph";

const stacksOf = (plan: ReturnType<typeof planRun>) => plan.waves.map((wave) => wave.map((s) => s.stack));

describe("ops/automation plan: which stacks an operation runs, in which waves", () => {
  it("takes the waves of stacks/graph.ts for up, preview and drift, named for the environment", () => {
    for (const operation of ["up", "preview", "drift"] as const) {
      const plan = planRun("staging", operation);
      const name = (k: string) => (k === "bootstrap" ? "bootstrap.nonprod" : k === "platform" ? "staging" : `staging.${k}`);
      assert.deepEqual(stacksOf(plan), deploymentWaves().map((w) => w.map(name)));
    }
  });

  it("runs the account's bootstrap stack first: prod's own account's, dev's and staging's shared one", () => {
    assert.deepEqual(stacksOf(planRun("prod", "up"))[0], ["bootstrap.prod"]);
    assert.deepEqual(stacksOf(planRun("dev", "preview"))[0], ["bootstrap.nonprod"]);
    assert.deepEqual(stacksOf(planRun("dev", "up", "payments")), [["bootstrap.nonprod"], ["dev"], ["dev.payments"]]);
  });

  it("walks the waves backwards for destroy, each stack waiting for the stacks that read from it, and never destroys the account's bootstrap", () => {
    const plan = planRun("dev", "destroy");
    // orders reads inventory's catalog, so inventory goes after orders.
    assert.deepEqual(stacksOf(plan), [
      ["dev.checkout"],
      ["dev.orders"],
      ["dev.inventory", "dev.payments", "dev.shipping", "dev.notifications"],
      ["dev"],
    ]);
    const orders = plan.waves[1].find((s) => s.kind === "orders")!;
    assert.deepEqual(orders.after, ["checkout"]);
    assert.deepEqual([...plan.waves[2].find((s) => s.kind === "inventory")!.after].sort(), ["checkout", "orders"]);
    const platform = plan.waves[3][0];
    assert.deepEqual([...platform.after].sort(), ["checkout", "inventory", "notifications", "orders", "payments", "shipping"]);
  });

  it("makes each stack of up wait for its upstreams only", () => {
    const plan = planRun("dev", "up");
    const checkout = plan.waves[4][0];
    assert.deepEqual([...checkout.after].sort(), ["inventory", "orders", "payments", "platform"]);
    assert.deepEqual([...plan.waves[3][0].after].sort(), ["inventory", "platform"], "orders waits for inventory's catalog");
    assert.deepEqual(plan.waves[2].find((s) => s.kind === "shipping")!.after, ["platform"]);
    assert.deepEqual(plan.waves[1][0].after, ["bootstrap"]);
  });

  it("with --stack keeps only what the stack needs, dropping waits on stacks outside the run", () => {
    assert.deepEqual(stacksOf(planRun("prod", "up", "payments")), [["bootstrap.prod"], ["prod"], ["prod.payments"]]);
    assert.deepEqual(stacksOf(planRun("prod", "destroy", "platform")), stacksOf(planRun("prod", "destroy")));
    const onlyCheckout = planRun("dev", "destroy", "checkout");
    assert.deepEqual(stacksOf(onlyCheckout), [["dev.checkout"]]);
    assert.deepEqual(onlyCheckout.waves[0][0].after, []);
  });

  it("finds dependents transitively", () => {
    assert.deepEqual([...withDependents("inventory")].sort(), ["checkout", "inventory", "orders"]);
    assert.equal(withDependents("platform").size, 7);
    assert.equal(withDependents("bootstrap").size, 8);
    assert.deepEqual([...withDependents("notifications")], ["notifications"]);
  });
});
