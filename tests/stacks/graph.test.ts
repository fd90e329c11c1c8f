import { strict as assert } from "node:assert";
import { deploymentOrder, deploymentWaves, dependencies, dependents, withUpstreams } from "../../stacks/graph";
import { DOMAINS } from "../../stacks/environments";

describe("stacks/graph", () => {
  it("orders every stack after the stacks it reads from (so the graph is acyclic)", () => {
    const order = deploymentOrder();
    assert.equal(order.length, DOMAINS.length + 2);
    for (const [kind, deps] of dependencies()) {
      for (const dep of deps) {
        assert.ok(order.indexOf(dep) < order.indexOf(kind), `${dep} must come before ${kind}`);
      }
    }
  });

  it("puts the account's bootstrap first, then the platform, checkout last, with the independent domains in one parallel wave", () => {
    const waves = deploymentWaves();
    assert.deepEqual(waves[0], ["bootstrap"]);
    assert.deepEqual(waves[1], ["platform"]);
    assert.deepEqual(waves.at(-1), ["checkout"]);
    assert.deepEqual([...waves[2]].sort(), ["inventory", "notifications", "payments", "shipping"]);
    // Orders prices from inventory's catalog, so it follows inventory.
    assert.deepEqual(waves[3], ["orders"]);
  });

  it("knows what a stack needs upstream and what depends on it", () => {
    assert.deepEqual(withUpstreams("checkout"), ["bootstrap", "platform", "inventory", "payments", "orders", "checkout"]);
    assert.deepEqual(withUpstreams("orders"), ["bootstrap", "platform", "inventory", "orders"]);
    assert.deepEqual(withUpstreams("shipping"), ["bootstrap", "platform", "shipping"]);
    assert.deepEqual(dependents("orders"), ["checkout"]);
    assert.deepEqual(dependents("inventory"), ["orders", "checkout"]);
  });
});
