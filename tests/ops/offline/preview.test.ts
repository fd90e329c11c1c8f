import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { offlinePreview, startPreviewPack, type OfflinePreviewOptions, type OfflinePreviewResult, type PreviewIo } from "../../../ops/offline/preview";
import type { PreviewDigest } from "../../../ops/offline/preview-json";
import { ExitCode } from "../../../ops/automation/exit-codes";
import type { PolicyPackSession } from "../../../ops/policy/analyzer-client";

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

type Capture = PreviewIo & { out: string[]; err: string[]; progressText: () => string };

function io(root: string, overrides: Partial<PreviewIo> = {}): Capture {
  const out: string[] = [];
  const err: string[] = [];
  const progress: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      progress.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  return {
    out,
    err,
    progressText: () => progress.join(""),
    write: (t) => out.push(t),
    writeError: (t) => err.push(t),
    renderer: "silent",
    root,
    ...(overrides.renderer === "simple" ? { progress: stream } : {}),
    ...overrides,
  };
}

// dev's policy pack, started once for the previews that run with dev's own policy config (a sandbox's policies/ is a
// copy of the repository's): each start costs about a second of CPU. The main job below starts and closes its own, as
// `orderflow preview` does, with the exemptions under test in its config.
let sharedPack: Promise<PolicyPackSession> | undefined;
function devPack(): Promise<PolicyPackSession> {
  sharedPack ??= startPreviewPack("dev", ROOT);
  return sharedPack;
}

