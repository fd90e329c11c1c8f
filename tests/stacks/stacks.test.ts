import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { evaluatePolicies, type PackConfig } from "../../policies/evaluate";
import * as pulumi from "@pulumi/pulumi";
import type { SynthesizedStack } from "../../ops/offline/synthesize";
import { runProgram, type RecordedResource } from "../../ops/engine/run-program";
import { contracts, requires } from "../../stacks/contracts";
import { ENVIRONMENTS, type Environment, type StackKind } from "../../stacks/environments";
import { runStack } from "../../stacks/program";
import { reference } from "../../stacks/reference";
import { cancelOrderInput, EVENTS } from "../../handlers/shared/events";
import { matchesEventPattern } from "../../ops/local/event-pattern-matcher";
import { subscriptionAccepts } from "../../ops/local/sns-filter-policy";
import { transformInput } from "../../ops/local/input-transformer";
import { synthesizedEnvironment } from "../helpers/synthesized";

// Shared with the other files that read a graph (tests/ops/local), so each environment is synthesized once per run.
const environment = synthesizedEnvironment;

async function stackOf(env: Environment, kind: StackKind): Promise<SynthesizedStack> {
  const stack = (await environment(env)).find((s) => s.kind === kind);
  assert.ok(stack, `${env} has no ${kind} stack`);
  return stack;
}

const ofType = (s: SynthesizedStack, type: string) => s.resolved.resources.filter((r) => r.type === type);
const one = (s: SynthesizedStack, type: string, name?: string): RecordedResource => {
  const found = ofType(s, type).filter((r) => name === undefined || r.name === name);
  assert.equal(found.length, 1, `expected one ${type}${name ? ` ${name}` : ""} in ${s.stack}, found ${found.map((r) => r.name).join(", ")}`);
  return found[0];
};

function event(name: keyof typeof EVENTS) {
  return { source: EVENTS[name].source, "detail-type": EVENTS[name].detailType, detail: { orderId: "6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f" } };
}

