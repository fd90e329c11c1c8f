import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../../../ops/engine/recording-monitor";
import { StageApiKeys, stageApiKeysFromGraph, type StageApiKey } from "../../../../localcloud/services/apigateway/usage-plans";

// API keys and usage plans of one stage (localcloud/services/apigateway/usage-plans.ts).
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html

function resource(type: string, name: string, inputs: Record<string, unknown>, id: string): RecordedResource {
  return { urn: `urn:pulumi:dev::orderflow::${type}::${name}`, type, name, custom: true, dependencies: [], propertyDependencies: {}, inputs, outputs: { ...inputs, id }, id };
}

describe("local cloud API Gateway: usage plans", () => {
  describe("a stage without usage plans", () => {
    // One plan with one key, bound to the API's other stage: this stage has no plan at all.
    const graph = [
      resource("aws:apigateway/apiKey:ApiKey", "storefrontKey", { value: "storefront0123456789abcdefghij" }, "k-1"),
      resource("aws:apigateway/usagePlan:UsagePlan", "plan", { apiStages: [{ apiId: "api123", stage: "staging" }] }, "p-1"),
      resource("aws:apigateway/usagePlanKey:UsagePlanKey", "planKey", { usagePlanId: "p-1", keyId: "k-1", keyType: "API_KEY" }, "pk-1"),
    ];

    it("has no keys, so an apiKeyRequired method there refuses every key (403), a real key of another stage included", () => {
      assert.equal(stageApiKeysFromGraph(graph, "api123", "staging").length, 1);
      const keys = new StageApiKeys(stageApiKeysFromGraph(graph, "api123", "live"));
      assert.deepEqual(keys.keys, []);
      for (const value of [undefined, "storefront0123456789abcdefghij", "anything0123456789abcdefghijkl"]) {
        const admission = keys.admit(value);
        assert.equal(admission.admitted, false, `admitted ${value}`);
        if (!admission.admitted) assert.deepEqual([admission.status, admission.type, admission.message], [403, "INVALID_API_KEY", "Forbidden"]);
      }
    });
  });

  describe("a quota", () => {
    const key = (period: "DAY" | "WEEK" | "MONTH"): StageApiKey => ({ id: "k", name: "key", value: "quota0123456789abcdefghijklmnop", enabled: true, plan: { id: "p", name: "plan", quota: { limit: 2, period } } });
    /** Uses the quota up at `before`, then asks again at `after`. */
    function acrossRollover(period: "DAY" | "WEEK" | "MONTH", before: string, after: string): boolean[] {
      let now = new Date(before);
      const keys = new StageApiKeys([key(period)], () => now);
      const answers = [1, 2, 3].map(() => keys.admit("quota0123456789abcdefghijklmnop").admitted);
      now = new Date(after);
      return [...answers, keys.admit("quota0123456789abcdefghijklmnop").admitted];
    }

    it("resets when its period rolls over (UTC): the day at midnight, the week on Monday, the month on the 1st", () => {
      assert.deepEqual(acrossRollover("DAY", "2026-12-07T23:59:59Z", "2026-12-08T00:00:00Z"), [true, true, false, true]);
      assert.deepEqual(acrossRollover("WEEK", "2026-12-13T23:59:59Z", "2026-12-14T00:00:00Z"), [true, true, false, true], "Sunday to Monday");
      assert.deepEqual(acrossRollover("MONTH", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z"), [true, true, false, true]);
    });

    it("does not reset within its period", () => {
      assert.deepEqual(acrossRollover("DAY", "2026-12-07T00:00:01Z", "2026-12-07T23:59:59Z"), [true, true, false, false]);
      assert.deepEqual(acrossRollover("WEEK", "2026-12-07T00:00:00Z", "2026-12-13T23:59:59Z"), [true, true, false, false], "Monday to Sunday");
      assert.deepEqual(acrossRollover("MONTH", "2026-12-01T00:00:00Z", "2026-12-31T23:59:59Z"), [true, true, false, false]);
    });
  });
});
