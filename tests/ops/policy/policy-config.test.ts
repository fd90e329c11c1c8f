import { strict as assert } from "node:assert";
import { PolicyConfigError, reconcilePolicyConfig } from "../../../ops/policy/policy-config";
import type { PolicyInfo } from "../../../ops/policy/results";

const policies: PolicyInfo[] = [
  {
    name: "retention",
    description: "Log groups expire.",
    kind: "resource",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        maxDays: { type: "integer", minimum: 1, default: 30 },
        classes: { type: "array", items: { type: "string", enum: ["STANDARD", "INFREQUENT_ACCESS"] } },
      },
      required: ["maxDays"],
    },
  },
  { name: "tracing", description: "Functions are traced.", kind: "resource", enforcementLevel: "advisory" },
];

const reconcile = (config: Parameters<typeof reconcilePolicyConfig>[3], initial = {}) =>
  reconcilePolicyConfig("pack", policies, initial, config);

describe("ops/policy reconcilePolicyConfig (the CLI's ReconcilePolicyPackConfig)", () => {
  it("starts every policy at its declared level with its schema defaults", () => {
    assert.deepEqual(reconcile({}), {
      retention: { enforcementLevel: "mandatory", properties: { maxDays: 30 } },
      tracing: { enforcementLevel: "advisory", properties: {} },
    });
  });

  it("applies `all` first, then each policy's level and properties, over the pack's initial config", () => {
    const initial = { tracing: { enforcementLevel: "mandatory" as const, properties: { sampled: true } } };
    assert.deepEqual(reconcile({ all: "disabled", retention: { maxDays: 7 } }, initial), {
      retention: { enforcementLevel: "disabled", properties: { maxDays: 7 } },
      tracing: { enforcementLevel: "disabled", properties: { sampled: true } },
    });
    assert.equal(reconcile({ all: "advisory", retention: "mandatory" }).retention.enforcementLevel, "mandatory");
    assert.equal(reconcile({}, initial).tracing.enforcementLevel, "mandatory", "initial config overrides the declared level");
  });

  it("collects every problem in one error naming policy, property, expectation and value", () => {
    assert.throws(
      () =>
        reconcile({
          retention: { maxDays: 1.5, classes: ["STANDARD", "GLACIER"] },
          tracing: { enforcementLevel: "strict" },
          tracng: "advisory",
        }),
      (err: Error) => {
        assert.ok(err instanceof PolicyConfigError);
        assert.deepEqual(err.problems, [
          'tracing.enforcementLevel: "strict" is not an enforcement level; use one of advisory, mandatory, remediate, disabled.',
          '"tracng" is not a policy of this pack (policies: retention, tracing).',
          "retention.maxDays must be of type integer, but 1.5 was given.",
          'retention.classes[1] must be one of "STANDARD", "INFREQUENT_ACCESS", but "GLACIER" was given.',
        ]);
        assert.match(err.message, /^Invalid config for policy pack "pack":\n {2}- /);
        return true;
      },
    );
  });

  it("enforces required properties and numeric bounds", () => {
    const noDefault = policies.map((p) =>
      p.configSchema ? { ...p, configSchema: { ...p.configSchema, properties: { maxDays: { type: "number", minimum: 1 } } } } : p,
    );
    assert.throws(() => reconcilePolicyConfig("pack", noDefault, {}, {}), /retention\.maxDays is required/);
    assert.throws(() => reconcile({ retention: { maxDays: 0 } }), /retention\.maxDays must be 1 or more, but 0 was given/);
  });
});
