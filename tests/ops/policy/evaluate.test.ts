import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram, type ProgramRun } from "../../../ops/engine/run-program";
import { startPolicyPack, type PolicyPackSession } from "../../../ops/policy/analyzer-client";
import { evaluatePolicyPack, evaluateRecordedStack } from "../../../ops/policy/evaluate";
import { toAnalyzedResources } from "../../../ops/policy/recorded-resources";
import type { PolicyResult } from "../../../ops/policy/results";

const REPO = path.join(__dirname, "..", "..", "..");
const FIXTURE_PACK = path.join(REPO, "tests", "fixtures", "policy-pack");

/** A queue with its dead-letter queue beside it, or one that borrows another component's. */
class WorkQueue extends pulumi.ComponentResource {
  readonly deadLetterArn: pulumi.Output<string>;
  constructor(name: string, args: { borrowDeadLetterFrom?: WorkQueue; maxReceiveCount?: number }) {
    super("orderflow:messaging:Queue", name);
    const deadLetterArn = args.borrowDeadLetterFrom?.deadLetterArn ?? new aws.sqs.Queue(`${name}Dlq`, {}, { parent: this }).arn;
    new aws.sqs.Queue(
      `${name}Queue`,
      { redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: args.maxReceiveCount ?? 5 }) },
      { parent: this },
    );
    this.deadLetterArn = deadLetterArn;
    this.registerOutputs({ deadLetterArn });
  }
}

function program(): void {
  const orders = new WorkQueue("orders", {});
  new WorkQueue("payments", { borrowDeadLetterFrom: orders, maxReceiveCount: 1 });
  new aws.sqs.Queue("bare", {});
}

const run = (preview: boolean) => runProgram(program, { project: "orderflow", stack: "dev", preview });
const summary = (results: readonly PolicyResult[]) =>
  results.map((r) => `${r.phase} ${r.policyName} ${r.enforcementLevel}${r.deferred ? " deferred" : ""} ${r.urn?.split("::").pop()}`).sort();

describe("ops/policy evaluate (recorded stacks through the fixture pack)", function () {
  this.timeout(30_000);
  let session: PolicyPackSession;
  let preview: ProgramRun;
  let update: ProgramRun;

  before(async () => {
    // As the offline preview does: the pack starts while the program runs, and one process serves both passes.
    [session, preview, update] = await Promise.all([startPolicyPack({ packDir: FIXTURE_PACK }), run(true), run(false)]);
  });

  after(async () => {
    await session?.close();
  });

  it("defers, in a first preview, the checks that read values AWS has not computed yet", async () => {
    assert.deepEqual(summary(await evaluateRecordedStack(session, preview.resources)), [
      "resource queue-redrive advisory deferred ordersQueue",
      "resource queue-redrive advisory deferred paymentsQueue",
      "resource queue-redrive mandatory bare",
      "stack dead-letter-beside-queue mandatory bare",
      "stack dead-letter-beside-queue mandatory paymentsQueue",
    ]);
  });

  it("runs every check with resolved values, and the stack policy sees the recorded parents", async () => {
    const results = await evaluateRecordedStack(session, update.resources);
    assert.deepEqual(summary(results), [
      "resource queue-redrive mandatory bare",
      "resource queue-redrive mandatory paymentsQueue",
      "stack dead-letter-beside-queue mandatory bare",
      "stack dead-letter-beside-queue mandatory paymentsQueue",
    ]);
    const borrowed = results.find((r) => r.phase === "stack" && r.urn?.endsWith("paymentsQueue"));
    assert.match(
      borrowed?.message ?? "",
      /"paymentsQueue" \(in orderflow:messaging:Queue "payments"\) sends to "ordersDlq" \(in orderflow:messaging:Queue "orders"\)/,
    );
  });

  it("evaluatePolicyPack starts, evaluates and stops a pack in one call, with config", async () => {
    const results = await evaluatePolicyPack(FIXTURE_PACK, update.resources, { "dead-letter-beside-queue": "disabled" });
    assert.deepEqual(summary(results), ["resource queue-redrive mandatory bare", "resource queue-redrive mandatory paymentsQueue"]);
  });
});

describe("ops/policy recorded resources", () => {
  it("sends inputs to Analyze and outputs to AnalyzeStack, and shows no provider resources", async () => {
    const recorded = await runProgram(
      () => {
        const east = new aws.Provider("east", { region: "us-east-1" });
        new aws.sqs.Queue("orders", { delaySeconds: 1 }, { provider: east });
      },
      { project: "orderflow", stack: "dev" },
    );
    const inputs = toAnalyzedResources(recorded.resources, "inputs");
    const outputs = toAnalyzedResources(recorded.resources, "outputs");
    assert.deepEqual(inputs.map((r) => r.type), ["pulumi:pulumi:Stack", "aws:sqs/queue:Queue"]);
    const [queueIn, queueOut] = [inputs[1], outputs[1]];
    assert.equal(queueIn.properties.arn, undefined, "inputs carry what the program set");
    assert.match(String(queueOut.properties.arn), /^arn:aws:sqs:us-east-1:123456789012:orders/, "outputs carry what AWS computed");
    assert.equal(queueIn.provider?.type, "pulumi:providers:aws");
    assert.equal(queueIn.provider?.name, "east");
    assert.equal(queueIn.provider?.properties.region, "us-east-1");
    assert.equal(queueIn.parent, inputs[0].urn);
  });
});

describe("ops/policy evaluate with the project's policy pack (policies/)", function () {
  this.timeout(30_000);
  const PACK = path.join(REPO, "policies");

  it("runs the real pack over a recorded stack, with its dev config", async () => {
    const config = JSON.parse(fs.readFileSync(path.join(PACK, "config", "dev.json"), "utf8"));
    const [session, recorded] = await Promise.all([startPolicyPack({ packDir: PACK, config }), run(false)]);
    try {
      assert.ok(session.info.policies.length > 0);
      // An entry is a level, or an object of properties (and optionally `enforcementLevel`).
      for (const [name, entry] of Object.entries(config as Record<string, string | Record<string, unknown>>)) {
        if (typeof entry === "string") {
          assert.equal(session.config[name]?.enforcementLevel, entry, `${name} is configured from dev.json`);
        } else {
          const { enforcementLevel, ...properties } = entry;
          if (enforcementLevel !== undefined) assert.equal(session.config[name]?.enforcementLevel, enforcementLevel, `${name}'s level`);
          for (const [key, value] of Object.entries(properties)) {
            assert.deepEqual(session.config[name]?.properties[key], value, `${name}.${key} is configured from dev.json`);
          }
        }
      }
      const results = await evaluateRecordedStack(session, recorded.resources);
      const bare = results.filter((r) => r.urn?.endsWith("::bare") && r.enforcementLevel === "mandatory");
      assert.ok(
        bare.some((r) => /redrive/i.test(r.message)),
        `a queue without a dead-letter queue violates a mandatory policy; got:\n${summary(results).join("\n")}`,
      );
      assert.ok(results.every((r) => r.policyPackName === session.info.name));
    } finally {
      await session.close();
    }
  });
});
