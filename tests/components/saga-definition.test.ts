import { strict as assert } from "node:assert";
import {
  assertValidAsl,
  buildSagaAsl,
  COMPENSATION_FAILED_ERROR,
  generateSagaAsl,
  LAMBDA_TRANSIENT_ERRORS,
  placeholderArns,
  type AslState,
  type Named,
  type SagaDefinition,
} from "../../components/saga-definition";
import { lambdaError, runLocalSaga, type FakeFunction, type SagaRun } from "../helpers/local-saga";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require("asl-validator") as (definition: unknown) => { isValid: boolean; errorsText(): string };

type Definition = SagaDefinition<Named, Named>;
const fn = (name: string): Named => ({ name });
const bus: Named = { name: "orders" };
const input = { orderId: "o-42", total: 120, items: ["book", "pen", "lamp"] };

/** The checkout saga of the talk: reserve, charge, ship; each undone by its own compensation. */
function threeStepSaga(overrides: Partial<Definition> = {}): Definition {
  return {
    steps: [
      { name: "ReserveInventory", invoke: fn("reserve"), compensate: fn("release"), retry: { errors: ["InventoryLocked"] } },
      { name: "ChargePayment", invoke: fn("charge"), compensate: fn("refund"), timeoutSeconds: 30 },
      { name: "ScheduleShipment", invoke: fn("ship"), compensate: fn("cancelShipment") },
    ],
    finally: { name: "RecordOutcome", invoke: fn("audit") },
    onSuccess: { bus, source: "orderflow.checkout", detailType: "OrderConfirmed", detail: { orderId: "$.orderId" } },
    onFailure: { bus, source: "orderflow.checkout", detailType: "OrderCancelled", detail: { orderId: "$.orderId", error: "$.error" } },
    ...overrides,
  };
}

const FORWARD = ["reserve", "charge", "ship"] as const;
const COMPENSATION_OF: Record<string, string> = { reserve: "release", charge: "refund", ship: "cancelShipment" };

/** Fake functions for every function of the definition: each returns `{ by: <name> }` unless `behaviour` says otherwise. */
async function run(definition: Definition, behaviour: Record<string, FakeFunction> = {}, sagaInput: Record<string, unknown> = input): Promise<SagaRun> {
  const arns = placeholderArns(definition);
  const asl = buildSagaAsl(definition, arns);
  const functions = Object.fromEntries(
    Object.entries(arns.functions).map(([name, arn]) => [arn, { name, run: behaviour[name] ?? (() => ({ by: name })) }]),
  );
  return runLocalSaga(asl, functions, sagaInput);
}

/** A function that throws `error` on its first `times` calls, then answers. */
function failing(times: number, error: () => Error): FakeFunction {
  let calls = 0;
  return () => {
    calls += 1;
    if (calls <= times) throw error();
    return { recovered: true };
  };
}

const published = (r: SagaRun) => r.calls.flatMap((c) => (c.kind === "publish" ? c.entries.map((e) => e.DetailType) : []));

