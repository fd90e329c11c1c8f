import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { DETAIL_SCHEMAS, EVENTS } from "../../handlers/shared/events";
import type { ActivityRecord } from "../../localcloud/kernel/activity";
import { readFileSync } from "node:fs";
import { LocalCloud } from "../../localcloud/cloud";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../../ops/offline/synthesize";
import { sharedDynamoDBLocal } from "../helpers/dynamodb-local";
import { synthesizedEnvironment } from "../helpers/synthesized";
import * as z from "zod/mini";
import { SCENARIOS } from "../../localcloud/app/scenarios";
import { runScenarios, type Scenario, type ScenarioResult } from "../../localcloud/app/scenarios/scenario";
import { shipmentsTable } from "../../localcloud/app/scenarios/orders";
import { renderScenario } from "../../ops/commands/local/command";
import { callsOf } from "../../localcloud/services/xray/journey";
import { spansOf } from "../../localcloud/services/xray/segment";
import { operatorEndpointTests } from "./operator/endpoint-suite";
import { readmeExampleTests } from "./operator/readme-examples";

// dev as `npm run local` runs it: the graph the offline preview synthesizes, every function from its deployed bundle,
// DynamoDB Local, the saga's real ASL. Every scenario runs once, in parallel as `--scenario all` runs them, at a
// hundredth of the configured waits (visibility timeouts, retry intervals, batching windows); each `it` then reports
// one scenario's outcome with the step that failed.
describe("orderflow local: dev end to end (every scenario, time scale 0.01)", function () {
  this.timeout(180_000);
  let cloud: LocalCloud | undefined;
  let results: readonly ScenarioResult[] = [];

  before(async function () {
    this.timeout(300_000);
    // The worker's DynamoDB Local, not a JVM of the cloud's own: the cloud's tables have the stacks' physical names,
    // which only dynamodb-tables.test.ts also creates, and each file deletes its tables before the next file runs.
    const [stacks, dynamodb] = await Promise.all([synthesizedEnvironment("dev"), sharedDynamoDBLocal()]);
    cloud = await LocalCloud.start({ env: "dev", port: 0, timeScale: 0.01, stacks, dynamodb });
    results = await runScenarios(cloud, SCENARIOS, { parallel: true });
  });

  after(async function () {
    this.timeout(30_000);
    await cloud?.stop();
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.description}`, () => {
      const result = results.find((r) => r.name === scenario.name);
      assert.ok(result, `${scenario.name} did not run`);
      const failed = result.steps.filter((s) => !s.ok).map((s) => `${s.label}: ${s.detail ?? "failed"}`);
      assert.ok(result.ok, `${scenario.name} failed: ${[...failed, result.error].filter(Boolean).join("; ")}`);
      assert.ok(result.steps.length > 0, `${scenario.name} ran no step`);
    });
  }

  it("traces the happy path's order through every hop, from the segments the functions, the worker and the services recorded", () => {
    assert.ok(cloud);
    const trace = results.find((r) => r.name === "happy-path")?.trace;
    assert.ok(trace, "the happy path names no trace");
    const calls = callsOf(spansOf(trace.traceIds.flatMap((t) => cloud!.xray.trace(t))));
    const hops = calls.map((c) => `${c.from} -> ${c.to}`);
    for (const hop of [/^client -> ordersApi\//, /-> placeOrderFunction/, /placeOrderFunction-\w+ -> DynamoDB ordersTable/, /^pipe \w+ -> orderPlacedFromStreamFunction/, /^pipe \w+ -> checkoutStateMachine/, /checkoutStateMachine-\w+ -> (reserveStock|chargePayment|confirmOrder)Function/, /checkoutStateMachine-\w+ -> ordersBus/, /ordersBus-\w+ -> SQS shippingQueue/, /^SQS shippingQueue-\w+ -> createShipmentFunction/, /-> label-worker$/, /-> notificationsTopic/, /^SQS emailQueue-\w+ -> sendEmailFunction/]) {
      assert.ok(hops.some((h) => hop.test(h)), `no hop ${hop} in the happy path's trace: ${hops.join(", ")}`);
    }
    // A consumer's batch may carry other scenarios' orders too; their duplicates meet idempotency's conditional writes
    // (ConditionalCheckFailedException, recorded as a client error, as X-Ray records it). Nothing else may fail.
    const failed = calls.filter((c) => c.error && !c.error.includes("ConditionalCheckFailedException"));
    assert.deepEqual(failed.map((c) => `${c.to}: ${c.error}`), [], "the happy path recorded errors");
    assert.match(readFileSync(trace.diagram, "utf8"), /^sequenceDiagram/);
  });

  it("records every IAM decision per principal: the roles' calls and the services' deliveries, allowed, none denied", () => {
    assert.ok(cloud?.iam);
    const principals = cloud.iam.accessLog.principals();
    const of = (name: string) => principals.find((p) => p.name === name)?.decisions ?? [];
    const labels = cloud.graph.queues.find((q) => q.component === "labels")!;
    const shipping = cloud.graph.queues.find((q) => q.component === "shipping")!;
    const orders = cloud.graph.tables.find((t) => t.component === "orders")!;
    // A function's own calls, on the resource they name.
    assert.ok(of("createShipment").some((d) => d.action === "sqs:SendMessage" && d.resource === labels.arn && d.allowed && d.count > 0), JSON.stringify(of("createShipment")));
    assert.ok(of("placeOrder").some((d) => d.action === "dynamodb:PutItem" && d.resource === orders.arn && d.allowed));
    // The worker's task role, the pipe's and the saga's.
    assert.ok(of("labelWorker").some((d) => d.action === "sqs:ReceiveMessage" && d.resource === labels.arn));
    assert.ok(of("newOrders").some((d) => d.action === "states:StartExecution"));
    assert.ok(of("checkout").some((d) => d.action === "lambda:InvokeFunction"));
    // A service's delivery, for the rule it acts for.
    assert.ok(of("events.amazonaws.com").some((d) => d.action === "sqs:SendMessage" && d.resource === shipping.arn && d.sourceArn?.includes(":rule/")));
    // The scenarios sign as the operator, who is no principal of the environment.
    assert.ok(!principals.some((p) => p.principal.endsWith(":role/orderflow-local-operator")));
    assert.deepEqual(principals.flatMap((p) => p.decisions.filter((d) => !d.allowed).map((d) => `${p.name} ${d.action} ${d.resource}`)), []);
  });

  // An operator's view of the same cloud, after the scenarios: AWS's own clients against its AWS endpoint.
  operatorEndpointTests(() => cloud);
  readmeExampleTests(() => cloud);

  it("stops every process it started: the API's port is closed afterwards", async () => {
    assert.ok(cloud);
    const url = Object.values(cloud.apiUrls)[0];
    await cloud.stop();
    cloud = undefined;
    await assert.rejects(fetch(`${url}/orders/none`), "the API still answers after stop()");
  });
});

