import { strict as assert } from "node:assert";
import { stepErrors } from "../../../../localcloud/app/scenarios/step-errors";
import type { ActivityRecord } from "../../../../localcloud/kernel/activity";

const T0 = 1_000_000;
const TRACE = "1-5e1b4151-5ac6c58f5b1b9e9f0a6c1e2d";

function record(r: Partial<ActivityRecord> & Pick<ActivityRecord, "service" | "kind" | "name" | "detail">): ActivityRecord {
  return { time: T0 + 10, error: true, ...r };
}

describe("local cloud: what a failed scenario step prints under it", () => {
  const denial = record({ service: "iam", kind: "access-denied", name: "createShipment", detail: "AccessDenied: ... sqs:SendMessage ... — labels.grantSend(createShipment) would allow it", traceId: `Root=${TRACE};Parent=53995c3f42cd8ad8;Sampled=1` });
  const records: ActivityRecord[] = [
    record({ service: "iam", kind: "access-denied", name: "old", detail: "before the step", time: T0 - 1 }),
    denial,
    record({ service: "lambda", kind: "invoke", name: "createShipment", detail: "AccessDenied: denied", traceId: `Root=${TRACE};Sampled=1` }),
    record({ service: "lambda", kind: "invoke", name: "createShipment", detail: "AccessDenied: denied", traceId: `Root=${TRACE};Sampled=1` }),
    record({ service: "sqs", kind: "batch-failed", name: "shipping", detail: "1 message(s) return after the visibility timeout" }),
    record({ service: "sqs", kind: "dead-letter", name: "email", detail: "message m-1 moved to emailDlq after 5 receives (maxReceiveCount 5): order o-other" }),
    record({ service: "lambda", kind: "invoke", name: "sendSms", detail: "ok", error: false }),
  ];

  it("prints the denials, function errors and dead letters recorded since the step began, repeats counted, consequences left out", () => {
    assert.deepEqual(stepErrors(records, T0, { orderIds: [], traceRoots: new Set() }), [
      `iam createShipment: ${denial.detail}`,
      "lambda createShipment: AccessDenied: denied (×2)",
      "sqs email: message m-1 moved to emailDlq after 5 receives (maxReceiveCount 5): order o-other",
    ]);
  });

  it("prints first what belongs to the scenario's orders (their traces, or the order named), and says when nothing does", () => {
    assert.deepEqual(stepErrors(records, T0, { orderIds: ["o-mine"], traceRoots: new Set([TRACE]) }), [`iam createShipment: ${denial.detail}`, "lambda createShipment: AccessDenied: denied (×2)"]);
    assert.deepEqual(stepErrors(records, T0, { orderIds: ["o-other"], traceRoots: new Set() }), ["sqs email: message m-1 moved to emailDlq after 5 receives (maxReceiveCount 5): order o-other"]);
    assert.equal(stepErrors(records, T0, { orderIds: ["o-none"], traceRoots: new Set() })[0], "(recorded while the step ran; none names this scenario's orders)");
    assert.deepEqual(stepErrors(records, T0 + 100, { orderIds: [], traceRoots: new Set() }), [], "nothing was recorded since");
  });

  it("keeps to a few lines and counts the rest", () => {
    const many = Array.from({ length: 20 }, (_, i) => record({ service: "lambda", kind: "invoke", name: `f${i}`, detail: "Error: boom" }));
    const lines = stepErrors(many, T0, { orderIds: [], traceRoots: new Set() });
    assert.equal(lines.length, 9);
    assert.equal(lines.at(-1), "... and 12 more (logs/activity.log has them all)");
  });
});