describe("components/saga-definition", () => {
  describe("generated ASL", () => {
    it("passes asl-validator, with the lambda:invoke integration, the whole state as payload and results under results.<step>", () => {
      const arns = placeholderArns(threeStepSaga());
      const asl = generateSagaAsl(threeStepSaga(), arns);
      const verdict = aslValidator(structuredClone(asl));
      assert.ok(verdict.isValid, verdict.errorsText());
      const charge = asl.States.ChargePayment;
      assert.equal(charge.Resource, "arn:aws:states:::lambda:invoke");
      assert.deepEqual(charge.Parameters, { FunctionName: arns.functions.charge, "Payload.$": "$" });
      assert.deepEqual(charge.ResultSelector, { "Payload.$": "$.Payload" });
      assert.equal(charge.ResultPath, "$.results.ChargePayment");
      assert.equal(charge.TimeoutSeconds, 30);
      // A failed step is compensated too (it may have charged before it failed), then the steps before it.
      assert.deepEqual(charge.Catch, [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "CompensateChargePayment" }]);
      assert.equal(asl.States.CompensateChargePayment.Next, "CompensateReserveInventory");
    });

    it("retries Lambda's transient errors (2 s, 6 attempts, backoff 2, full jitter) and then the step's declared errors", () => {
      const asl = generateSagaAsl(threeStepSaga(), placeholderArns(threeStepSaga()));
      assert.deepEqual(asl.States.ReserveInventory.Retry, [
        { ErrorEquals: [...LAMBDA_TRANSIENT_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, JitterStrategy: "FULL" },
        { ErrorEquals: ["InventoryLocked"], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: "FULL" },
      ]);
      assert.deepEqual(LAMBDA_TRANSIENT_ERRORS, [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
      ]);
    });

    it("publishes through the direct events:putEvents integration to the bus's ARN", () => {
      const arns = placeholderArns(threeStepSaga());
      const asl = generateSagaAsl(threeStepSaga(), arns);
      const publish = asl.States.PublishSuccess as AslState & { Parameters: { Entries: unknown[] } };
      assert.equal(publish.Resource, "arn:aws:states:::events:putEvents");
      assert.deepEqual(publish.Parameters.Entries, [
        { EventBusName: arns.buses.orders, Source: "orderflow.checkout", DetailType: "OrderConfirmed", Detail: { "orderId.$": "$.orderId" } },
      ]);
    });

    it("fails on duplicate step names, naming the name, also across nested branches and generated states", () => {
      const twice = threeStepSaga({
        steps: [
          { name: "ChargePayment", invoke: fn("reserve") },
          { name: "ChargePayment", invoke: fn("charge") },
        ],
      });
      assert.throws(() => buildSagaAsl(twice, placeholderArns(twice)), /"ChargePayment" is used twice/);
      const nested = threeStepSaga({
        steps: [
          { name: "Pay", invoke: fn("charge") },
          { name: "Fan", parallel: [[{ name: "Pay", invoke: fn("ship") }]] },
        ],
      });
      assert.throws(() => buildSagaAsl(nested, placeholderArns(nested)), /"Pay" is used twice/);
      const clash = threeStepSaga({ steps: [{ name: "SagaFailed", invoke: fn("charge") }] });
      assert.throws(() => buildSagaAsl(clash, placeholderArns(clash)), /"SagaFailed" is used twice/);
    });

    it("fails with asl-validator's messages on an invalid definition", () => {
      const bad = threeStepSaga({ steps: [{ name: "Charge", invoke: fn("charge"), resultPath: "results..charge" }] });
      assert.throws(() => buildSagaAsl(bad, placeholderArns(bad)), (e: Error) => {
        assert.match(e.message, /not valid ASL/);
        assert.match(e.message, /ResultPath|results\.\.charge/);
        return true;
      });
      assert.throws(
        () => assertValidAsl({ StartAt: "Missing", States: { Here: { Type: "Succeed" } } }),
        /Missing/,
      );
    });

    it("rejects compensations inside nested steps and bad ranges, naming the option and the value", () => {
      const nested = threeStepSaga({
        steps: [{ name: "Fan", parallel: [[{ name: "Pay", invoke: fn("charge"), compensate: fn("refund") }]] }],
      });
      assert.throws(() => buildSagaAsl(nested, placeholderArns(nested)), /step "Pay" is inside .* Put the compensation on the enclosing step/);
      const retries = threeStepSaga({ steps: [{ name: "Pay", invoke: fn("charge"), retry: { errors: ["X"], maxAttempts: 100 } }] });
      assert.throws(() => buildSagaAsl(retries, placeholderArns(retries)), /`retry.maxAttempts` must be an integer from 0 to 99, but 100/);
      const empty = threeStepSaga({ steps: [] });
      assert.throws(() => buildSagaAsl(empty, placeholderArns(empty)), /`steps` must have at least one step/);
      const badName = threeStepSaga({ steps: [{ name: "charge-payment", invoke: fn("charge") }] });
      assert.throws(() => buildSagaAsl(badName, placeholderArns(badName)), /"charge-payment" is not valid/);
    });
  });

  describe("input from a pipe", () => {
    it("reads the saga's state from the first record of the pipe's batch when inputPath is $[0]", async () => {
      const r = await run(threeStepSaga({ inputPath: "$[0]" }), {}, [input] as unknown as Record<string, unknown>);
      assert.equal(r.status, "SUCCEEDED");
      const reserve = r.calls.find((c) => c.kind === "invoke" && c.fn === "reserve") as { payload: { orderId: string } };
      assert.equal(reserve.payload.orderId, "o-42", "the first step sees the record, not the array");
      assert.equal(r.entered[0], "ReadInput");
    });

    it("rejects an inputPath that is not a JSONPath, naming it", () => {
      assert.throws(() => buildSagaAsl(threeStepSaga({ inputPath: "[0]" }), placeholderArns(threeStepSaga())), /`inputPath` must be a JSONPath starting with "\$"/);
    });
  });

  describe("three-step saga, run with aws-local-stepfunctions", () => {
    it("happy path: runs the steps in order, publishes OrderConfirmed, runs finally, compensates nothing", async () => {
      const r = await run(threeStepSaga());
      assert.equal(r.status, "SUCCEEDED");
      assert.deepEqual(r.invoked, ["reserve", "charge", "ship", "audit"]);
      assert.deepEqual(published(r), ["OrderConfirmed"]);
      const publish = r.calls.find((c) => c.kind === "publish");
      assert.deepEqual(publish?.kind === "publish" && publish.entries[0].Detail, { orderId: "o-42" });
      const output = r.output as { orderId: string; results: Record<string, { Payload: unknown }> };
      assert.equal(output.orderId, "o-42", "the execution input stays at the top level");
      assert.deepEqual(output.results.ChargePayment, { Payload: { by: "charge" } });
      // Each step sees the input and the results of the steps before it.
      const shipPayload = r.calls.find((c) => c.kind === "invoke" && c.fn === "ship")!;
      assert.deepEqual(Object.keys((shipPayload as { payload: { results: object } }).payload.results), ["ReserveInventory", "ChargePayment"]);
    });

    FORWARD.forEach((failingFn, index) => {
      it(`a permanent error in step ${index + 1} (${failingFn}) compensates that step and the completed ones, in reverse order, then fails`, async () => {
        const r = await run(threeStepSaga(), { [failingFn]: failing(Infinity, () => lambdaError("BusinessRuleViolated", `${failingFn} said no`)) });
        assert.equal(r.status, "FAILED");
        assert.deepEqual(r.error, { error: "BusinessRuleViolated", cause: `${failingFn} said no` });
        const attempted = FORWARD.slice(0, index + 1);
        const compensations = r.invoked.filter((n) => Object.values(COMPENSATION_OF).includes(n));
        assert.deepEqual(compensations, attempted.map((n) => COMPENSATION_OF[n]).reverse());
        assert.equal(r.invoked.filter((n) => n === failingFn).length, 1, "a permanent error is not retried");
        assert.ok(!r.invoked.some((n) => FORWARD.indexOf(n as (typeof FORWARD)[number]) > index), "no step after the failed one runs");
        assert.deepEqual(published(r), ["OrderCancelled"]);
        assert.equal(r.invoked.at(-1), "audit", "finally runs last");
        assert.equal(r.invoked.filter((n) => n === "audit").length, 1);
        assert.equal(r.entered.at(-1), "SagaFailed");
      });

      it(`a transient error in step ${index + 1} (${failingFn}) is retried and the saga succeeds`, async () => {
        const r = await run(threeStepSaga(), { [failingFn]: failing(1, () => lambdaError("Lambda.TooManyRequestsException")) });
        assert.equal(r.status, "SUCCEEDED");
        assert.equal(r.invoked.filter((n) => n === failingFn).length, 2);
        assert.deepEqual(r.retried, [["ReserveInventory", "ChargePayment", "ScheduleShipment"][index]]);
        assert.deepEqual(r.invoked, ["reserve", "charge", "ship", "audit"].flatMap((n) => (n === failingFn ? [n, n] : [n])));
        assert.deepEqual(published(r), ["OrderConfirmed"]);
      });
    });

    it("retries a transient Lambda error 6 times, then compensates and fails with that error", async () => {
      const r = await run(threeStepSaga(), { charge: failing(Infinity, () => lambdaError("Lambda.ServiceException", "service down")) });
      assert.equal(r.status, "FAILED");
      assert.deepEqual(r.error, { error: "Lambda.ServiceException", cause: "service down" });
      assert.equal(r.invoked.filter((n) => n === "charge").length, 7, "1 attempt + 6 retries");
      assert.deepEqual(r.invoked.filter((n) => n === "release" || n === "refund"), ["refund", "release"]);
      assert.equal(r.invoked.at(-1), "audit");
    });

    it("retries the step's declared transient errors", async () => {
      const r = await run(threeStepSaga(), { reserve: failing(2, () => lambdaError("InventoryLocked")) });
      assert.equal(r.status, "SUCCEEDED");
      assert.equal(r.invoked.filter((n) => n === "reserve").length, 3);
    });

    it("a compensation that still fails after 3 retries ends in CompensationFailed, after finally, without OrderCancelled", async () => {
      const r = await run(threeStepSaga(), {
        ship: failing(Infinity, () => lambdaError("CarrierUnavailable")),
        refund: failing(Infinity, () => lambdaError("RefundRejected", "bank said no")),
      });
      assert.equal(r.status, "FAILED");
      assert.deepEqual(r.error, { error: COMPENSATION_FAILED_ERROR, cause: "bank said no" });
      assert.equal(r.invoked.filter((n) => n === "refund").length, 4, "1 attempt + 3 retries");
      assert.ok(!r.invoked.includes("release"), "the chain stops at the failed compensation");
      assert.equal(r.invoked.at(-1), "audit", "finally still runs");
      assert.deepEqual(published(r), []);
      assert.equal(r.entered.at(-1), "CompensationFailed");
    });

    it("a compensation that fails transiently is retried and the chain goes on", async () => {
      const r = await run(threeStepSaga(), {
        ship: failing(Infinity, () => lambdaError("CarrierUnavailable")),
        refund: failing(2, () => lambdaError("Timeout")),
      });
      assert.deepEqual(r.error, { error: "CarrierUnavailable", cause: "CarrierUnavailable (injected)" });
      assert.deepEqual(r.invoked, ["reserve", "charge", "ship", "cancelShipment", "refund", "refund", "refund", "release", "audit"]);
    });
  });

  describe("business outcomes: a step's declared answer ends the saga cancelled, not failed", () => {
    /** The three-step saga whose payment step declares PaymentDeclined an outcome. */
    const declining = () =>
      threeStepSaga({
        steps: [
          { name: "ReserveInventory", invoke: fn("reserve"), compensate: fn("release"), outcomes: ["OutOfStock"] },
          { name: "ChargePayment", invoke: fn("charge"), compensate: fn("refund"), outcomes: ["PaymentDeclined"] },
          { name: "ScheduleShipment", invoke: fn("ship"), compensate: fn("cancelShipment") },
        ],
      });

    it("a declared outcome compensates, publishes OrderCancelled, runs finally, then succeeds with CANCELLED and why in its output", async () => {
      const r = await run(declining(), { charge: failing(Infinity, () => lambdaError("PaymentDeclined", "card expired")) });
      assert.equal(r.status, "SUCCEEDED");
      assert.deepEqual(r.invoked, ["reserve", "charge", "refund", "release", "audit"]);
      assert.deepEqual(published(r), ["OrderCancelled"]);
      const output = r.output as { orderId: string; outcome: { status: string; reason: string; cause: string } };
      assert.deepEqual(output.outcome, { status: "CANCELLED", reason: "PaymentDeclined", cause: "card expired" });
      assert.equal(output.orderId, "o-42", "the state stays in the output beside the outcome");
      assert.equal(r.entered.at(-1), "SagaCancelled");
      assert.equal(r.invoked.filter((n) => n === "charge").length, 1, "an outcome is not retried");
    });

    it("an outcome of the first step runs only that step's compensation (nothing to undo there) and ends cancelled too", async () => {
      const r = await run(declining(), { reserve: failing(Infinity, () => lambdaError("OutOfStock", "no lamps")) });
      assert.equal(r.status, "SUCCEEDED");
      assert.deepEqual((r.output as { outcome: unknown }).outcome, { status: "CANCELLED", reason: "OutOfStock", cause: "no lamps" });
      assert.deepEqual(r.invoked, ["reserve", "release", "audit"]);
    });

    it("any other error still fails the execution, after the same compensations", async () => {
      const undeclared = await run(declining(), { charge: failing(Infinity, () => lambdaError("TypeError", "undefined is not a function")) });
      assert.equal(undeclared.status, "FAILED");
      assert.deepEqual(undeclared.error, { error: "TypeError", cause: "undefined is not a function" });
      assert.deepEqual(undeclared.invoked, ["reserve", "charge", "refund", "release", "audit"]);
      assert.equal(undeclared.entered.at(-1), "SagaFailed");
      const lambdaDown = await run(declining(), { ship: failing(Infinity, () => lambdaError("Lambda.ServiceException", "down")) });
      assert.equal(lambdaDown.status, "FAILED");
    });

    it("an outcome whose compensation then fails ends in CompensationFailed", async () => {
      const r = await run(declining(), {
        ship: failing(Infinity, () => lambdaError("OutOfStock", "declared by another step only")),
        refund: failing(Infinity, () => lambdaError("RefundRejected", "bank said no")),
      });
      assert.equal(r.status, "FAILED");
      assert.deepEqual(r.error, { error: COMPENSATION_FAILED_ERROR, cause: "bank said no" });
      const declined = await run(declining(), {
        charge: failing(Infinity, () => lambdaError("PaymentDeclined")),
        release: failing(Infinity, () => lambdaError("TableGone", "no table")),
      });
      assert.equal(declined.status, "FAILED");
      assert.equal(declined.entered.at(-1), "CompensationFailed");
    });

    it("without declared outcomes the ASL has no cancelled ending (ASL forbids unreachable states)", () => {
      const asl = generateSagaAsl(threeStepSaga(), placeholderArns(threeStepSaga()));
      assert.ok(!("SagaCancelled" in asl.States) && !("CancelledOrFailed" in asl.States));
    });

    it("refuses an outcome that is also retried, and States.* errors, naming the step", () => {
      const retried = threeStepSaga({ steps: [{ name: "Pay", invoke: fn("charge"), retry: { errors: ["PaymentDeclined"] }, outcomes: ["PaymentDeclined"] }] });
      assert.throws(() => buildSagaAsl(retried, placeholderArns(retried)), /step "Pay": "PaymentDeclined" is both retried and an outcome/);
      const states = threeStepSaga({ steps: [{ name: "Pay", invoke: fn("charge"), outcomes: ["States.Timeout"] }] });
      assert.throws(() => buildSagaAsl(states, placeholderArns(states)), /step "Pay": `outcomes` must name the step's own errors, but "States.Timeout"/);
    });
  });

  describe("choice, parallel and map", () => {
    it("choice selects the steps by data, falls back to `otherwise`, and goes on after the choice", async () => {
      const definition: Definition = {
        steps: [
          {
            name: "Route",
            choice: {
              rules: [
                { when: { path: "$.total", greaterThan: 1000 }, steps: [{ name: "ManualReview", invoke: fn("review") }] },
                { when: { path: "$.express", equals: true }, steps: [{ name: "Express", invoke: fn("express") }, { name: "Notify", invoke: fn("notify") }] },
              ],
              otherwise: [{ name: "Standard", invoke: fn("standard") }],
            },
          },
          { name: "Ship", invoke: fn("ship") },
        ],
      };
      assert.deepEqual((await run(definition, {}, { total: 5000 })).invoked, ["review", "ship"]);
      assert.deepEqual((await run(definition, {}, { total: 10, express: true })).invoked, ["express", "notify", "ship"]);
      assert.deepEqual((await run(definition, {}, { total: 10, express: false })).invoked, ["standard", "ship"]);
    });

    it("a choice without `otherwise` goes straight on when no rule holds", async () => {
      const definition: Definition = {
        steps: [
          { name: "Route", choice: { rules: [{ when: { path: "$.gift", isPresent: true }, steps: [{ name: "Wrap", invoke: fn("wrap") }] }] } },
          { name: "Ship", invoke: fn("ship") },
        ],
      };
      assert.deepEqual((await run(definition, {}, { gift: "card" })).invoked, ["wrap", "ship"]);
      assert.deepEqual((await run(definition, {}, {})).invoked, ["ship"]);
    });

    it("a failure inside a choice branch compensates the steps before the choice", async () => {
      const definition: Definition = {
        steps: [
          { name: "Reserve", invoke: fn("reserve"), compensate: fn("release") },
          { name: "Route", choice: { rules: [{ when: { path: "$.total", greaterThan: 0 }, steps: [{ name: "Charge", invoke: fn("charge") }] }] } },
        ],
      };
      const r = await run(definition, { charge: failing(Infinity, () => lambdaError("Declined")) }, { total: 5 });
      assert.equal(r.status, "FAILED");
      assert.deepEqual(r.invoked, ["reserve", "charge", "release"]);
    });

    it("parallel runs every branch and collects each branch's results", async () => {
      const definition: Definition = {
        steps: [
          { name: "Prepare", parallel: [[{ name: "Pick", invoke: fn("pick") }, { name: "Pack", invoke: fn("pack") }], [{ name: "Label", invoke: fn("label") }]] },
        ],
      };
      const r = await run(definition);
      assert.equal(r.status, "SUCCEEDED");
      assert.deepEqual([...r.invoked].sort(), ["label", "pack", "pick"]);
      assert.ok(r.invoked.indexOf("pick") < r.invoked.indexOf("pack"), "steps within a branch run in order");
      const results = (r.output as { results: { Prepare: unknown } }).results.Prepare;
      assert.deepEqual(results, {
        branches: [{ Pick: { Payload: { by: "pick" } }, Pack: { Payload: { by: "pack" } } }, { Label: { Payload: { by: "label" } } }],
      });
    });

    it("a failing parallel branch fails the step as a whole and compensates the steps before it, and the parallel's own", async () => {
      const definition: Definition = {
        steps: [
          { name: "Reserve", invoke: fn("reserve"), compensate: fn("release") },
          { name: "Prepare", parallel: [[{ name: "Pick", invoke: fn("pick") }], [{ name: "Label", invoke: fn("label") }]], compensate: fn("unprepare") },
          { name: "Ship", invoke: fn("ship") },
        ],
      };
      const inParallel = await run(definition, { label: failing(Infinity, () => lambdaError("PrinterJam")) });
      assert.deepEqual(inParallel.error?.error, "PrinterJam");
      assert.deepEqual(inParallel.invoked.filter((n) => ["release", "unprepare"].includes(n)), ["unprepare", "release"]);
      const after = await run(definition, { ship: failing(Infinity, () => lambdaError("NoCarrier")) });
      assert.deepEqual(after.invoked.filter((n) => ["release", "unprepare"].includes(n)), ["unprepare", "release"]);
    });

    it("map runs its steps once per item, each with { item, index }, at the configured concurrency", async () => {
      const definition: Definition = {
        steps: [{ name: "EachItem", map: { itemsPath: "$.items", maxConcurrency: 2, steps: [{ name: "ReserveItem", invoke: fn("reserveItem") }] } }],
      };
      const asl = generateSagaAsl(definition, placeholderArns(definition));
      assert.equal(asl.States.EachItem.MaxConcurrency, 2);
      const r = await run(definition, { reserveItem: (p) => ({ reserved: (p as { item: string }).item }) });
      assert.equal(r.status, "SUCCEEDED");
      const payloads = r.calls.flatMap((c) => (c.kind === "invoke" ? [c.payload] : []));
      assert.deepEqual(
        [...payloads].sort((a, b) => (a as { index: number }).index - (b as { index: number }).index),
        [{ item: "book", index: 0 }, { item: "pen", index: 1 }, { item: "lamp", index: 2 }],
      );
      const results = (r.output as { results: { EachItem: { results: { ReserveItem: { Payload: unknown } } }[] } }).results.EachItem;
      assert.deepEqual(results.map((it) => it.results.ReserveItem.Payload), [{ reserved: "book" }, { reserved: "pen" }, { reserved: "lamp" }]);
    });

    it("a failing map iteration fails the map and compensates the steps before it", async () => {
      const definition: Definition = {
        steps: [
          { name: "Charge", invoke: fn("charge"), compensate: fn("refund") },
          { name: "EachItem", map: { itemsPath: "$.items", steps: [{ name: "ReserveItem", invoke: fn("reserveItem") }] } },
        ],
        finally: { name: "Audit", invoke: fn("audit") },
      };
      const r = await run(definition, {
        reserveItem: (p) => {
          if ((p as { item: string }).item === "pen") throw lambdaError("OutOfStock", "no pens");
          return {};
        },
      });
      assert.deepEqual(r.error, { error: "OutOfStock", cause: "no pens" });
      assert.deepEqual(r.invoked.slice(-2), ["refund", "audit"]);
    });
  });
});
