import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { evaluatePolicies, type PackConfig } from "../../policies/evaluate";
import * as pulumi from "@pulumi/pulumi";
import type { SynthesizedStack } from "../../ops/offline/synthesize";
import { runProgram, type RecordedResource } from "../../ops/engine/run-program";
import { loadStackConfig } from "../../stacks/stack-config";
import { contracts, requires } from "../../stacks/contracts";
import { ENVIRONMENTS, type Environment, type StackKind } from "../../stacks/environments";
import { runStack } from "../../stacks/program";
import { reference } from "../../stacks/reference";
import { cancelOrderInput, EVENTS } from "../../handlers/shared/events";
import type { AslDefinition } from "../../components/saga-definition";
import { lambdaError, runLocalSaga } from "../helpers/local-saga";
import { advancedLoggingEnvironment, powertoolsLevelIn } from "../helpers/lambda-logging";
import { methodAuthorizationsFromGraph, userPoolsFromGraph } from "../../localcloud/services/cognito/spec";
import { matchesEventPattern } from "../../localcloud/matching/event-pattern-matcher";
import { subscriptionAccepts } from "../../localcloud/services/sns/filter-policy";
import { transformInput } from "../../localcloud/services/events/input-transformer";
import { synthesizedEnvironment } from "../helpers/synthesized";

