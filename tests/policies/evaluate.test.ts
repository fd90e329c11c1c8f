import * as assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as server from "@pulumi/policy/server";
import * as analyzerproto from "@pulumi/pulumi/proto/analyzer_pb";
import { orderflowPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "../../policies/all";
import { exemptionsConfig } from "../../policies/lib/exemptions";
import { staleExemptions } from "../../policies/lib/stale-exemptions";
import { mockRun } from "../helpers/pulumi";
import { atLevel, evaluatePolicies, resource, runPolicy, UNKNOWN, urnOf, type EngineResource, type Violation } from "../helpers/policy-harness";

const QUEUE = "aws:sqs/queue:Queue";
// The Struct class of the protobuf copy the runtime's messages are built with.
const structproto = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): never };
};
const FN = "aws:lambda/function:Function";

describe("policies/evaluate", () => {
  describe("the pack", () => {
    it("has every policy issue 6 names, once each", () => {
      const names = orderflowPolicies.map((p) => p.name);
      assert.equal(new Set(names).size, names.length);
      for (const n of [
        "lambda-tracing-active", "sfn-tracing-enabled", "apigw-stage-tracing", "sns-topic-tracing",
        "sqs-has-dlq", "sns-subscription-redrive", "eventbridge-target-dlq", "lambda-async-failure-handling", "pipe-dlq", "esm-on-failure", "sqs-visibility-vs-lambda-timeout",
        "iam-no-wildcards", "iam-no-aws-managed-policies", "iam-no-shared-roles", "lambda-permission-scoped", "iam-passrole-scoped",
        "sfn-logging-all", "apigw-access-logging", "log-group-retention-set", "dynamodb-pitr", "sqs-encryption", "sns-encryption", "dynamodb-encryption",
      ]) assert.ok(names.includes(n), `missing ${n}`);
    });

    it("makes the three pillars mandatory by default, except the advisory topic tracing", () => {
      const pillars = orderflowPolicies.filter((p) => /tracing|dlq|redrive|failure|visibility|iam-|permission|policy-secure/.test(p.name));
      for (const p of pillars) assert.equal(p.enforcementLevel, p.name === "sns-topic-tracing" ? "advisory" : "mandatory", p.name);
    });

    it("gives every policy an exemptions schema that requires a reason of 10 characters", () => {
      for (const p of orderflowPolicies) {
        const items = p.configSchema?.properties.exemptions.items as { required: string[]; properties: { reason: { minLength: number } } };
        assert.deepEqual(items.required, ["resource", "reason"], p.name);
        assert.equal(items.properties.reason.minLength, 10, p.name);
      }
    });
  });

  describe("enforcement levels from --policy-pack-config", () => {
    const bare = [resource(FN, "fn", {})];
    it("lets a policy's level be set by a string or an object", async () => {
      assert.equal(atLevel(await runPolicy("lambda-tracing-active", bare, { "lambda-tracing-active": "advisory" }), "advisory").length, 1);
      assert.equal((await runPolicy("lambda-tracing-active", bare, { "lambda-tracing-active": { enforcementLevel: "disabled" } })).length, 0);
    });
    it("applies `all` to every policy, and a policy's own level over it", async () => {
      const all = await evaluatePolicies(bare, { all: "disabled", "lambda-tracing-active": "mandatory" });
      assert.deepEqual(all.map((v) => [v.policyName, v.enforcementLevel]), [["lambda-tracing-active", "mandatory"]]);
    });
  });

  describe("exemptions", () => {
    it("reports a malformed exemption (short reason) as a violation and does not apply it", async () => {
      const found = await runPolicy("lambda-tracing-active", [resource(FN, "fn", {})], { "lambda-tracing-active": { exemptions: [{ resource: "fn", reason: "later" }] } });
      const mandatory = atLevel(found, "mandatory").map((v) => v.message);
      assert.equal(mandatory.length, 2, mandatory.join("\n"));
      assert.ok(mandatory.some((m) => m.includes("fn (aws:lambda/function:Function): tracing is not configured") && m.includes("An exemption names this resource but is ignored")));
      assert.ok(mandatory.some((m) => m.includes('the lambda-tracing-active exemption for "fn" is ignored because its reason "later" is shorter than 10 characters')));
    });

    it("rejects an exemption filed under another policy's key", async () => {
      const found = await runPolicy("sqs-encryption", [resource(QUEUE, "q", {})], { "sqs-encryption": { exemptions: [{ policy: "sqs-has-dlq", resource: "q", reason: "a long enough reason" }] } });
      assert.ok(atLevel(found, "mandatory").some((v) => v.message.includes('it names policy "sqs-has-dlq" but sits under "sqs-encryption"')));
    });

    it("reports a used exemption as exempted, and says nothing of one this stack does not use (another stack may)", async () => {
      const config = exemptionsConfig([
        { policy: "sqs-encryption", resource: "legacy*", reason: "drained by the Q3 batch job" },
        { policy: "sqs-encryption", resource: "gone", reason: "queue deleted last sprint" },
      ]);
      const found = await runPolicy("sqs-encryption", [resource(QUEUE, "legacyOrders", {})], config);
      assert.equal(atLevel(found, "mandatory").length, 0);
      const advisory = atLevel(found, "advisory").map((v) => v.message);
      assert.deepEqual(advisory.map((m) => m.split("\n").at(-1)), ['legacyOrders (aws:sqs/queue:Queue): exempted from sqs-encryption (reason: "drained by the Q3 batch job"): it does not say it is encrypted at rest (neither `sqsManagedSseEnabled` nor `kmsMasterKeyId`).']);
    });

    it("calls an exemption stale only when no stack of the environment uses it", () => {
      const config = {
        ...exemptionsConfig([
          { policy: "sqs-encryption", resource: "legacy*", reason: "drained by the Q3 batch job" },
          { policy: "sqs-encryption", resource: "gone", reason: "queue deleted last sprint" },
          { policy: "lambda-tracing-active", resource: "legacyOrders", reason: "names a queue, not a function" },
        ]),
        "dynamodb-pitr": "advisory",
      };
      const orders = [{ urn: urnOf(QUEUE, "legacyOrders"), type: QUEUE }];
      const shipping = [{ urn: urnOf(FN, "ship"), type: FN }];
      const stale = staleExemptions(config, orderflowPolicies, [orders, shipping]);
      assert.deepEqual(stale, [
        { policy: "lambda-tracing-active", resource: "legacyOrders", reason: "names a queue, not a function" },
        { policy: "sqs-encryption", resource: "gone", reason: "queue deleted last sprint" },
      ]);
      assert.deepEqual(staleExemptions(config, orderflowPolicies, [shipping]).map((e) => e.resource), ["legacyOrders", "legacy*", "gone"]);
    });
  });

  describe("matches the CrossGuard runtime (@pulumi/policy's own Analyze and AnalyzeStack handlers)", () => {
    const dlq = resource(QUEUE, "dlq", { sqsManagedSseEnabled: true });
    const resources: EngineResource[] = [
      resource(FN, "traced", { tracingConfig: { mode: "Active" } }),
      resource(FN, "untraced", { tracingConfig: { mode: "PassThrough" } }),
      resource(FN, "pending", { tracingConfig: UNKNOWN }),
      resource(QUEUE, "orders", { redrivePolicy: UNKNOWN, sqsManagedSseEnabled: false }, { propertyDependencies: { redrivePolicy: [dlq] } }),
      dlq,
      resource(QUEUE, "lonely", { sqsManagedSseEnabled: UNKNOWN }),
      resource("aws:iam/rolePolicy:RolePolicy", "p", { policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] }) }),
    ];
    const levels = ["advisory", "mandatory", "remediate", "disabled"] as const;
    type Call = { request: unknown };
    const call = <T>(fn: (c: Call, cb: (err: unknown, resp: T) => void) => void, request: unknown) =>
      new Promise<T>((resolve, reject) => fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp))));
    const struct = (values: Record<string, unknown>) => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(values)));
    const runtime = server as unknown as {
      makeAnalyzeRpcFun(...a: unknown[]): (c: Call, cb: (err: unknown, resp: analyzerproto.AnalyzeResponse) => void) => void;
      makeAnalyzeStackRpcFun(...a: unknown[]): (c: Call, cb: (err: unknown, resp: analyzerproto.AnalyzeResponse) => void) => void;
    };
    const fromResponse = (resp: analyzerproto.AnalyzeResponse, phase: Violation["phase"], urn?: string) =>
      resp.getDiagnosticsList().map((d) => ({ policyName: d.getPolicyname(), enforcementLevel: levels[d.getEnforcementlevel()], message: d.getMessage(), urn: d.getUrn() || urn, phase }));
    const key = (v: Violation) => `${v.phase} ${v.policyName} ${v.enforcementLevel} ${v.urn ?? ""} ${v.message}`;

    it("reports exactly what the runtime reports, resource by resource and for the stack", async () => {
      const analyze = runtime.makeAnalyzeRpcFun(PACK_NAME, "0.1.0", PACK_ENFORCEMENT_LEVEL, orderflowPolicies);
      const analyzeStack = runtime.makeAnalyzeStackRpcFun(PACK_NAME, "0.1.0", PACK_ENFORCEMENT_LEVEL, orderflowPolicies);
      const real: Violation[] = [];
      const stackRequest = new analyzerproto.AnalyzeStackRequest();
      for (const r of resources) {
        const req = new analyzerproto.AnalyzeRequest().setType(r.type).setUrn(r.urn).setName(r.name).setProperties(struct(r.inputs)).setOptions(new analyzerproto.AnalyzerResourceOptions());
        real.push(...fromResponse(await call(analyze, req), "resource", r.urn));
        const sr = new analyzerproto.AnalyzerResource().setType(r.type).setUrn(r.urn).setName(r.name).setProperties(struct(r.outputs ?? r.inputs))
          .setOptions(new analyzerproto.AnalyzerResourceOptions()).setDependenciesList([...(r.dependencies ?? [])]);
        for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
          sr.getPropertydependenciesMap().set(k, new analyzerproto.AnalyzerPropertyDependencies().setUrnsList([...urns]));
        }
        stackRequest.addResources(sr);
      }
      real.push(...fromResponse(await call(analyzeStack, stackRequest), "stack"));

      const mirrored = await evaluatePolicies(resources);
      assert.deepEqual(mirrored.map(key).sort(), real.map(key).sort());
      // And the scenario is not trivial: violations, advisories and silence all occur.
      assert.ok(atLevel(real, "mandatory").some((v) => v.message.includes("untraced")));
      assert.ok(atLevel(real, "advisory").some((v) => v.message.includes("pending") && v.message.includes("cannot be checked until the value is known")));
      assert.ok(!real.some((v) => v.message.includes("\ntraced (aws")));
    });
  });

  describe("over resources recorded by the mock engine", () => {
    const program = () => {
      const dlq = new aws.sqs.Queue("ordersDlq", { sqsManagedSseEnabled: true, tags: { "orderflow:role": "dead-letter-queue" } });
      const queue = new aws.sqs.Queue("orders", {
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
      });
      const role = new aws.iam.Role("workerRole", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) });
      new aws.iam.RolePolicy("workerRole-send", {
        role: role.name,
        policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queue.arn] }] }),
      });
      new aws.sqs.Queue("forgotten", { sqsManagedSseEnabled: true });
    };

    for (const preview of [true, false]) {
      it(`${preview ? "at preview, " : "after up, "}finds the queue without a DLQ and nothing else of the dead-letter and IAM policies`, async () => {
        const run = await mockRun(program, { preview });
        const found = await evaluatePolicies(run.resources, {}, { policies: orderflowPolicies.filter((p) => ["sqs-has-dlq", "iam-no-wildcards", "sqs-encryption"].includes(p.name)) });
        assert.deepEqual(atLevel(found, "mandatory").map((v) => v.urn), [run.one(QUEUE, "forgotten").urn]);
        const advisory = atLevel(found, "advisory").map((v) => v.message);
        // The role policy embeds the queue's ARN: unknown at preview, checked once known.
        assert.equal(advisory.some((m) => m.includes("workerRole-send") && m.includes("cannot be checked until the value is known")), preview);
      });
    }
  });
});
