import { strict as assert } from "node:assert";
import { deploymentOrder, deploymentWaves, dependencies, dependents, withUpstreams } from "../../stacks/graph";
import { DOMAINS } from "../../stacks/environments";

describe("stacks/graph", () => {
  it("orders every stack after the stacks it reads from (so the graph is acyclic)", () => {
    const order = deploymentOrder();
    assert.equal(order.length, DOMAINS.length + 1);
    for (const [kind, deps] of dependencies()) {
      for (const dep of deps) {
        assert.ok(order.indexOf(dep) < order.indexOf(kind), `${dep} must come before ${kind}`);
      }
    }
  });

  it("puts the platform first and checkout last, with the independent domains in one parallel wave", () => {
    const waves = deploymentWaves();
    assert.deepEqual(waves[0], ["platform"]);
    assert.deepEqual(waves.at(-1), ["checkout"]);
    assert.deepEqual([...waves[1]].sort(), ["inventory", "notifications", "orders", "payments", "shipping"]);
  });

  it("knows what a stack needs upstream and what depends on it", () => {
    assert.deepEqual(withUpstreams("checkout"), ["platform", "orders", "inventory", "payments", "checkout"]);
    assert.deepEqual(withUpstreams("shipping"), ["platform", "shipping"]);
    assert.deepEqual(dependents("orders"), ["checkout"]);
  });
});