// Shared with the other files that read a graph (tests/localcloud), so each environment is synthesized once per run.
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
      assert.deepEqual(stacks.map((s) => s.kind), ["bootstrap", "platform", "inventory", "payments", "shipping", "notifications", "orders", "checkout"]);
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

  it("checkout: a declined payment or missing stock ends the saga succeeded, CANCELLED; an unexpected error fails it", async () => {
    const checkout = await stackOf("dev", "checkout");
    const asl = JSON.parse(String(one(checkout, "aws:sfn/stateMachine:StateMachine").inputs.definition)) as AslDefinition;
    const arns: Record<string, string> = {};
    for (const kind of ["orders", "inventory", "payments"] as const) {
      for (const [key, value] of Object.entries((await stackOf("dev", kind)).resolved.outputs)) if (key.endsWith("FunctionArn")) arns[String(value)] = key.replace(/FunctionArn$/, "");
    }
    const order = { orderId: "6f1c2b7e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", customerId: "cust-1", contact: { email: "a@example.com" }, items: [], currency: "EUR", total: 100, correlationId: "req-1" };
    const runWith = (failures: Record<string, Error>) =>
      runLocalSaga(
        asl,
        Object.fromEntries(Object.entries(arns).map(([arn, name]) => [arn, { name, run: () => { if (failures[name]) throw failures[name]; return { ok: true }; } }])),
        [order] as unknown as Record<string, unknown>,
      );
    const declined = await runWith({ chargePayment: lambdaError("PaymentDeclined", "above the limit") });
    assert.equal(declined.status, "SUCCEEDED");
    assert.deepEqual((declined.output as { outcome: unknown }).outcome, { status: "CANCELLED", reason: "PaymentDeclined", cause: "above the limit" });
    assert.deepEqual(declined.invoked, ["reserveStock", "chargePayment", "refundPayment", "releaseStock"], "the declined step is compensated too (nothing to refund), then the reservation");
    const noStock = await runWith({ reserveStock: lambdaError("OutOfStock", "no lamps") });
    assert.equal(noStock.status, "SUCCEEDED");
    const broken = await runWith({ confirmOrder: lambdaError("ConfigurationError", "ORDERS_TABLE_NAME is not set") });
    assert.equal(broken.status, "FAILED");
    assert.deepEqual(broken.error, { error: "ConfigurationError", cause: "ORDERS_TABLE_NAME is not set" });
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

  it("notifications: send-email may send only from the stack's SES identity and configuration set, send-sms only from the settings' origination identity", async () => {
    const grantsOf = (s: SynthesizedStack, role: string) => {
      const roleName = one(s, "aws:iam/role:Role", role).outputs.name;
      return ofType(s, "aws:iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === roleName)
        .flatMap((p) => JSON.parse(String(p.inputs.policy)).Statement as { Action: string[]; Resource: string[] }[]);
    };
    const sending = (s: SynthesizedStack, role: string) => grantsOf(s, role).filter((st) => st.Action.some((a) => /^(ses|sms-voice|sns):/.test(a)));
    const variables = (s: SynthesizedStack, fn: string) => (one(s, "aws:lambda/function:Function", fn).inputs.environment as { variables: Record<string, string> }).variables;

    const dev = await stackOf("dev", "notifications");
    // Each function's access: its own log group, DLQ, queue and tracing, the idempotency table, and one sending grant.
    const policies = (role: string) => {
      const roleName = one(dev, "aws:iam/role:Role", role).outputs.name;
      return ofType(dev, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === roleName).map((p) => p.name).sort();
    };
    const common = (fn: string, queue: string) => [`${fn}-idempotencyStore-notificationsIdempotency`, `${fn}-logs`, `${fn}-poll-${queue}`, `${fn}-send-${fn}Dlq`, `${fn}-xray`];
    assert.deepEqual(policies("sendEmailRole"), [...common("sendEmail", "email"), "sendEmail-sendEmail-customerEmail"].sort());
    assert.deepEqual(policies("sendSmsRole"), [...common("sendSms", "sms"), "sendSms-sendText-customerSms"].sort());
    const identity = one(dev, "aws:sesv2/emailIdentity:EmailIdentity");
    const set = one(dev, "aws:sesv2/configurationSet:ConfigurationSet");
    const simulator = one(dev, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber");
    assert.equal(identity.inputs.emailIdentity, "dev.orderflow.example.com");
    assert.deepEqual(sending(dev, "sendEmailRole"), [{ Effect: "Allow", Action: ["ses:SendEmail"], Resource: [identity.outputs.arn, set.outputs.arn] }]);
    assert.deepEqual(sending(dev, "sendSmsRole"), [{ Effect: "Allow", Action: ["sms-voice:SendTextMessage"], Resource: [simulator.outputs.arn] }]);
    const emailEnv = variables(dev, "sendEmailFunction");
    assert.deepEqual(
      [emailEnv.EMAIL_FROM, emailEnv.EMAIL_CONFIGURATION_SET, emailEnv.EMAIL_RECIPIENTS],
      ['"Orderflow (dev)" <orders@dev.orderflow.example.com>', set.outputs.configurationSetName, "success@simulator.amazonses.com"],
    );
    assert.equal(variables(dev, "sendSmsFunction").SMS_ORIGINATION_IDENTITY, simulator.outputs.arn);
    assert.equal(variables(dev, "sendSmsFunction").SMS_RECIPIENTS, "+14254147755");
    assert.equal((dev.resolved.outputs.emailDkimRecords as string[]).length, 3);

    const prod = await stackOf("prod", "notifications");
    const pool = "arn:aws:sms-voice:us-east-1:123456789012:pool/pool-0b6a1b2c3d4e5f60718293a4b5c6d7e8";
    assert.equal(ofType(prod, "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber").length, 0, "prod texts from its registered pool");
    assert.deepEqual(sending(prod, "sendSmsRole"), [{ Effect: "Allow", Action: ["sms-voice:SendTextMessage"], Resource: [pool] }]);
    assert.deepEqual([variables(prod, "sendEmailFunction").EMAIL_RECIPIENTS, variables(prod, "sendSmsFunction").SMS_RECIPIENTS], ["customers", "customers"]);
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
    // The customer comes from the token; a machine client names one (place-order checks which applies).
    assert.deepEqual(model.required.sort(), ["contact", "currency", "items"]);
    const throttle = (s: SynthesizedStack) => (one(s, "aws:apigateway/methodSettings:MethodSettings").inputs.settings as { throttlingRateLimit: number }).throttlingRateLimit;
    assert.ok(throttle(prod) > throttle(dev));
    // Every environment's API takes TLS 1.3 only, and validates bodies whatever their content type.
    for (const s of [dev, prod]) assert.equal(one(s, "aws:apigateway/restApi:RestApi").inputs.securityPolicy, "SecurityPolicy_TLS13_1_3_2025_09");
    const post = one(dev, "aws:apigateway/method:Method", "ordersPOSTOrders");
    assert.deepEqual(Object.keys(post.inputs.requestModels as object).sort(), ["$default", "application/json"]);
  });

  it("orders: a WAF web ACL with each environment's per-IP limit guards the stage outside dev", async () => {
    const limit = async (env: Environment) => {
      const orders = await stackOf(env, "orders");
      const acls = ofType(orders, "aws:wafv2/webAcl:WebAcl");
      if (acls.length === 0) return undefined;
      assert.equal(one(orders, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs.resourceArn, one(orders, "aws:apigateway/stage:Stage").outputs.arn);
      const rules = acls[0].inputs.rules as { statement: { rateBasedStatement?: { limit: number } } }[];
      return rules.find((r) => r.statement.rateBasedStatement)?.statement.rateBasedStatement?.limit;
    };
    assert.deepEqual([await limit("dev"), await limit("staging"), await limit("prod")], [undefined, 1000, 5000]);
  });

  it("orders: place-order prices from inventory's catalog table, read only, in the currencies Pulumi.<env>.yaml sells", async () => {
    for (const [env, currencies] of [["dev", "EUR,USD"], ["prod", "EUR"]] as const) {
      const orders = await stackOf(env, "orders");
      const inventory = await stackOf(env, "inventory");
      const catalog = one(inventory, "aws:dynamodb/table:Table", "catalogTable");
      assert.equal(catalog.inputs.hashKey, "sku");
      assert.equal(inventory.resolved.outputs.catalogTableName, catalog.outputs.name);
      const placeOrder = one(orders, "aws:lambda/function:Function", "placeOrderFunction");
      const variables = (placeOrder.inputs.environment as { variables: Record<string, string> }).variables;
      assert.equal(variables.CATALOG_TABLE_NAME, catalog.outputs.name);
      assert.equal(variables.SOLD_CURRENCIES, currencies);
      const grant = one(orders, "aws:iam/rolePolicy:RolePolicy", "placeOrder-grant-catalog");
      const [statement] = JSON.parse(String(grant.inputs.policy)).Statement as { Action: string[]; Resource: string[] }[];
      assert.ok(statement.Resource.includes(String(catalog.outputs.arn)), JSON.stringify(statement));
      assert.deepEqual(statement.Action, ["dynamodb:GetItem"], "the orders API reads prices and may not change them");
    }
  });

  it("bootstrap: the account's API Gateway CloudWatch role and X-Ray policy for SNS live there, and in no environment's stacks", async () => {
    const bootstrap = await stackOf("dev", "bootstrap");
    assert.equal(bootstrap.stack, "bootstrap.nonprod");
    const role = one(bootstrap, "aws:iam/role:Role", "apiGatewayLogs");
    assert.equal(one(bootstrap, "aws:apigateway/account:Account").inputs.cloudwatchRoleArn, role.outputs.arn);
    // The trust AWS documents for this role: the bare service principal, no aws:SourceAccount condition.
    assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement, [
      { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    const xray = one(bootstrap, "aws:xray/resourcePolicy:ResourcePolicy");
    const [statement] = JSON.parse(String(xray.inputs.policyDocument)).Statement;
    assert.deepEqual(statement.Principal, { Service: "sns.amazonaws.com" });
    assert.ok(statement.Action.includes("xray:PutTraceSegments"));
    assert.deepEqual(statement.Condition, {
      StringEquals: { "aws:SourceAccount": "123456789012" },
      StringLike: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:*" },
    });
    assert.equal((await stackOf("prod", "bootstrap")).stack, "bootstrap.prod");
    for (const env of ENVIRONMENTS) {
      for (const s of (await environment(env)).filter((st) => st.kind !== "bootstrap")) {
        assert.equal(ofType(s, "aws:apigateway/account:Account").length, 0, `${s.stack} sets the account's API Gateway role`);
        assert.equal(ofType(s, "aws:xray/resourcePolicy:ResourcePolicy").length, 0, `${s.stack} adds an X-Ray resource policy`);
        for (const topic of ofType(s, "aws:sns/topic:Topic")) {
          const tags = topic.inputs.tags as Record<string, string>;
          assert.equal(tags["orderflow:xray-resource-policy"], bootstrap.resolved.outputs.snsTracingPolicyName, `${s.stack} ${topic.name}`);
        }
      }
    }
  });

  it("orders: customers sign in to the stack's user pool, set per environment, and every method takes only its callers", async () => {
    const orders = Object.fromEntries(await Promise.all(ENVIRONMENTS.map(async (env) => [env, await stackOf(env, "orders")] as const)));
    const pool = (env: Environment) => one(orders[env], "aws:cognito/userPool:UserPool").inputs;
    assert.deepEqual(pool("dev").adminCreateUserConfig, { allowAdminCreateUserOnly: false }, "self sign-up in dev");
    assert.deepEqual(pool("prod").adminCreateUserConfig, { allowAdminCreateUserOnly: true });
    assert.deepEqual([pool("dev").deletionProtection, pool("staging").deletionProtection, pool("prod").deletionProtection], ["INACTIVE", "ACTIVE", "ACTIVE"]);
    assert.deepEqual([pool("prod").userPoolTier, pool("prod").userPoolAddOns], ["PLUS", { advancedSecurityMode: "ENFORCED" }]);
    assert.equal(pool("dev").userPoolTier, "ESSENTIALS");
    // Every customer of prod signs in with a second factor; elsewhere each may add one.
    assert.deepEqual([pool("dev").mfaConfiguration, pool("staging").mfaConfiguration, pool("prod").mfaConfiguration], ["OPTIONAL", "OPTIONAL", "ON"]);
    for (const env of ENVIRONMENTS) {
      assert.equal((pool(env).passwordPolicy as { minimumLength: number }).minimumLength >= 12, true, env);
      assert.ok((pool(env).passwordPolicy as { passwordHistorySize: number }).passwordHistorySize >= 1, env);
      const storefront = one(orders[env], "aws:cognito/userPoolClient:UserPoolClient", "customersStorefrontClient").inputs;
      assert.equal((storefront.refreshTokenRotation as { feature: string }).feature, "ENABLED", `${env}: the storefront's refresh tokens rotate`);
    }

    const dev = orders.dev;
    const [identity] = userPoolsFromGraph(dev.resolved.resources);
    const clients = Object.fromEntries(identity.clients.map((c) => [c.name, c]));
    assert.deepEqual(Object.keys(clients).sort(), ["backOffice", "storefront"]);
    assert.ok(clients.storefront.userSignIn && !clients.storefront.clientCredentials);
    assert.ok(clients.backOffice.clientCredentials && !clients.backOffice.userSignIn);
    assert.deepEqual(identity.resourceServers, [{ identifier: "orders", scopes: ["read", "write"] }]);
    const methods = Object.fromEntries(methodAuthorizationsFromGraph(dev.resolved.resources).map((m) => [`${m.httpMethod} ${m.path}`, m]));
    assert.deepEqual(methods["POST /orders"].authorizationScopes, ["aws.cognito.signin.user.admin", "orders/write"]);
    assert.deepEqual(methods["GET /orders/{id}"].authorizationScopes, ["aws.cognito.signin.user.admin", "orders/read"]);
    for (const m of Object.values(methods)) {
      assert.deepEqual([m.authorization, m.cognito?.userPoolIds, m.apiKeyRequired], ["COGNITO_USER_POOLS", [identity.userPoolId], true]);
    }
    assert.deepEqual(ofType(dev, "aws:apigateway/usagePlan:UsagePlan").map((p) => (p.inputs.quotaSettings as { period: string }).period), ["DAY", "DAY"]);
    assert.equal(dev.resolved.outputs.userPoolId, identity.userPoolId);
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
          // The account's bootstrap stack belongs to no one environment: it carries its account instead.
          const owner = s.kind === "bootstrap" ? { account: env === "prod" ? "prod" : "nonprod" } : { environment: env };
          assert.deepEqual(
            { ...(s.kind === "bootstrap" ? { account: tags.account } : { environment: tags.environment }), domain: tags.domain, managedBy: tags["managed-by"] },
            { ...owner, domain: s.kind, managedBy: "pulumi" },
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

  it("every function logs at its environment's logLevel in Lambda: DEBUG lines reach dev's logs, prod's stop at INFO", async () => {
    for (const [env, level] of [["dev", "DEBUG"], ["prod", "INFO"]] as const) {
      for (const s of await environment(env)) {
        for (const fn of ofType(s, "aws:lambda/function:Function")) {
          const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
          assert.equal(powertoolsLevelIn({ ...variables, ...advancedLoggingEnvironment(fn.inputs.loggingConfig) }), level, `${s.stack} ${fn.name}`);
        }
      }
    }
  });

  it("a domain's own file can choose the private VPC in dev, and undo the environment's reserved concurrency with `none`", async () => {
    const upstream = async (env: Environment) => {
      const outputs = new Map((await environment(env)).map((st) => [`organization/orderflow/${st.stack}`, st.resolved.outputs]));
      return (name: string) => outputs.get(name);
    };
    const shipping = await runProgram(runStack, {
      project: "orderflow",
      stack: "dev.shipping",
      config: { "orderflow:labelWorkerVpc": "private" },
      stackOutputs: await upstream("dev"),
    });
    assert.equal(shipping.resources.filter((r) => r.type === "awsx:ec2:Vpc").length, 1);
    assert.equal(shipping.resources.filter((r) => r.type === "awsx:ec2:DefaultVpc").length, 0);
    const orders = await runProgram(runStack, {
      project: "orderflow",
      stack: "prod.orders",
      config: { "orderflow:reservedConcurrency": "none" },
      stackOutputs: await upstream("prod"),
    });
    const reserved = orders.resources.filter((r) => r.type === "aws:lambda/function:Function").map((f) => f.inputs.reservedConcurrentExecutions);
    assert.ok(reserved.length > 0 && reserved.every((c) => c === undefined), JSON.stringify(reserved));
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
    await assert.rejects(runProgram(runStack, { ...base, stack: "qa.orders" }), /Unknown stack "qa\.orders".*valid names: bootstrap\.nonprod, bootstrap\.prod, dev, dev\.orders/);
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

  it("a domain stack whose platform exports no `settings` fails naming the output, in a preview and in a deployment", async () => {
    // A platform deployed by an older program: its other outputs are there, its settings are not.
    const platformWithoutSettings = { busArn: "arn:aws:events:us-east-1:123456789012:event-bus/orders", busName: "orders", alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms" };
    for (const preview of [true, false]) {
      await assert.rejects(
        runProgram(runStack, { ...base, stack: "dev.inventory", preview, stackOutputs: (name) => (name.endsWith("/dev") ? platformWithoutSettings : {}) }),
        /Stack "dev" has no output "settings", which "dev\.inventory" requires\. Deploy "dev" first/,
        `preview: ${preview}`,
      );
    }
  });

  describe("a preview of an environment that was never deployed", () => {
    // What `orderflow preview --env <env>` meets in a new environment: every stack exists (the run selects them) but has no outputs.
    const neverDeployed = () => ({});
    let warnings: string[];
    const original = console.warn;
    beforeEach(() => {
      warnings = [];
      console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    });
    afterEach(() => (console.warn = original));

    it("previews a domain stack with the settings of Pulumi.<env>.yaml, the platform's outputs unknown, and says so", async () => {
      const run = await runProgram(runStack, { ...base, stack: "dev.inventory", preview: true, config: loadStackConfig("dev.inventory").config, stackOutputs: neverDeployed });
      const logGroups = run.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup");
      assert.ok(logGroups.length > 0 && logGroups.every((g) => g.inputs.retentionInDays === 14), "dev's logRetentionDays (14), not the default (30)");
      const table = run.resources.find((r) => r.type === "aws:dynamodb/table:Table")!;
      assert.deepEqual([table.inputs.deletionProtectionEnabled, table.inputs.pointInTimeRecovery], [false, { enabled: false }]);
      const alarm = run.resources.find((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm")!;
      assert.ok(pulumi.containsUnknowns(alarm.inputs.alarmActions), "the alarm topic's ARN is unknown, as the platform's own preview shows it");
      assert.ok(warnings.some((w) => /Stack "dev" has not been deployed yet, so this preview reads the environment's settings from Pulumi\.dev\.yaml/.test(w)), warnings.join("\n"));
      assert.ok(warnings.some((w) => /Stack "dev" has not been deployed yet, so its outputs are unknown in this preview/.test(w)), warnings.join("\n"));
    });

    it("previews the platform with the account's bootstrap outputs unknown", async () => {
      const run = await runProgram(runStack, { ...base, stack: "prod", preview: true, config: loadStackConfig("prod").config, stackOutputs: neverDeployed });
      assert.ok(run.resources.some((r) => r.type === "aws:sns/topic:Topic"));
      assert.ok(warnings.some((w) => /Stack "bootstrap\.prod" has not been deployed yet/.test(w)), warnings.join("\n"));
    });

    it("but deploying a domain stack before its platform fails naming the output and the stack to deploy first", async () => {
      await assert.rejects(
        runProgram(runStack, { ...base, stack: "dev.inventory", preview: false, config: loadStackConfig("dev.inventory").config, stackOutputs: neverDeployed }),
        /Stack "dev" has no output "settings", which "dev\.inventory" requires\. Deploy "dev" first/,
      );
    });
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
