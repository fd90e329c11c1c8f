import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FaultDice } from "../../../localcloud/faults/fault-dice";
import { FaultInjector } from "../../../localcloud/faults/fault-injector";
import { FaultPlanError, parseFaultPlan, readFaultPlan } from "../../../localcloud/faults/fault-plan";

const TARGETS = { functions: ["sendEmail", "createShipment"], queues: ["email", "shipping"], services: ["labelWorker"] };

function file(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-faults-"));
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

describe("local cloud: the fault file (orderflow local --faults)", () => {
  it("reads every kind of fault from YAML, named after AWS FIS's Lambda actions and their parameters", () => {
    const plan = readFaultPlan(
      file(
        "faults.yaml",
        `seed: 42
functions:
  sendEmail:
    invocationError: { invocationPercentage: 10, preventExecution: false }
    invocationAddDelay: { invocationPercentage: 20, startupDelayMilliseconds: 300 }
    environmentCrash: { invocationPercentage: 5 }
    throttle: { invocationPercentage: 5 }
  "*":
    invocationHttpIntegrationResponse: { invocationPercentage: 1, statusCode: 503 }
queues:
  email: { duplicateDelivery: { percentage: 10 } }
ses: { throttle: { percentage: 10 } }
sms: { throttle: { percentage: 10 } }
services:
  labelWorker: { stopTask: { afterSeconds: 5, everySeconds: 30, signal: SIGKILL }, failedLaunches: 2 }
`,
      ),
    );
    assert.equal(plan.seed, 42);
    assert.deepEqual(plan.functions?.sendEmail.invocationError, { invocationPercentage: 10, preventExecution: false });
    assert.equal(plan.functions?.["*"].invocationHttpIntegrationResponse?.statusCode, 503);
    assert.equal(plan.services?.labelWorker.stopTask?.signal, "SIGKILL");
    assert.deepEqual(readFaultPlan(file("faults.json", JSON.stringify({ ses: { throttle: { percentage: 50 } } }))), { ses: { throttle: { percentage: 50 } } });
  });

  it("refuses a bad file naming the file, each field and its rule", () => {
    const bad = file("bad.yaml", "functions:\n  sendEmail:\n    invocationError: { invocationPercentage: 150 }\n    crash: { invocationPercentage: 5 }\nqueues:\n  email: { duplicateDelivery: { percentage: -1 } }\n");
    assert.throws(() => readFaultPlan(bad), (error: Error) => {
      assert.ok(error instanceof FaultPlanError);
      assert.match(error.message, new RegExp(`^Fault file ${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid: `));
      assert.match(error.message, /functions\.sendEmail\.invocationError\.invocationPercentage: must be a percentage from 0 to 100/);
      assert.match(error.message, /functions\.sendEmail: unknown field "crash"/);
      assert.match(error.message, /queues\.email\.duplicateDelivery\.percentage: must be a percentage from 0 to 100/);
      return true;
    });
    assert.throws(() => readFaultPlan(file("broken.json", "{ not json")), /Fault file .*broken\.json is not valid JSON/);
    assert.throws(() => parseFaultPlan({ ses: { throttle: "often" }, services: { labelWorker: { stopTask: { afterSeconds: 1, signal: "SIGHUP" } } } }), /ses\.throttle: must be a mapping of fields; services\.labelWorker\.stopTask\.signal: must be one of "SIGTERM", "SIGKILL"/);
    assert.throws(() => readFaultPlan(path.join(tmpdir(), "no-such-faults.yaml")), /Fault file .*no-such-faults\.yaml cannot be read: ENOENT/);
  });

  it("refuses a plan that names a function, queue or service the environment does not have, listing the ones it has", () => {
    const faults = new FaultInjector(TARGETS);
    assert.throws(
      () => faults.use(parseFaultPlan({ functions: { sendMail: { throttle: { invocationPercentage: 1 } } }, services: { worker: { failedLaunches: 1 } } })),
      /functions\.sendMail: no function of that name \(the environment has sendEmail, createShipment\); services\.worker: no service of that name \(the environment has labelWorker\)/,
    );
    assert.equal(faults.active, false, "a refused plan is not put in force");
  });
});

describe("local cloud: fault injection's draws", () => {
  const plan = parseFaultPlan({
    functions: {
      sendEmail: { invocationError: { invocationPercentage: 30 }, environmentCrash: { invocationPercentage: 20 }, invocationAddDelay: { invocationPercentage: 50, startupDelayMilliseconds: 100 } },
      createShipment: { throttle: { invocationPercentage: 100 }, invocationError: { invocationPercentage: 100 } },
    },
    queues: { email: { duplicateDelivery: { percentage: 100 } } },
    ses: { throttle: { percentage: 0 } },
  });

  it("draws the same faults in the same order under the same seed, and others under another", () => {
    const draws = (seed: number) => {
      const faults = new FaultInjector(TARGETS);
      faults.use(plan, { seed });
      return Array.from({ length: 200 }, () => JSON.stringify(faults.forInvocation("sendEmail", {}) ?? null));
    };
    assert.deepEqual(draws(7), draws(7));
    assert.notDeepEqual(draws(7), draws(8));
    const kinds = draws(7).map((d) => JSON.parse(d) as Record<string, unknown> | null);
    // Roughly the plan's percentages: a crash excludes an error (the process is gone before it could answer one).
    const crashes = kinds.filter((k) => k?.crashAfterMs !== undefined).length;
    const errors = kinds.filter((k) => k?.error !== undefined).length;
    assert.ok(crashes > 20 && crashes < 60, `${crashes} crashes in 200 at 20%`);
    assert.ok(errors > 25 && errors < 80, `${errors} errors in 200 at 30% of the rest`);
    assert.ok(kinds.every((k) => !(k?.crashAfterMs !== undefined && k.error !== undefined)));
    assert.ok(kinds.every((k) => k?.crashAfterMs === undefined || (Number(k.crashAfterMs) >= 0 && Number(k.crashAfterMs) <= 1000)));
  });

  it("throttles before anything else, applies 100% always and 0% never, and counts what it injected", () => {
    const faults = new FaultInjector(TARGETS);
    faults.use(plan, { seed: 1 });
    assert.deepEqual(faults.forInvocation("createShipment", {}), { throttle: true });
    assert.equal(faults.duplicates("email", "{}"), true);
    assert.equal(faults.duplicates("shipping", "{}"), false, "a queue without a plan");
    assert.equal(faults.throttlesSending("ses", {}), false);
    assert.equal(faults.throttlesSending("sms", {}), false);
    faults.count("throttle");
    faults.count("throttle");
    assert.equal(faults.injected.get("throttle"), 2);
    faults.clear();
    assert.equal(faults.forInvocation("createShipment", {}), undefined);
  });

  it("limits a plan to the calls its scope accepts (the chaos scenario's own orders)", () => {
    const faults = new FaultInjector(TARGETS);
    faults.use(plan, { seed: 1, scope: (payload) => JSON.stringify(payload).includes("ours") });
    assert.equal(faults.forInvocation("createShipment", { orderId: "theirs" }), undefined);
    assert.deepEqual(faults.forInvocation("createShipment", { orderId: "ours" }), { throttle: true });
    assert.equal(faults.duplicates("email", "theirs"), false);
  });

  it("dice: a stream's draws do not depend on the other streams' (each resource's faults repeat under a seed)", () => {
    const a = new FaultDice(3);
    const b = new FaultDice(3);
    b.next("other");
    b.next("other");
    assert.deepEqual([a.next("mine"), a.next("mine")], [b.next("mine"), b.next("mine")]);
    assert.ok([...Array(100)].every(() => { const n = a.between("x", 1, 3); return n >= 1 && n <= 3; }));
  });
});
