import { strict as assert } from "node:assert";
import { concernsOnly } from "../../../../localcloud/app/scenarios/chaos";
import { CHAOS_PLAN } from "../../../../localcloud/app/scenarios/chaos-plan";
import { parseFaultPlan } from "../../../../localcloud/faults/fault-plan";

describe("local cloud: the chaos scenario's own faults", () => {
  const ours = new Set(["0b7f3c2e-1111-4222-8333-944455556666"]);
  const marker = "chaos-7-ab12";

  it("touch only calls about its own orders: every record of a batch, or the payload as a whole", () => {
    assert.equal(concernsOnly({ customerId: `customer-${marker}-3` }, marker, ours), true);
    assert.equal(concernsOnly('{"detail":{"orderId":"0b7f3c2e-1111-4222-8333-944455556666"}}', marker, ours), true);
    assert.equal(concernsOnly({ orderId: "9b7f3c2e-1111-4222-8333-944455556666" }, marker, ours), false, "another scenario's order");
    const record = (orderId: string) => ({ body: JSON.stringify({ detail: { orderId } }) });
    assert.equal(concernsOnly({ Records: [record("0b7f3c2e-1111-4222-8333-944455556666")] }, marker, ours), true);
    assert.equal(concernsOnly({ Records: [record("0b7f3c2e-1111-4222-8333-944455556666"), record("9b7f3c2e-1111-4222-8333-944455556666")] }, marker, ours), false, "a batch shared with another scenario's order is left alone");
  });

  it("its plan is a valid fault plan", () => {
    assert.deepEqual(parseFaultPlan(CHAOS_PLAN), CHAOS_PLAN);
  });
});
