import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { offlinePreview, type OfflinePreviewResult, type PreviewIo } from "../../../ops/offline/preview";
import { ExitCode } from "../../../ops/automation/exit-codes";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// A copy of the project's files (not its node_modules, which it links), so the preview writes its .orderflow/ there.
function sandbox(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "orderflow-preview-"));
  for (const entry of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.dev.payments.yaml", "Pulumi.dev.notifications.yaml", "policies", "package.json"]) {
    cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true, filter: (src) => !src.includes("node_modules") });
  }
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

function io(root: string): PreviewIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, write: (t) => out.push(t), writeError: (t) => err.push(t), renderer: "silent", root };
}

describe("ops/offline preview (the main job)", function () {
  this.timeout(120_000);
  let root: string;
  let capture: ReturnType<typeof io>;
  let result: OfflinePreviewResult;

  before(async () => {
    root = sandbox();
    capture = io(root);
    result = await offlinePreview({ env: "dev", json: true, parallel: 4 }, capture);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("runs every dev stack in dependency order and exits 0 without a mandatory violation", () => {
    assert.equal(result.exitCode, ExitCode.ok, capture.err.join(""));
    assert.deepEqual(
      result.stacks.map((s) => s.stack),
      ["dev", "dev.orders", "dev.inventory", "dev.payments", "dev.shipping", "dev.notifications", "dev.checkout"],
    );
    assert.ok(result.policy.every((p) => p.mandatory.length === 0));
  });

  it("prints each stack's plan as a component tree with counts by type, and a summary", () => {
    const text = capture.out.join("");
    assert.match(text, /== dev\.shipping ==/);
    assert.match(text, /\n {2}\+ orderflow:messaging:Queue shipping\n( {4,}\+ .*\n)*? {4}\+ aws:sqs\/queue:Queue shippingQueue\n/);
    assert.match(text, /Resources by type:\n\s+\d+ {2}aws:/);
    assert.match(text, /Summary: 7 stacks, \d+ resources; 0 mandatory/);
  });

  it("evaluates the pack through the analyzer protocol in two passes, reporting what a real preview would defer", () => {
    const checkout = result.policy.find((p) => p.stack === "dev.checkout")!;
    assert.ok(checkout.deferred.length > 0, "a first preview cannot see the ARNs the saga's role policies name");
    for (const d of checkout.deferred) assert.ok(Array.isArray(d.resolved), d.policyName);
    // The dev config makes PITR advisory, and dev tables have none: reported, not failing.
    const pitr = result.policy.flatMap((p) => p.advisory).filter((r) => r.policyName === "dynamodb-pitr");
    assert.ok(pitr.length > 0);
    assert.ok(pitr.every((r) => r.enforcementLevel === "advisory"));
  });

  it("writes each stack's resolved resources and outputs, and the policy results, as JSON with --json", () => {
    const dir = path.join(root, ".orderflow", "dev");
    const orders = JSON.parse(readFileSync(path.join(dir, "dev.orders.json"), "utf8"));
    assert.equal(orders.stack, "dev.orders");
    assert.match(orders.outputs.apiUrl, /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/live$/);
    const fn = orders.resources.find((r: { type: string; name: string }) => r.type === "aws:lambda/function:Function" && r.name === "placeOrderFunction");
    assert.deepEqual(Object.keys(fn).sort(), ["dependencies", "inputs", "name", "outputs", "parent", "propertyDependencies", "type", "urn"]);
    assert.match(fn.outputs.arn, /^arn:aws:lambda:us-east-1:123456789012:function:placeOrderFunction-/);
    assert.ok(fn.propertyDependencies.role.length > 0);
    const policy = JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8"));
    assert.deepEqual(
      [...new Set(policy.map((p: { pass: string }) => p.pass))].sort(),
      ["preview", "resolved"],
    );
    // Every check the preview pass could not run is marked, the policies' own "cannot be checked" ones included.
    const previewResults = policy.filter((p: { pass: string }) => p.pass === "preview").flatMap((p: { results: unknown[] }) => p.results);
    const deferred = previewResults.filter((r: { deferred: boolean }) => r.deferred);
    assert.ok(deferred.length > 0);
    assert.ok(deferred.every((r: { message: string }) => /cannot be checked until the value is known|during preview/.test(r.message)));
  });

  it("draws the architecture: producers, the bus, rules and targets, subscriptions, the pipe and the saga's steps", () => {
    const diagram = readFileSync(path.join(root, ".orderflow", "dev", "architecture.mmd"), "utf8");
    assert.match(diagram, /^flowchart LR/);
    const edge = (from: string, to: string, label?: string) =>
      assert.match(diagram, new RegExp(`${from} -->${label ? `\\|"${label}"\\|` : ""} ${to}\\n`), `${from} -> ${to}`);
    edge("dev__ordersBus", "dev_shipping__orders_orderConfirmedToShippingRule", "OrderConfirmed");
    edge("dev_shipping__orders_orderConfirmedToShippingRule", "dev_shipping__shippingQueue");
    edge("dev_shipping__shippingQueue", "dev_shipping__createShipmentFunction");
    edge("dev_shipping__createShipmentFunction", "dev__ordersBus", "PutEvents");
    edge("dev_notifications__notificationsTopic", "dev_notifications__smsQueue", "OrderShipped");
    edge("dev_orders__ordersTable", "dev_checkout__newOrdersPipe", "stream");
    edge("dev_checkout__newOrdersPipe", "dev_checkout__checkoutStateMachine");
    edge("dev_checkout__checkoutStateMachine_ChargePayment", "dev_payments__chargePaymentFunction");
    edge("dev_checkout__checkoutStateMachine", "dev__ordersBus", "OrderConfirmed");
    edge("dev_shipping__labelsQueue", "dev_shipping__labelWorkerService");
    edge("dev_orders__placeOrderFunction", "dev_orders__ordersTable", "writes");
    edge("dev_orders__getOrderFunction", "dev_orders__ordersTable", "reads");
    edge("dev_shipping__labelWorkerService", "dev_shipping__shipmentsTable", "writes");
  });

  it("draws the same dev diagram the README shows", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const shown = /## The dev environment[^]*?```mermaid\n([^]*?)```/.exec(readme)?.[1];
    const drawn = readFileSync(path.join(root, ".orderflow", "dev", "architecture.mmd"), "utf8");
    assert.equal(shown, drawn, "README.md's dev diagram is stale: run `npm start` and copy .orderflow/dev/architecture.mmd into it");
  });

  describe("exit codes", () => {
    it("exits 1 when a mandatory policy is violated, naming the resource", async () => {
      const dir = sandbox();
      try {
        const capture = io(dir);
        const run = await offlinePreview({ env: "dev", stack: "platform", json: false, parallel: 1 }, capture, () => {
          new aws.sqs.Queue("bare", { sqsManagedSseEnabled: true });
          return {};
        });
        assert.equal(run.exitCode, ExitCode.policyViolation);
        const text = capture.out.join("");
        assert.match(text, /\[mandatory\] sqs-has-dlq: .*bare/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("exits 2 on a program error, naming the stack and the program's message, and writes nothing", async () => {
      const dir = sandbox();
      try {
        const capture = io(dir);
        const run = await offlinePreview({ env: "dev", stack: "platform", json: true, parallel: 1 }, capture, () => {
          throw new Error("orderflow:logRetentionDays = 45 is not allowed");
        });
        assert.equal(run.exitCode, ExitCode.error);
        assert.match(capture.err.join(""), /Stack "dev" failed: orderflow:logRetentionDays = 45/);
        assert.ok(!existsSync(path.join(dir, ".orderflow", "dev", "dev.json")));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it("skips only the stacks that read from a failed one, previews the rest, and exits 2 naming both", async () => {
    const dir = sandbox();
    try {
      const capture = io(dir);
      const run = await offlinePreview({ env: "dev", stack: "checkout", json: false, parallel: 1 }, capture, () => {
        if (pulumi.getStack() === "dev.payments") throw new Error("orderflow:paymentDeclineAbove = \"lots\": expected number");
        return {};
      });
      assert.equal(run.exitCode, ExitCode.error);
      assert.deepEqual(run.stacks.map((s) => s.stack).sort(), ["dev", "dev.inventory", "dev.orders"]);
      const errors = capture.err.join("");
      assert.match(errors, /Stack "dev\.payments" failed: orderflow:paymentDeclineAbove/);
      assert.match(errors, /Skipped: dev\.checkout \(dev\.payments failed\)\./);
      assert.doesNotMatch(errors, /at .*\.ts:\d+/, "no stack trace for a program's own error");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--stack runs one stack and only the stacks it reads from, drawing its part beside the environment's diagram", async () => {
    const dir = sandbox();
    try {
      const run = await offlinePreview({ env: "dev", stack: "shipping", json: false, parallel: 1 }, io(dir));
      assert.deepEqual(run.stacks.map((s) => s.stack), ["dev", "dev.shipping"]);
      assert.ok(existsSync(path.join(dir, ".orderflow", "dev", "architecture.shipping.mmd")));
      assert.ok(!existsSync(path.join(dir, ".orderflow", "dev", "architecture.mmd")), "the whole environment's diagram is not overwritten");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