describe("stacks: every stack of every environment under mocks", function () {
  this.timeout(120_000);

  for (const env of ENVIRONMENTS) {
    it(`${env}: every stack runs, in dependency order, and exports exactly its contract with the right types`, async () => {
      const stacks = await environment(env);
      assert.deepEqual(stacks.map((s) => s.kind), ["platform", "orders", "inventory", "payments", "shipping", "notifications", "checkout"]);
      for (const s of stacks) {
        const parsed = contracts[s.kind].safeParse(s.resolved.outputs);
        assert.ok(parsed.success, `${s.stack} outputs break its contract: ${parsed.success ? "" : parsed.error.message}`);
      }
    });
  }

  for (const env of ENVIRONMENTS) {
    it(`${env}: no stack violates a mandatory policy, as a first preview sees it or with every value resolved`, async () => {
      const configFile = path.join(__dirname, "..", "..", "policies", "config", `${env}.json`);
      const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, "utf8")) as PackConfig) : {};
      for (const s of await environment(env)) {
        for (const run of [s.preview, s.resolved]) {
          const mandatory = (await evaluatePolicies(run.resources, config)).filter((v) => v.enforcementLevel === "mandatory");
          assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), [], `${s.stack}`);
        }
      }
    });
  }

  it("every output a consumer requires is exported by its producer", () => {
    for (const [consumer, producers] of Object.entries(requires)) {
      for (const [producer, keys] of Object.entries(producers as Record<string, readonly string[]>)) {
        const shape = contracts[producer as StackKind].shape as Record<string, unknown>;
        for (const key of keys) assert.ok(key in shape, `${consumer} requires ${producer}.${key}, which ${producer}'s contract lacks`);
      }
    }
  });

  it("checkout: the pipe reads the orders table's stream, keeps only inserts, and starts the saga", async () => {
    const orders = await stackOf("dev", "orders");
    const checkout = await stackOf("dev", "checkout");
    const pipe = one(checkout, "aws:pipes/pipe:Pipe");
    const saga = one(checkout, "aws:sfn/stateMachine:StateMachine");
    const table = one(orders, "aws:dynamodb/table:Table", "ordersTable");
    assert.equal(pipe.inputs.target, saga.outputs.arn);
    assert.equal(pipe.inputs.source, table.outputs.streamArn);
    const filters = (pipe.inputs.sourceParameters as { filterCriteria: { filters: { pattern: string }[] } }).filterCriteria.filters;
    assert.deepEqual(filters.map((f) => JSON.parse(f.pattern)), [{ eventName: ["INSERT"] }]);
    const enrichment = one(orders, "aws:lambda/function:Function", "orderPlacedFromStreamFunction");
    assert.equal(pipe.inputs.enrichment, enrichment.outputs.arn);
  });

  it("checkout: the saga invokes the other domains' functions in order and publishes to the platform's bus", async () => {
    const checkout = await stackOf("dev", "checkout");
    const platform = await stackOf("dev", "platform");
    const definition = JSON.parse(String(one(checkout, "aws:sfn/stateMachine:StateMachine").inputs.definition));
    const fnArn = async (kind: StackKind, output: string) => (await stackOf("dev", kind)).resolved.outputs[output];
    assert.equal(definition.StartAt, "ReadInput");
    assert.equal(definition.States.ReserveStock.Parameters.FunctionName, await fnArn("inventory", "reserveStockFunctionArn"));
    assert.equal(definition.States.ChargePayment.Parameters.FunctionName, await fnArn("payments", "chargePaymentFunctionArn"));
    assert.equal(definition.States.ConfirmOrder.Parameters.FunctionName, await fnArn("orders", "confirmOrderFunctionArn"));
    assert.equal(definition.States.CompensateReserveStock.Parameters.FunctionName, await fnArn("inventory", "releaseStockFunctionArn"));
    assert.equal(definition.States.CompensateChargePayment.Parameters.FunctionName, await fnArn("payments", "refundPaymentFunctionArn"));
    assert.equal(definition.States.CompensateConfirmOrder.Parameters.FunctionName, await fnArn("orders", "cancelOrderFunctionArn"));
    assert.equal(definition.States.PublishSuccess.Parameters.Entries[0].EventBusName, platform.resolved.outputs.busArn);
    assert.equal(definition.States.PublishSuccess.Parameters.Entries[0].DetailType, "OrderConfirmed");
    assert.equal(definition.States.PublishFailure.Parameters.Entries[0].DetailType, "OrderCancelled");
  });

  it("shipping: the rule matches OrderConfirmed and not OrderCancelled, and feeds the shipping queue", async () => {
    const shipping = await stackOf("dev", "shipping");
    const rule = one(shipping, "aws:cloudwatch/eventRule:EventRule");
    const pattern = String(rule.inputs.eventPattern);
    assert.ok(matchesEventPattern(pattern, event("OrderConfirmed")));
    assert.ok(!matchesEventPattern(pattern, event("OrderCancelled")));
    assert.ok(!matchesEventPattern(pattern, event("OrderShipped")));
    const target = ofType(shipping, "aws:cloudwatch/eventTarget:EventTarget")[0];
    assert.equal(target.inputs.arn, one(shipping, "aws:sqs/queue:Queue", "shippingQueue").outputs.arn);
    const platform = await stackOf("dev", "platform");
    assert.equal(rule.inputs.eventBusName, platform.resolved.outputs.busName);
    const mapping = one(shipping, "aws:lambda/eventSourceMapping:EventSourceMapping");
    assert.equal(mapping.inputs.eventSourceArn, target.inputs.arn);
  });

  it("shipping: create-shipment queues label jobs for the Fargate label worker, in the default VPC only in dev", async () => {
    const dev = await stackOf("dev", "shipping");
    const labels = one(dev, "aws:sqs/queue:Queue", "labelsQueue");
    const createShipment = one(dev, "aws:lambda/function:Function", "createShipmentFunction");
    const env = (createShipment.inputs.environment as { variables: Record<string, string> }).variables;
    assert.equal(env.LABELS_QUEUE_URL, labels.outputs.url);
    const role = one(dev, "aws:iam/role:Role", "createShipmentRole").outputs.name;
    const sends = ofType(dev, "aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === role)
      .flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement)
      .filter((st: { Action: string[] }) => st.Action.includes("sqs:SendMessage"));
    const dlq = one(dev, "aws:sqs/queue:Queue", "createShipmentDlqQueue").outputs.arn;
    assert.deepEqual(sends.map((st: { Resource: string[] }) => st.Resource).sort(), [[dlq], [labels.outputs.arn]].sort(), "its own DLQ and the labels queue, nothing else");
    assert.equal(ofType(dev, "awsx:ec2:DefaultVpc").length, 1);
    const prod = await stackOf("prod", "shipping");
    assert.equal(ofType(prod, "awsx:ec2:Vpc").length, 1);
    const target = one(prod, "aws:appautoscaling/target:Target");
    assert.deepEqual([target.inputs.minCapacity, target.inputs.maxCapacity], [2, 10]);
  });

  it("notifications: the rule sends every outcome to the topic; email gets every event, SMS only OrderShipped", async () => {
    const notifications = await stackOf("dev", "notifications");
    const pattern = String(one(notifications, "aws:cloudwatch/eventRule:EventRule").inputs.eventPattern);
    for (const e of ["OrderConfirmed", "OrderCancelled", "OrderShipped"] as const) assert.ok(matchesEventPattern(pattern, event(e)), e);
    assert.ok(!matchesEventPattern(pattern, { source: "orderflow.orders", "detail-type": "OrderPlaced" }));
    const topicArn = one(notifications, "aws:sns/topic:Topic", "notificationsTopic").outputs.arn;
    const subscriptions = ofType(notifications, "aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.topic === topicArn);
    const queueArn = (name: string) => one(notifications, "aws:sqs/queue:Queue", `${name}Queue`).outputs.arn;
    const email = subscriptions.find((s) => s.inputs.endpoint === queueArn("email"))!;
    const sms = subscriptions.find((s) => s.inputs.endpoint === queueArn("sms"))!;
    assert.equal(email.inputs.filterPolicy, undefined);
    assert.equal(sms.inputs.filterPolicyScope, "MessageBody");
    // The topic's messages are the rule's events, as JSON; the SMS subscription filters on that body.
    const published = (e: keyof typeof EVENTS) => ({ message: JSON.stringify(event(e)) });
    const smsSubscription = { filterPolicy: String(sms.inputs.filterPolicy), filterPolicyScope: "MessageBody" as const };
    assert.ok(subscriptionAccepts(smsSubscription, published("OrderShipped")));
    assert.ok(!subscriptionAccepts(smsSubscription, published("OrderConfirmed")));
    assert.ok(subscriptionAccepts({}, published("OrderConfirmed")), "email has no policy and gets every event");
    assert.equal(email.inputs.rawMessageDelivery, true);
  });

  it("orders: an OrderCancelled event cancels the order, in the shape cancel-order takes", async () => {
    const orders = await stackOf("dev", "orders");
    const rule = one(orders, "aws:cloudwatch/eventRule:EventRule");
    const pattern = String(rule.inputs.eventPattern);
    assert.ok(matchesEventPattern(pattern, event("OrderCancelled")));
    assert.ok(!matchesEventPattern(pattern, event("OrderConfirmed")));
    const target = one(orders, "aws:cloudwatch/eventTarget:EventTarget");
    assert.equal(target.inputs.arn, one(orders, "aws:lambda/function:Function", "cancelOrderFunction").outputs.arn);
    const transformer = target.inputs.inputTransformer as { inputPaths: Record<string, string>; inputTemplate: string };
    // What EventBridge would hand the function for an OrderCancelled event.
    const detail = { orderId: "6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", reason: "OutOfStock" };
    const cancelled = { ...event("OrderCancelled"), detail };
    const rendered = transformInput(transformer, cancelled, { ruleArn: String(rule.outputs.arn), ruleName: String(rule.outputs.name), ingestionTime: new Date() });
    assert.ok(cancelOrderInput.safeParse(JSON.parse(rendered)).success, rendered);
    assert.deepEqual(JSON.parse(rendered), { orderId: detail.orderId, error: { Error: "OutOfStock" } });
  });

  it("orders: the API serves POST /orders and GET /orders/{id}, traced, validated and throttled per environment", async () => {
    const dev = await stackOf("dev", "orders");
    const prod = await stackOf("prod", "orders");
    const methods = ofType(dev, "aws:apigateway/method:Method").map((m) => m.inputs.httpMethod).sort();
    assert.deepEqual(methods, ["GET", "POST"]);
    assert.equal(one(dev, "aws:apigateway/stage:Stage").inputs.xrayTracingEnabled, true);
    const model = JSON.parse(String(one(dev, "aws:apigateway/model:Model").inputs.schema));
    assert.deepEqual(model.required.sort(), ["contact", "currency", "customerId", "items"]);
    const throttle = (s: SynthesizedStack) => (one(s, "aws:apigateway/methodSettings:MethodSettings").inputs.settings as { throttlingRateLimit: number }).throttlingRateLimit;
    assert.ok(throttle(prod) > throttle(dev));
  });

  it("every function has its own role, and every role serves one function at most", async () => {
    for (const s of await environment("dev")) {
      const roles = ofType(s, "aws:lambda/function:Function").map((f) => f.inputs.role);
      assert.equal(new Set(roles).size, roles.length, `${s.stack} shares a role between functions`);
    }
  });

  it("tags every taggable resource with its environment and domain, and managed-by: pulumi", async () => {
    for (const env of ["dev", "prod"] as const) {
      for (const s of await environment(env)) {
        const taggable = s.resolved.resources.filter((r) => r.custom && r.type.startsWith("aws:") && "tags" in r.inputs);
        assert.ok(taggable.length > 0, `${s.stack} has no taggable resources`);
        for (const r of taggable) {
          const tags = r.inputs.tags as Record<string, string>;
          assert.deepEqual(
            { environment: tags.environment, domain: tags.domain, managedBy: tags["managed-by"] },
            { environment: env, domain: s.kind, managedBy: "pulumi" },
            `${s.stack} ${r.type} ${r.name}`,
          );
        }
      }
    }
    const dlq = (await stackOf("dev", "shipping")).resolved.resources.find((r) => (r.inputs.tags as Record<string, string> | undefined)?.["orderflow:role"]);
    assert.ok(dlq, "a component's own tags survive beside the standard ones");
  });

  it("prod differs from dev as users expect: retention, deletion protection, PITR, alarm email, reserved concurrency", async () => {
    const tables = async (env: Environment) => (await environment(env)).flatMap((s) => ofType(s, "aws:dynamodb/table:Table"));
    for (const t of await tables("prod")) {
      assert.equal(t.inputs.deletionProtectionEnabled, true, t.name);
      assert.deepEqual(t.inputs.pointInTimeRecovery, { enabled: true }, t.name);
    }
    for (const t of await tables("dev")) assert.equal(t.inputs.deletionProtectionEnabled, false, t.name);
    const retention = async (env: Environment) => ofType(await stackOf(env, "inventory"), "aws:cloudwatch/logGroup:LogGroup")[0].inputs.retentionInDays;
    assert.equal(await retention("dev"), 14);
    assert.equal(await retention("prod"), 365);
    const email = (s: SynthesizedStack) => ofType(s, "aws:sns/topicSubscription:TopicSubscription").filter((r) => r.inputs.protocol === "email");
    assert.equal(email(await stackOf("dev", "platform")).length, 0);
    assert.equal(email(await stackOf("prod", "platform"))[0].inputs.endpoint, "orderflow-oncall@example.com");
    const concurrency = async (env: Environment, kind: StackKind) =>
      ofType(await stackOf(env, kind), "aws:lambda/function:Function").map((f) => f.inputs.reservedConcurrentExecutions);
    assert.deepEqual(new Set(await concurrency("prod", "payments")), new Set([50]));
    assert.deepEqual(new Set(await concurrency("prod", "orders")), new Set([100]), "a domain override wins over the environment's setting");
    assert.ok((await concurrency("dev", "payments")).every((c) => c === undefined || c === -1));
  });

  it("payments: the decline threshold comes from the domain's own config", async () => {
    const declineAbove = async (env: Environment) =>
      (one(await stackOf(env, "payments"), "aws:lambda/function:Function", "chargePaymentFunction").inputs.environment as { variables: Record<string, string> }).variables
        .PAYMENT_DECLINE_ABOVE;
    assert.equal(await declineAbove("dev"), "50000");
    assert.equal(await declineAbove("prod"), "1000000");
    assert.equal(await declineAbove("staging"), "100000");
  });
});

