import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyPackError, startPolicyPack, type PolicyPackSession } from "../../../ops/policy/analyzer-client";
import { DEFAULT_PACK_CACHE_DIR } from "../../../ops/policy/pack-cache";
import { PolicyConfigError } from "../../../ops/policy/policy-config";
import { PolicyPackStartError } from "../../../ops/policy/policy-pack-process";
import type { AnalyzedResource } from "../../../ops/policy/results";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures");
const PACK = path.join(FIXTURES, "policy-pack");
const STACK = "urn:pulumi:dev::orderflow::pulumi:pulumi:Stack::orderflow-dev";
const QUEUE_TYPE = "aws:sqs/queue:Queue";

function urnOf(type: string, name: string, parentType?: string): string {
  return `urn:pulumi:dev::orderflow::${parentType ? `${parentType}$` : ""}${type}::${name}`;
}

function queue(name: string, properties: Record<string, unknown>): AnalyzedResource {
  return { urn: urnOf(QUEUE_TYPE, name), type: QUEUE_TYPE, name, properties };
}

const redrive = (maxReceiveCount: number) => JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:ordersDlq", maxReceiveCount });

describe("ops/policy analyzer client (fixture pack over the analyzer protocol)", function () {
  // Starting a pack process costs about a second; one session serves the whole file.
  this.timeout(30_000);
  let session: PolicyPackSession;

  before(async () => {
    session = await startPolicyPack({ packDir: PACK });
  });

  after(async () => {
    await session?.close();
  });

  describe("GetAnalyzerInfo", () => {
    it("lists the pack's policies with their kinds, levels and config schemas", () => {
      assert.equal(session.info.name, "orderflow-fixture");
      assert.equal(session.info.version, "1.2.3");
      assert.deepEqual(
        session.info.policies.map((p) => [p.name, p.kind, p.enforcementLevel]),
        [
          ["dead-letter-beside-queue", "stack", "mandatory"],
          ["function-timeout", "resource", "advisory"],
          ["queue-redrive", "resource", "mandatory"],
        ],
      );
      const redrivePolicy = session.info.policies.find((p) => p.name === "queue-redrive");
      assert.deepEqual(redrivePolicy?.configSchema?.properties.minMaxReceiveCount, { type: "number", minimum: 1, default: 3 });
    });

    it("configures every policy at its declared level with its schema's defaults, as the CLI does", () => {
      assert.deepEqual(session.config["queue-redrive"], { enforcementLevel: "mandatory", properties: { minMaxReceiveCount: 3 } });
      assert.deepEqual(session.config["function-timeout"], { enforcementLevel: "advisory", properties: {} });
    });
  });

  describe("Analyze", () => {
    it("reports a violating resource at the policy's level, with its message, attributed to the resource", async () => {
      const results = await session.analyze(queue("ordersQueue", {}));
      assert.equal(results.length, 1);
      const [result] = results;
      assert.equal(result.policyName, "queue-redrive");
      assert.equal(result.policyPackName, "orderflow-fixture");
      assert.equal(result.enforcementLevel, "mandatory");
      assert.equal(result.urn, urnOf(QUEUE_TYPE, "ordersQueue"));
      assert.match(result.message, /Queue "ordersQueue" has no redrive policy\./);
      assert.equal(result.description, "Work queues send failed messages to a dead-letter queue after a bounded number of receives.");
      assert.equal(result.deferred, false);
      assert.equal(result.phase, "resource");
    });

    it("reports nothing for a compliant resource", async () => {
      assert.deepEqual(await session.analyze(queue("ordersQueue", { redrivePolicy: redrive(5) })), []);
      assert.deepEqual(await session.analyze(queue("ordersDlq", {})), [], "dead-letter queues are exempt");
    });

    it("passes the properties' values: the policy reads and parses them", async () => {
      const [result] = await session.analyze(queue("ordersQueue", { redrivePolicy: redrive(2) }));
      assert.match(result.message, /has maxReceiveCount 2, below 3\./);
    });

    it("sends unknown values as unknowns: the policy cannot run and the runtime defers it as advisory", async () => {
      for (const unknown of [pulumi.unknown, "04da6b54-80e4-46f7-96ec-b56ff0331ba9"]) {
        const [result] = await session.analyze(queue("ordersQueue", { redrivePolicy: unknown }));
        assert.equal(result.policyName, "queue-redrive");
        assert.equal(result.enforcementLevel, "advisory", "a deferred mandatory check is reported as advisory");
        assert.equal(result.deferred, true);
        assert.match(result.message, /can't run policy 'queue-redrive' .* during preview: string value at \.redrivePolicy/);
      }
    });

    it("unwraps secrets: the policy sees the plain value", async () => {
      const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
      const [result] = await session.analyze(queue("ordersQueue", { redrivePolicy: secret(redrive(1)) }));
      assert.match(result.message, /has maxReceiveCount 1, below 3\./);
      assert.deepEqual(await session.analyze(queue("ordersQueue", { redrivePolicy: pulumi.secret(redrive(4)) })), []);
    });

    it("runs only the policies for the resource's type, each at its own level", async () => {
      const fn = (name: string, timeout: number): AnalyzedResource => ({
        urn: urnOf("aws:lambda/function:Function", name),
        type: "aws:lambda/function:Function",
        name,
        properties: { timeout },
      });
      const [slow] = await session.analyze(fn("reportFn", 900));
      assert.equal(slow.policyName, "function-timeout");
      assert.equal(slow.enforcementLevel, "advisory", "the pack's default level");
      assert.match(slow.message, /"reportFn" has a 900 s timeout, above 60 s/);
      assert.deepEqual(await session.analyze(fn("apiFn", 10)), []);
    });

    it("fails the call, naming resource, policy and error, when a policy throws; the pack keeps serving", async () => {
      await assert.rejects(session.analyze(queue("ordersQueue", { redrivePolicy: "{not json" })), (err: Error) => {
        assert.ok(err instanceof PolicyPackError);
        assert.equal(err.exit, undefined);
        assert.match(err.message, /Policy pack "orderflow-fixture" failed in Analyze\(urn:pulumi:dev::orderflow::aws:sqs\/queue:Queue::ordersQueue\)/);
        assert.match(err.message, /Error validating resource with policy 'queue-redrive'[\s\S]*SyntaxError/);
        return true;
      });
      assert.deepEqual(await session.analyze(queue("ordersQueue", { redrivePolicy: redrive(3) })), []);
    });

    it("serves concurrent requests, each with its own result", async () => {
      const counts = [1, 2, 3, 4, 5, 6];
      const results = await Promise.all(counts.map((n) => session.analyze(queue(`q${n}`, { redrivePolicy: redrive(n) }))));
      assert.deepEqual(
        results.map((r) => r.length),
        [1, 1, 0, 0, 0, 0],
      );
      assert.match(results[1][0].message, /"q2" has maxReceiveCount 2/);
    });
  });

  describe("AnalyzeStack", () => {
    const component = (name: string) => ({
      urn: urnOf("orderflow:messaging:Queue", name),
      type: "orderflow:messaging:Queue",
      name,
      properties: {},
      parent: STACK,
    });
    const child = (name: string, parent: ReturnType<typeof component>, deps: string[] = []): AnalyzedResource => ({
      urn: urnOf(QUEUE_TYPE, name, "orderflow:messaging:Queue"),
      type: QUEUE_TYPE,
      name,
      properties: {},
      parent: parent.urn,
      dependencies: deps,
      propertyDependencies: deps.length ? { redrivePolicy: deps } : {},
    });

    it("links parents and property dependencies: a dead-letter queue beside its queue passes", async () => {
      const orders = component("orders");
      const dlq = child("ordersDlq", orders);
      const results = await session.analyzeStack([orders, dlq, child("ordersQueue", orders, [dlq.urn])]);
      assert.deepEqual(results, []);
    });

    it("reports a queue whose dead-letter queue has another parent, naming both parents", async () => {
      const orders = component("orders");
      const shared = component("shared");
      const dlq = child("sharedDlq", shared);
      const ordersQueue = child("ordersQueue", orders, [dlq.urn]);
      const results = await session.analyzeStack([orders, shared, dlq, ordersQueue]);
      assert.equal(results.length, 1);
      assert.equal(results[0].policyName, "dead-letter-beside-queue");
      assert.equal(results[0].enforcementLevel, "mandatory");
      assert.equal(results[0].urn, ordersQueue.urn);
      assert.equal(results[0].phase, "stack");
      assert.match(
        results[0].message,
        /Queue "ordersQueue" \(in orderflow:messaging:Queue "orders"\) sends to "sharedDlq" \(in orderflow:messaging:Queue "shared"\)/,
      );
    });

    it("reports a queue with no dependency behind its redrive policy", async () => {
      const orders = component("orders");
      const results = await session.analyzeStack([orders, child("ordersQueue", orders)]);
      assert.deepEqual(results.map((r) => r.message.split("\n")[1]), ['Queue "ordersQueue" takes its redrive policy from no queue it depends on.']);
    });
  });

  describe("Configure", () => {
    afterEach(async () => {
      await session.configure({});
    });

    it("changes a policy's enforcement level", async () => {
      await session.configure({ "queue-redrive": "advisory" });
      const [result] = await session.analyze(queue("ordersQueue", {}));
      assert.equal(result.enforcementLevel, "advisory");
    });

    it("disables a policy, and `all` sets every level", async () => {
      await session.configure({ "queue-redrive": "disabled" });
      assert.deepEqual(await session.analyze(queue("ordersQueue", {})), []);
      await session.configure({ all: "advisory" });
      const orders = { urn: urnOf("orderflow:messaging:Queue", "o"), type: "orderflow:messaging:Queue", name: "o", properties: {} };
      const stackResults = await session.analyzeStack([orders, { ...queue("ordersQueue", {}), parent: orders.urn }]);
      assert.deepEqual(stackResults.map((r) => r.enforcementLevel), ["advisory"]);
    });

    it("passes config properties to the policy", async () => {
      await session.configure({ "queue-redrive": { minMaxReceiveCount: 10 } });
      const [result] = await session.analyze(queue("ordersQueue", { redrivePolicy: redrive(5) }));
      assert.match(result.message, /has maxReceiveCount 5, below 10\./);
      assert.equal(result.enforcementLevel, "mandatory", "properties alone keep the level");
    });

    it("rejects config the schema does not allow, naming the policy and property, and keeps the old config", async () => {
      await assert.rejects(session.configure({ "queue-redrive": { minMaxReceiveCount: "many" } }), (err: Error) => {
        assert.ok(err instanceof PolicyConfigError);
        assert.match(err.message, /queue-redrive\.minMaxReceiveCount must be of type number, but "many" was given/);
        return true;
      });
      await assert.rejects(session.configure({ "queue-redrive": "strict" as never }), /"strict" is not an enforcement level/);
      await assert.rejects(session.configure({ "queue-redrve": "advisory" }), /"queue-redrve" is not a policy of this pack/);
      assert.equal(session.config["queue-redrive"].properties.minMaxReceiveCount, 3);
    });
  });

  it("starts with config, as `--policy-pack-config` does, and passes the stack's tags in ConfigureStack", async () => {
    const configured = await startPolicyPack({
      packDir: PACK,
      config: { "function-timeout": "mandatory" },
      stack: { project: "orderflow", stack: "dev", tags: { "function-timeout-limit": "100" } },
    });
    const fn = (timeout: number): AnalyzedResource => ({
      urn: urnOf("aws:lambda/function:Function", "fn"),
      type: "aws:lambda/function:Function",
      name: "fn",
      properties: { timeout },
    });
    try {
      const [result] = await configured.analyze(fn(120));
      assert.equal(result.enforcementLevel, "mandatory");
      assert.match(result.message, /a 120 s timeout, above 100 s/);
      assert.deepEqual(await configured.analyze(fn(90)), [], "90 s is within the tag's limit, though above the default");
    } finally {
      await configured.close();
    }
    assert.throws(() => process.kill(configured.pid, 0), /ESRCH/, "close stops the pack process");
    await assert.rejects(configured.analyze(fn(1)), /was closed/);
  });
});

describe("ops/policy analyzer client, pack run in place", function () {
  this.timeout(60_000);

  it("gives the same results as the bundle when run from its sources with the CLI's type-checking ts-node", async () => {
    const inPlace = await startPolicyPack({ packDir: PACK, transpile: false });
    try {
      assert.deepEqual(inPlace.info.policies.map((p) => p.name), ["dead-letter-beside-queue", "function-timeout", "queue-redrive"]);
      const [result] = await inPlace.analyze(queue("ordersQueue", { redrivePolicy: redrive(1) }));
      assert.match(result.message, /has maxReceiveCount 1, below 3\./);
      // run-policy-pack logs the program it loads without awaiting the Log call, so the entry may trail the result.
      const loaded = await inPlace.whenLogged((l) => l.message.includes("Running program"), 10_000);
      assert.ok(loaded.message.includes(`Running program '${PACK}'`), `run-policy-pack loaded the sources, not a bundle: ${loaded.message}`);
    } finally {
      await inPlace.close();
    }
  });
});

describe("ops/policy analyzer client failures", function () {
  this.timeout(30_000);

  it("gives the pack's stderr when the pack fails to start", async () => {
    await assert.rejects(startPolicyPack({ packDir: path.join(FIXTURES, "policy-pack-invalid-name") }), (err: Error) => {
      assert.ok(err instanceof PolicyPackStartError);
      assert.match(err.message, /policy-pack-invalid-name exited \(exit code 1\) before it started serving/);
      assert.match(err.message, /Invalid policy pack name "not a valid name"/);
      assert.match(err.stderr, /Invalid policy pack name/);
      return true;
    });
  });

  it("gives what the pack logged when its program throws at startup", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-pack-"));
    // The bundle must sit inside the repository, where @pulumi/* resolve; a throwaway cache keeps it out of the real one.
    const cacheDir = fs.mkdtempSync(path.join(DEFAULT_PACK_CACHE_DIR, "..", "test-"));
    try {
      fs.cpSync(PACK, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "no-version", main: "index.ts" }));
      await assert.rejects(
        startPolicyPack({ packDir: dir, cacheDir }),
        /exited \(exit code \d+\) before it started serving[\s\S]*Version must be defined in the package\.json file/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("says clearly when the pack dies mid-run, and refuses calls afterwards", async () => {
    const session = await startPolicyPack({ packDir: PACK });
    try {
      assert.deepEqual(await session.analyze(queue("ordersDlq", {})), []);
      process.kill(session.pid, "SIGKILL");
      await assert.rejects(session.analyze(queue("ordersQueue", {})), (err: Error) => {
        assert.ok(err instanceof PolicyPackError);
        assert.match(err.message, /Policy pack "orderflow-fixture" exited \(signal SIGKILL\) during Analyze\(urn:pulumi:dev::orderflow::aws:sqs\/queue:Queue::ordersQueue\)/);
        return true;
      });
      await assert.rejects(session.analyzeStack([]), /exited \(signal SIGKILL\) during AnalyzeStack/);
    } finally {
      await session.close();
    }
  });

  it("refuses a directory without PulumiPolicy.yaml before starting anything", async () => {
    await assert.rejects(startPolicyPack({ packDir: path.join(FIXTURES, "handlers") }), /is not a policy pack: it has no PulumiPolicy\.yaml/);
  });
});