/** A preview of one small stack in a fresh sandbox, with a program in place of the stacks' own. */
async function previewOf(program: () => unknown, options: Partial<OfflinePreviewOptions> = {}, overrides: Partial<PreviewIo> = {}, without: string[] = []) {
  const dir = sandbox();
  for (const file of without) rmSync(path.join(dir, file));
  try {
    const capture = io(dir, { policyPack: await devPack(), ...overrides });
    const run = await offlinePreview({ env: "dev", stack: "platform", json: false, parallel: 1, ...options }, capture, program);
    return { run, capture, out: capture.out.join(""), err: capture.err.join(""), dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const EXEMPTIONS = {
  "dynamodb-pitr": {
    enforcementLevel: "advisory",
    exemptions: [
      { resource: "ordersTable", reason: "orders are rebuilt from the event archive in dev" },
      { resource: "legacyOrdersTable", reason: "removed from the program last sprint" },
    ],
  },
};

describe("ops/offline preview (the main job)", function () {
  this.timeout(120_000);
  let root: string;
  let capture: Capture;
  let result: OfflinePreviewResult;
  let digest: PreviewDigest;

  before(async () => {
    root = sandbox();
    // An exemption one stack uses (orders' table) and one no stack uses: only that one is stale, once.
    // The real dev config (its other policies' settings) with the exemptions under test in place of dynamodb-pitr's.
    const devConfig = JSON.parse(readFileSync(path.join(ROOT, "policies", "config", "dev.json"), "utf8"));
    writeFileSync(path.join(root, "policies", "config", "dev.json"), JSON.stringify({ ...devConfig, ...EXEMPTIONS }));
    // Files of an earlier run: a stack that no longer exists, and the earlier run's diagram.
    mkdirSync(path.join(root, ".orderflow", "dev"), { recursive: true });
    for (const file of ["dev.legacy.json", "architecture.mmd", "policy.shipping.json", "up-summary.json"]) writeFileSync(path.join(root, ".orderflow", "dev", file), "{}");
    capture = io(root);
    result = await offlinePreview({ env: "dev", json: true, parallel: 4 }, capture);
    digest = JSON.parse(capture.out.join("")) as PreviewDigest;
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  after(async () => {
    const pack = sharedPack;
    sharedPack = undefined;
    await (await pack?.catch(() => undefined))?.close();
  });

  it("runs every dev stack in dependency order and exits 0 without a mandatory violation", () => {
    assert.equal(result.exitCode, ExitCode.ok, capture.err.join(""));
    assert.deepEqual(
      result.stacks.map((s) => s.stack),
      ["bootstrap.nonprod", "dev", "dev.orders", "dev.inventory", "dev.payments", "dev.shipping", "dev.notifications", "dev.checkout"],
    );
    assert.ok(result.policy.every((p) => p.mandatory.length === 0));
  });

  it("prints each stack as `pulumi preview` does: header, resource tree, policies, outputs, resources; the verdict last", () => {
    // With --json the report goes to stderr, so that stdout is the JSON document alone.
    const text = capture.err.join("");
    const shipping = text.slice(text.indexOf("Previewing update (dev.shipping)"), text.indexOf("Previewing update (dev.notifications)"));
    assert.match(shipping, /^Previewing update \(dev\.shipping\)\n\n {5}Type +Name +Plan\n \+ {3}pulumi:pulumi:Stack +orderflow-dev\.shipping +create\n/);
    assert.match(shipping, /\n \+ {3}[├└]─ orderflow:messaging:Queue +shipping +create\n( \+ {3}[│ ] .*\n)*? \+ {3}[│ ] {2}[├└]─ aws:sqs:Queue +shippingQueue +create\n/);
    const sections = ["Policies:", "Outputs:", "Resources:"].map((s) => shipping.indexOf(`\n${s}\n`));
    assert.ok(sections.every((at, i) => at > 0 && (i === 0 || at > sections[i - 1])), "Policies, Outputs, Resources, in the CLI's order");
    assert.match(shipping, /Policies:\n {4}⚠️ orderflow@v0\.1\.0 \(local: policies\)\n {8}- \[advisory\] {2}dynamodb-pitr {2}\(aws:dynamodb:Table: shipmentsTable\)\n {10}shipmentsTable \(aws:dynamodb\/table:Table\): point-in-time recovery is off/);
    // A first preview knows the outputs AWS computes only as outputs to come.
    assert.match(shipping, /Outputs:\n( {4}.*\n)* {4}shippingQueueUrl +: output<string>\n/);
    assert.match(shipping, /Resources:\n {4}\+ \d+ to create\n/);
    assert.ok(text.trimEnd().endsWith("✔ The preview of dev passes: no mandatory policy is violated."), text.slice(-300));
    assert.match(text, /Summary of the preview of dev \(8 stacks: bootstrap\.nonprod, dev, dev\.orders.*\):\n {4}\+ \d+ to create\n {4}Policies \(orderflow@v0\.1\.0\): 0 mandatory, \d+ advisory, 1 exempted; \d+ checks deferred at preview, all passing with resolved values/);
  });

  it("counts the checks deferred at preview once per stack, listing them only with --verbose", () => {
    const text = capture.err.join("");
    assert.match(text, /\n {8}34 checks deferred at preview \(a value they read is unknown until the resources exist\): all 34 pass with resolved values; --verbose lists them\n/);
    assert.doesNotMatch(text, /\[deferred\]/);
    const checkout = result.policy.find((p) => p.stack === "dev.checkout")!;
    assert.ok(checkout.deferred.length > 0, "a first preview cannot see the ARNs the saga's role policies name");
    for (const d of checkout.deferred) assert.ok(Array.isArray(d.resolved), d.policyName);
  });

  it("reports an exemption as exempted where a stack uses it, and as stale once when no stack of the environment does", () => {
    const exempted = result.policy.flatMap((p) => p.exempted);
    assert.deepEqual(exempted.map((r) => r.urn?.split("::").pop()), ["ordersTable"]);
    assert.deepEqual(result.staleExemptions, [{ policy: "dynamodb-pitr", resource: "legacyOrdersTable", reason: "removed from the program last sprint" }]);
    const text = capture.err.join("");
    assert.equal(text.split("legacyOrdersTable").length - 1, 1, "named once, in the environment's summary");
    assert.match(text, /Stale exemptions: 1 in policies\/config\/dev\.json that no stack of dev uses; remove it:\n {8}- dynamodb-pitr: "legacyOrdersTable"/);
  });

  it("prints with --json one document in the shape of `pulumi preview --json`: steps, diagnostics, changeSummary", () => {
    assert.deepEqual(Object.keys(digest).sort(), ["changeSummary", "diagnostics", "duration", "stacks", "steps"]);
    assert.equal(digest.changeSummary.create, digest.steps.filter((s) => s.op === "create").length);
    const queue = digest.steps.find((s) => s.urn.endsWith("aws:sqs/queue:Queue::shippingQueue"))!;
    assert.equal(queue.op, "create");
    assert.equal(queue.newState.type, "aws:sqs/queue:Queue");
    assert.equal(queue.newState.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.detailedDiff, null);
    const pitr = digest.diagnostics.filter((d) => d.policyName === "dynamodb-pitr");
    assert.ok(pitr.some((d) => d.severity === "warning" && d.urn?.endsWith("::shipmentsTable") && d.message.startsWith("[advisory]  dynamodb-pitr: shipmentsTable")));
    assert.ok(digest.diagnostics.some((d) => d.message.includes('"legacyOrdersTable" is stale')));
    assert.deepEqual(digest.stacks.map((s) => s.stack), result.stacks.map((s) => s.stack));
  });

  it("leaves .orderflow/<env>/ as this run made it: the stacks' JSON, the policy results and the diagram", () => {
    const dir = path.join(root, ".orderflow", "dev");
    assert.deepEqual(readdirSync(dir).sort(), [
      "architecture.mmd",
      "bootstrap.nonprod.json",
      "dev.checkout.json",
      "dev.inventory.json",
      "dev.json",
      "dev.notifications.json",
      "dev.orders.json",
      "dev.payments.json",
      "dev.shipping.json",
      "policy.json",
      "up-summary.json",
    ]);
    const orders = JSON.parse(readFileSync(path.join(dir, "dev.orders.json"), "utf8"));
    assert.equal(orders.stack, "dev.orders");
    assert.match(orders.outputs.apiUrl, /^https:\/\/\w+\.execute-api\.us-east-1\.amazonaws\.com\/live$/);
    const fn = orders.resources.find((r: { type: string; name: string }) => r.type === "aws:lambda/function:Function" && r.name === "placeOrderFunction");
    assert.deepEqual(Object.keys(fn).sort(), ["dependencies", "inputs", "name", "outputs", "parent", "propertyDependencies", "type", "urn"]);
    assert.match(fn.outputs.arn, /^arn:aws:lambda:us-east-1:123456789012:function:placeOrderFunction-/);
    assert.ok(fn.propertyDependencies.role.length > 0);
    const policy = JSON.parse(readFileSync(path.join(dir, "policy.json"), "utf8"));
    assert.deepEqual([...new Set(policy.map((p: { pass: string }) => p.pass))].sort(), ["preview", "resolved"]);
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

  it("says what each node of the diagram is, so the three nodes named orders differ, and has a legend", () => {
    const diagram = readFileSync(path.join(root, ".orderflow", "dev", "architecture.mmd"), "utf8");
    assert.match(diagram, /\n {4}dev__ordersBus\(\("bus: orders"\)\)\n/);
    assert.match(diagram, /\n {4}dev_orders__ordersTable\[\("table: orders"\)\]\n/);
    assert.match(diagram, /\n {4}dev_orders__ordersApi\["API: orders"\]\n/);
    assert.match(diagram, /\n {4}dev_orders__placeOrderFunction\(\["function: placeOrder"\]\)\n/);
    const legend = /\n {2}subgraph legend\["Legend"\]\n((?: {4}.*\n)*) {2}end\n/.exec(diagram)?.[1] ?? "";
    for (const kind of ["API: API Gateway REST API", "table: DynamoDB table", "bus: EventBridge event bus", "queue: SQS queue", "topic: SNS topic", "function: Lambda function"]) {
      assert.ok(legend.includes(`"${kind}"`), `the legend names ${kind}:\n${legend}`);
    }
  });

  it("draws the same dev diagram the README shows", () => {
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    const shown = /## The dev environment[^]*?```mermaid\n([^]*?)```/.exec(readme)?.[1];
    const drawn = readFileSync(path.join(root, ".orderflow", "dev", "architecture.mmd"), "utf8");
    assert.equal(shown, drawn, "README.md's dev diagram is stale: run `npm start` and copy .orderflow/dev/architecture.mmd into it");
  });

  describe("exit codes", () => {
    it("exits 1 when only the preview pass finds a mandatory violation (what a real first preview would stop on)", async () => {
      const dir = sandbox();
      try {
        const capture = io(dir, { policyPack: await devPack() });
        // A queue that exists only as a first preview sees the program; with every value resolved it is gone.
        const run = await offlinePreview({ env: "dev", stack: "platform", json: false, parallel: 1 }, capture, () => {
          if (pulumi.getStack() === "dev" && pulumi.runtime.isDryRun()) new aws.sqs.Queue("previewOnly", { sqsManagedSseEnabled: true });
          return {};
        });
        assert.equal(run.exitCode, ExitCode.policyViolation);
        const dev = run.policy.find((p) => p.stack === "dev")!;
        assert.ok(dev.mandatory.some((r) => r.policyName === "sqs-has-dlq" && /previewOnly/.test(r.message)), JSON.stringify(dev.mandatory));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("exits 2 on a program error, naming the stack and the program's message, and writes nothing", async () => {
      const dir = sandbox();
      try {
        const capture = io(dir, { policyPack: await devPack() });
        const run = await offlinePreview({ env: "dev", stack: "platform", json: true, parallel: 1 }, capture, () => {
          if (pulumi.getStack() === "dev") throw new Error("orderflow:logRetentionDays = 45 is not allowed");
          return {};
        });
        assert.equal(run.exitCode, ExitCode.error);
        assert.match(capture.err.join(""), /Stack "dev" failed: orderflow:logRetentionDays = 45/);
        assert.ok(!existsSync(path.join(dir, ".orderflow", "dev", "dev.json")));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("exits 2 with the compiler's messages (file:line) when the program does not type-check, as pulumi preview would", async () => {
      const dir = sandbox();
      try {
        const failed = { ok: false, cached: true, files: 41, errors: ["stacks/orders.ts:31:7 - error TS2820: Type '\"NEW_IMAGES\"' is not assignable to type 'StreamView | undefined'. Did you mean '\"NEW_IMAGE\"'?"] };
        const capture = io(dir, { typeCheck: async () => failed });
        const run = await offlinePreview({ env: "dev", json: false, parallel: 1 }, capture);
        assert.equal(run.exitCode, ExitCode.error);
        assert.deepEqual(run.stacks, [], "a known type error stops the run before any stack is synthesized");
        assert.match(capture.err.join(""), /error: the program does not type-check, so `pulumi preview` would stop before running it.*\n {4}stacks\/orders\.ts:31:7 - error TS2820: Type '"NEW_IMAGES"'/);
        assert.equal(capture.out.join(""), "");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("options as pulumi preview has them", () => {
    // A key, a table whose recovery setting is known only once the key exists (a check a first preview defers), and a
    // queue with neither a dead-letter queue nor a queue policy (two mandatory violations).
    const program = () => {
      // The account's bootstrap stack runs first, with nothing of its own here.
      if (pulumi.getStack() !== "dev") return {};
      new aws.sqs.Queue("bare", { sqsManagedSseEnabled: true });
      const key = new aws.kms.Key("key", {
        enableKeyRotation: true,
        description: "orders",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }] }),
      });
      new aws.dynamodb.Table("jobs", {
        attributes: [{ name: "id", type: "S" }],
        hashKey: "id",
        billingMode: "PAY_PER_REQUEST",
        pointInTimeRecovery: { enabled: key.arn.apply(() => true) },
        serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
      });
      return { keyArn: key.arn, token: pulumi.secret("s3cr3t-value"), region: "us-east-1" };
    };

    // Two runs: as is (with the progress display), and with --diff --verbose --suppress-outputs.
    let plain: Awaited<ReturnType<typeof previewOf>>;
    let options: Awaited<ReturnType<typeof previewOf>>;
    before(async () => {
      // Without Pulumi.dev.yaml: the stack runs on the defaults, and says so.
      plain = await previewOf(program, {}, { renderer: "simple" }, ["Pulumi.dev.yaml"]);
      options = await previewOf(program, { diff: true, verbose: true, suppressOutputs: true });
    });

    it("exits 1 when a mandatory policy is violated, naming the resource, and marks the stack failed in the progress", () => {
      assert.equal(plain.run.exitCode, ExitCode.policyViolation);
      assert.match(plain.out, /Policies:\n {4}❌ orderflow@v0\.1\.0 \(local: policies\)\n {8}- \[mandatory\] {2}sqs-has-dlq {2}\(aws:sqs:Queue: bare\)\n {10}bare \(aws:sqs\/queue:Queue\)/);
      assert.ok(plain.out.trimEnd().endsWith("✖ The preview of dev fails: 2 mandatory policy violations (dev: 2)."), plain.out.slice(-200));
      const progress = plain.capture.progressText();
      assert.match(progress, /✖ dev: \+ 4 to create; policies: 2 mandatory/);
      assert.doesNotMatch(progress, /✔ dev:/);
    });

    it("warns, as a diagnostic of the stack, when the environment's Pulumi.<env>.yaml is missing (defaults are used)", () => {
      assert.match(plain.out, /Diagnostics:\n {2}pulumi:pulumi:Stack \(orderflow-dev\):\n {4}warning: Pulumi\.dev\.yaml was not found: stack dev runs with the defaults of Pulumi\.yaml and stacks\/settings\.ts\.\n/);
      assert.doesNotMatch(options.out, /Diagnostics:/);
    });

    it("shows the stack's outputs with secrets masked, and --suppress-outputs leaves them out", () => {
      assert.match(plain.out, /Outputs:\n {4}keyArn: output<string>\n {4}region: "us-east-1"\n {4}token : \[secret\]\n/);
      assert.doesNotMatch(plain.out, /s3cr3t-value/);
      assert.doesNotMatch(options.out, /Outputs:/);
      assert.match(options.out, /Resources:\n {4}\+ 4 to create/);
    });

    it("--diff prints each resource's inputs as pulumi preview --diff does, JSON documents as documents", () => {
      const { out } = options;
      assert.match(out, /\n\+ pulumi:pulumi:Stack: \(create\)\n {4}\[urn=urn:pulumi:dev::orderflow::pulumi:pulumi:Stack::orderflow-dev\]\n/);
      assert.match(out, /\n {4}\+ aws:kms\/key:Key: \(create\)\n {8}\[urn=urn:pulumi:dev::orderflow::pulumi:pulumi:Stack\$aws:kms\/key:Key::key\]\n {8}description {6}: "orders"\n {8}enableKeyRotation: true\n {8}policy {11}: \(json\) \{\n {12}Statement: \[\n {16}\[0\]: \{\n {20}Action {3}: "kms:\*"\n/);
      // What AWS computes is not known to a first preview.
      assert.match(out, / {8}serverSideEncryption: \{\n {12}enabled {2}: true\n {12}kmsKeyArn: output<string>\n {8}\}\n/);
      assert.doesNotMatch(out, / {5}Type +Name +Plan/, "the diff replaces the table, as in the CLI");
      assert.match(plain.out, / {5}Type +Name +Plan\n/);
    });

    it("--verbose lists each check deferred at preview with its outcome on resolved values", () => {
      assert.match(plain.out, /\n {8}1 check deferred at preview \(a value it reads is unknown until the resources exist\): it passes with resolved values; --verbose lists them\n/);
      assert.doesNotMatch(plain.out, /\[deferred\]/);
      assert.match(options.out, /it passes with resolved values:\n {8}- \[deferred\] {2}dynamodb-pitr {2}\(aws:dynamodb:Table: jobs\)\n {10}passes with resolved values\n/);
    });
  });

  it("skips only the stacks that read from a failed one, previews the rest, and exits 2 naming both", async () => {
    const dir = sandbox();
    try {
      const capture = io(dir, { policyPack: await devPack() });
      const run = await offlinePreview({ env: "dev", stack: "checkout", json: false, parallel: 1 }, capture, () => {
        if (pulumi.getStack() === "dev.payments") throw new Error("orderflow:paymentDeclineAbove = \"lots\": expected number");
        return {};
      });
      assert.equal(run.exitCode, ExitCode.error);
      assert.deepEqual(run.stacks.map((s) => s.stack).sort(), ["bootstrap.nonprod", "dev", "dev.inventory", "dev.orders"]);
      const errors = capture.err.join("");
      assert.match(errors, /Stack "dev\.payments" failed: orderflow:paymentDeclineAbove/);
      assert.match(errors, /Skipped: dev\.checkout \(dev\.payments failed\)\./);
      assert.doesNotMatch(errors, /at .*\.ts:\d+/, "no stack trace for a program's own error");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--stack runs one stack and those it reads from, writing its diagram and policy results beside the environment's", async () => {
    const dir = sandbox();
    try {
      const outputDir = path.join(dir, ".orderflow", "dev");
      mkdirSync(outputDir, { recursive: true });
      for (const file of ["architecture.mmd", "policy.json", "dev.orders.json"]) writeFileSync(path.join(outputDir, file), "of the whole environment");
      const run = await offlinePreview({ env: "dev", stack: "shipping", json: true, parallel: 1 }, io(dir, { policyPack: await devPack() }));
      assert.deepEqual(run.stacks.map((s) => s.stack), ["bootstrap.nonprod", "dev", "dev.shipping"]);
      assert.deepEqual(readdirSync(outputDir).sort(), ["architecture.mmd", "architecture.shipping.mmd", "bootstrap.nonprod.json", "dev.json", "dev.orders.json", "dev.shipping.json", "policy.json", "policy.shipping.json"]);
      for (const file of ["architecture.mmd", "policy.json", "dev.orders.json"]) {
        assert.equal(readFileSync(path.join(outputDir, file), "utf8"), "of the whole environment", `${file} is the environment's, not overwritten`);
      }
      assert.deepEqual(JSON.parse(readFileSync(path.join(outputDir, "policy.shipping.json"), "utf8")).map((p: { stack: string }) => p.stack), ["bootstrap.nonprod", "bootstrap.nonprod", "dev", "dev", "dev.shipping", "dev.shipping"]);
      assert.equal(run.staleExemptions, undefined, "a --stack run does not see every stack, so it calls no exemption stale");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("ops/offline preview: a failed run in the progress display", function () {
  this.timeout(120_000);
  after(async () => {
    const pack = sharedPack;
    sharedPack = undefined;
    await (await pack?.catch(() => undefined))?.close();
  });

  it("marks no stack previewed when the type-check fails after the stacks were synthesized, and ends with the verdict", async () => {
    const dir = sandbox();
    try {
      // The check answers while the stacks are still being synthesized (the old display had marked them ✔ by the
      // time a late failure came); whichever ends first, no stack may be marked previewed.
      const failed = { ok: false, cached: false, files: 41, errors: ["stacks/orders.ts:31:7 - error TS2820: Type '\"NEW_IMAGES\"' is not assignable to type 'StreamView | undefined'."] };
      const capture = io(dir, {
        renderer: "simple",
        policyPack: await devPack(),
        typeCheck: async () => {
          await new Promise((resolve) => setTimeout(resolve, 200));
          return failed;
        },
      });
      const run = offlinePreview({ env: "dev", stack: "platform", json: false, parallel: 1 }, capture);
      assert.equal((await run).exitCode, ExitCode.error);
      const progress = capture.progressText();
      assert.doesNotMatch(progress, /✔ (bootstrap\.nonprod|dev):/, progress);
      assert.match(progress, /↓ dev: not previewed \[SKIPPED: the program does not type-check\]/);
      assert.match(progress, /✖ type-check \[FAILED: the program does not type-check \(1 error\)/);
      const err = capture.err.join("").trimEnd();
      assert.match(err, /error: the program does not type-check[\s\S]*stacks\/orders\.ts:31:7/);
      assert.ok(err.endsWith("✖ The preview of dev fails: the program does not type-check (1 error)."), err.slice(-200));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("shows a YAML error on one line of its stack, not its excerpt, and ends with the verdict", async () => {
    const dir = sandbox();
    try {
      writeFileSync(path.join(dir, "Pulumi.dev.yaml"), `${readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8")}\n  broken: [unclosed\n`);
      const capture = io(dir, { renderer: "simple", policyPack: await devPack(), typeCheck: async () => ({ ok: true, cached: true, files: 41, errors: [] }) });
      const run = await offlinePreview({ env: "dev", stack: "platform", json: false, parallel: 1 }, capture);
      assert.equal(run.exitCode, ExitCode.error);
      const lines = capture.progressText().split("\n").filter((l) => l.trim() !== "");
      // Each line of the display is a task's mark and title: no stray excerpt lines (`]`, `^`, the YAML itself).
      for (const line of lines) assert.match(line, /^[❯✔✖↓] /, `a line of the progress display: ${JSON.stringify(line)}`);
      assert.ok(lines.some((l) => /^✖ dev: synthesize \[FAILED: Stack "dev" failed: Pulumi\.dev\.yaml: is not valid YAML: .* at line \d+, column \d+ \(in full below\)\]$/.test(l)), lines.join("\n"));
      const err = capture.err.join("").trimEnd();
      assert.match(err, /broken: \[unclosed/, "the excerpt is printed once, with the error");
      assert.ok(err.endsWith("✖ The preview of dev fails: 1 stack failed (dev)."), err.slice(-200));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