describe("stacks: names and references", () => {
  const base = { project: "orderflow", cloud: { account: "123456789012", region: "us-east-1" } };

  it("an unknown stack name fails with the list of valid ones", async () => {
    await assert.rejects(runProgram(runStack, { ...base, stack: "qa.orders" }), /Unknown stack "qa\.orders".*valid names: dev, dev\.orders/);
    await assert.rejects(runProgram(runStack, { ...base, stack: "dev.billing" }), /Unknown stack "dev\.billing"/);
  });

  it("a missing upstream output fails naming the output and the stack to deploy first", async () => {
    const platformWithoutBus = { busName: "orders", alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms", settings: {} };
    await assert.rejects(
      runProgram(() => ({ bus: reference("dev", "platform").busArn }), {
        ...base,
        stack: "dev.shipping",
        stackOutputs: (name) => (name === "organization/orderflow/dev" ? platformWithoutBus : undefined),
      }),
      /Stack "dev" has no output "busArn", which "dev\.shipping" requires\. Deploy "dev" first/,
    );
  });

  it("reading an output the contracts do not declare fails, keeping the dependency graph true", async () => {
    await assert.rejects(
      runProgram(() => ({ x: (reference("dev", "orders") as unknown as Record<string, pulumi.Output<string>>).apiUrl }), {
        ...base,
        stack: "dev.shipping",
        stackOutputs: () => ({}),
      }),
      /reads "apiUrl" from the orders stack, but stacks\/contracts\.ts does not declare it/,
    );
  });

  it("takes the organization of stack references from orderflow:org", async () => {
    const asked: string[] = [];
    await runProgram(() => ({ bus: reference("dev", "platform").busArn }), {
      ...base,
      stack: "dev.shipping",
      config: { "orderflow:org": "acme" },
      stackOutputs: (name) => {
        asked.push(name);
        return { busArn: "arn:aws:events:us-east-1:123456789012:event-bus/orders" };
      },
    });
    assert.deepEqual(asked, ["acme/orderflow/dev"]);
  });
});