// The same file as the scenarios above, so that both share one process: its modules and dev's synthesis are loaded once.
/** The grant the test takes away: createShipment's right to send to the labels queue (`labels.grantSend(createShipment)`). */
const REMOVED_GRANT = "createShipment-send-labels";

/**
 * The shipping stack's program with one grant removed by a stack transformation: the RolePolicy keeps its name and role
 * but loses every statement, which is what deleting the `grantSend` call leaves IAM to decide on. (Pulumi's mock monitor
 * serves no transform callbacks, so `registerResourceTransform` is unavailable in-process; the older in-process
 * `registerStackTransformation` applies to every resource the program registers.)
 */
async function withoutTheGrant(): Promise<unknown> {
  pulumi.runtime.registerStackTransformation((args) =>
    args.type === "aws:iam/rolePolicy:RolePolicy" && args.name === REMOVED_GRANT
      ? { props: { ...args.props, policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }, opts: args.opts }
      : undefined,
  );
  const { runStack } = await import("../../stacks/program");
  return runStack();
}

describe("local cloud IAM: dev with one grant removed", function () {
  this.timeout(120_000);
  let cloud: LocalCloud;

  before(async () => {
    // Only the shipping stack and what it reads are synthesized again; the other stacks are the shared dev synthesis.
    // The local cloud reads the resolved runs only, so the preview pass is not run.
    const changed = await synthesizeResolvedEnvironment({ env: "dev", only: "shipping", program: withoutTheGrant });
    const stacks: ResolvedStack[] = (await synthesizedEnvironment("dev")).map((s) => changed.find((c) => c.kind === s.kind) ?? s);
    // Only createShipment runs here: the others are not warmed (the scenarios above start every function).
    cloud = await LocalCloud.start({ env: "dev", port: 0, timeScale: 0.01, stacks, localConcurrency: 1, dynamodb: await sharedDynamoDBLocal(), warm: false });
  });
  after(() => cloud?.stop());

  it("fails createShipment at its SendMessage to the labels queue, with AccessDenied naming the action and the grant", async () => {
    const orderId = "00000000-0000-4000-8000-0000000000a1";
    const rule = cloud.graph.rules.find((r) => JSON.stringify(r.pattern).includes(EVENTS.OrderConfirmed.detailType) && r.targets.some((t) => t.arn.includes(":sqs:")))!;
    const labels = cloud.graph.queues.find((q) => q.component === "labels")!;
    const detail = z.parse(DETAIL_SCHEMAS.OrderConfirmed, {
      orderId,
      customerId: "customer-00000000",
      contact: { email: "customer@example.com" },
      items: [{ sku: "SKU-1", quantity: 1, unitPrice: 1500 }],
      currency: "EUR",
      total: 1500,
      correlationId: "grant-removed",
    });
    const denied = new Promise<ActivityRecord>((resolve) => cloud.activity.subscribe((r) => r.service === "iam" && resolve(r)));
    cloud.putEvent({ Source: EVENTS.OrderConfirmed.source, DetailType: EVENTS.OrderConfirmed.detailType, Detail: JSON.stringify(detail), EventBusName: rule.busName });

    // The timer is unref'd: a run that ends here must not wait for it (a serial run's process stayed 20 s after its last test).
    const record = await Promise.race([denied, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no call was denied within 20 s")), 20_000).unref())]);
    assert.equal(record.name, "createShipment");
    assert.match(record.detail, /^AccessDenied: User: arn:aws:sts::123456789012:assumed-role\/createShipmentRole-[^/]+\/createShipmentFunction-\S+ is not authorized to perform: sqs:SendMessage/);
    assert.ok(record.detail.includes(`on resource: ${labels.arn} because no identity-based policy allows the sqs:SendMessage action`), record.detail);
    assert.ok(record.detail.endsWith("labels.grantSend(createShipment) would allow it"), record.detail);

    // The function received SQS's AccessDenied for that call; everything before it (the rule's delivery, the shipment's
    // write) was allowed, and nothing reached the labels queue.
    const failed = await waitFor(() => cloud.logs("createShipment").find((l) => l.includes("AccessDenied") && l.includes("sqs:SendMessage")));
    assert.ok(failed.includes(labels.arn));
    const otherDenials = cloud.activity.records.filter((r) => r.service === "iam" && !r.detail.includes("sqs:SendMessage"));
    assert.deepEqual(otherDenials, []);
    assert.equal(cloud.sqs.queue(labels.arn).peek().length, 0);
  });

  it("a scenario step that fails for it prints the denial under the step, naming the action and the grant", async () => {
    const orderId = "00000000-0000-4000-8000-0000000000a2";
    const rule = cloud.graph.rules.find((r) => JSON.stringify(r.pattern).includes(EVENTS.OrderConfirmed.detailType) && r.targets.some((t) => t.arn.includes(":sqs:")))!;
    const detail = { orderId, customerId: "customer-00000000", contact: { email: "customer@example.com" }, items: [{ sku: "SKU-1", quantity: 1, unitPrice: 1500 }], currency: "EUR", total: 1500, correlationId: "grant-removed-2" };
    const deniedSends = () => cloud.activity.records.filter((r) => r.service === "iam" && r.name === "createShipment" && r.detail.includes("sqs:SendMessage"));
    const started = Date.now();
    const scenario: Scenario = {
      name: "label-without-the-grant",
      description: "a confirmed order's label, with createShipment's grant on the labels queue removed",
      async run(c) {
        await c.step("OrderConfirmed put on the bus", async () => cloud.putEvent({ Source: EVENTS.OrderConfirmed.source, DetailType: EVENTS.OrderConfirmed.detailType, Detail: JSON.stringify(detail), EventBusName: rule.busName }));
        // The label never comes: the step waits for this order's denial, then gives the label half a second more, so
        // that it fails with the denial under it without sitting out a long timeout.
        await c.step("the label worker writes its label", async () => {
          await waitFor(() => deniedSends().find((r) => r.time >= started));
          return c.waitFor("the label", async () => (await c.item(shipmentsTable(c), { orderId }))?.label, 0, 500);
        });
      },
    };
    const [result] = await runScenarios(cloud, [scenario]);
    const printed = renderScenario(result, scenario);
    assert.equal(result.ok, false);
    assert.match(printed, /\n {2}✗ the label worker writes its label — timed out waiting for the label[^\n]*\n {6}↳ iam createShipment: AccessDenied: User: \S+ is not authorized to perform: sqs:SendMessage on resource: \S+labels\S* because no identity-based policy allows the sqs:SendMessage action — labels\.grantSend\(createShipment\) would allow it/);
  });
});

async function waitFor<T>(probe: () => T | undefined, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
