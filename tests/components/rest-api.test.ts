import { strict as assert } from "node:assert";
import { RestApi } from "../../components/rest-api";
import { testFunction } from "../helpers/doubles";
import { mockRun } from "../helpers/pulumi";

const bodySchema = { type: "object", required: ["items"], properties: { items: { type: "array", minItems: 1 } } };

function ordersApi(throttle?: { rateLimit: number; burstLimit: number }) {
  return () => {
    const placeOrder = testFunction("placeOrder");
    const getOrder = testFunction("getOrder");
    new RestApi("orders", {
      routes: [
        { method: "POST", path: "/orders", function: placeOrder, bodySchema, requiredHeaders: ["Idempotency-Key"] },
        { method: "GET", path: "/orders/{id}", function: getOrder },
      ],
      throttle,
      alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms",
    });
  };
}

describe("components/RestApi", () => {
  it("traces the stage and writes JSON access logs to its own log group", async () => {
    const run = await mockRun(ordersApi());
    const stage = run.one("aws:apigateway/stage:Stage");
    assert.equal(stage.inputs.xrayTracingEnabled, true);
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup");
    const settings = stage.inputs.accessLogSettings as { destinationArn: string; format: string };
    assert.equal(settings.destinationArn, logs.outputs.arn);
    assert.equal(JSON.parse(settings.format).xrayTraceId, "$context.xrayTraceId");
    assert.equal(logs.inputs.retentionInDays, 30);
  });

  it("validates bodies against the schema, required headers and path parameters before the function runs", async () => {
    const run = await mockRun(ordersApi());
    const validator = run.one("aws:apigateway/requestValidator:RequestValidator");
    assert.equal(validator.inputs.validateRequestBody, true);
    assert.equal(validator.inputs.validateRequestParameters, true);
    const post = run.one("aws:apigateway/method:Method", "ordersPOSTOrders");
    const get = run.one("aws:apigateway/method:Method", "ordersGETOrdersId");
    assert.equal(post.inputs.requestValidatorId, validator.outputs.id ?? validator.id);
    assert.deepEqual(post.inputs.requestParameters, { "method.request.header.Idempotency-Key": true });
    assert.deepEqual(get.inputs.requestParameters, { "method.request.path.id": true });
    const model = run.one("aws:apigateway/model:Model");
    assert.deepEqual(JSON.parse(String(model.inputs.schema)).required, ["items"]);
    // Every content type is validated: API Gateway skips validation for a content type no model key names.
    assert.deepEqual(post.inputs.requestModels, { "application/json": model.outputs.name, $default: model.outputs.name });
    const badRequest = run.one("aws:apigateway/response:Response");
    assert.match(String((badRequest.inputs.responseTemplates as Record<string, string>)["application/json"]), /validationErrorString/);
  });

  it("takes TLS 1.3 only, the strongest security policy of a regional API, in strict endpoint access mode", async () => {
    const run = await mockRun(ordersApi());
    const api = run.one("aws:apigateway/restApi:RestApi").inputs;
    assert.deepEqual(api.endpointConfiguration, { types: "REGIONAL" });
    assert.equal(api.securityPolicy, "SecurityPolicy_TLS13_1_3_2025_09");
    assert.equal(api.endpointAccessMode, "STRICT");
  });

  it("with a firewall: a regional web ACL on the stage, per-IP rate limit first, then AWS's common and known-bad-inputs groups", async () => {
    const run = await mockRun(() => {
      new RestApi("orders", { routes: [{ method: "GET", path: "/orders/{id}", function: testFunction("getOrder") }], firewall: { ipRequestsPer5Minutes: 1500 } });
    });
    const acl = run.one("aws:wafv2/webAcl:WebAcl");
    assert.equal(acl.inputs.scope, "REGIONAL");
    assert.deepEqual(acl.inputs.defaultAction, { allow: {} });
    const rules = acl.inputs.rules as { name: string; priority: number; action?: unknown; overrideAction?: unknown; statement: Record<string, Record<string, unknown>> }[];
    assert.deepEqual(rules.map((r) => [r.priority, r.name]), [[0, "per-ip-rate-limit"], [1, "AWSManagedRulesCommonRuleSet"], [2, "AWSManagedRulesKnownBadInputsRuleSet"]]);
    assert.deepEqual(rules[0].statement.rateBasedStatement, { aggregateKeyType: "IP", limit: 1500, evaluationWindowSec: 300 });
    assert.deepEqual(rules[0].action, { block: {} });
    assert.deepEqual(rules[1].overrideAction, { none: {} }, "the managed groups block, not only count");
    assert.deepEqual(rules[2].statement.managedRuleGroupStatement, { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" });
    const association = run.one("aws:wafv2/webAclAssociation:WebAclAssociation");
    assert.equal(association.inputs.resourceArn, run.one("aws:apigateway/stage:Stage").outputs.arn);
    assert.equal(association.inputs.webAclArn, acl.outputs.arn);
    assert.equal((await mockRun(ordersApi())).ofType("aws:wafv2/webAcl:WebAcl").length, 0, "no firewall unless asked");
    await assert.rejects(
      mockRun(() => {
        new RestApi("orders", { routes: [{ method: "GET", path: "/orders/{id}", function: testFunction("getOrder") }], firewall: { ipRequestsPer5Minutes: 5 } });
      }),
      /`firewall.ipRequestsPer5Minutes` must be an integer from 10 to 2000000000 requests, but 5 was provided/,
    );
  });

  it("throttles the stage with the given limits", async () => {
    const run = await mockRun(ordersApi({ rateLimit: 500, burstLimit: 1000 }));
    const settings = run.one("aws:apigateway/methodSettings:MethodSettings");
    assert.equal(settings.inputs.methodPath, "*/*");
    assert.deepEqual(settings.inputs.settings, { throttlingRateLimit: 500, throttlingBurstLimit: 1000, metricsEnabled: true });
  });

  it("lets each function be invoked only by its own method and path", async () => {
    const run = await mockRun(ordersApi());
    const api = run.one("aws:apigateway/restApi:RestApi");
    const permissions = run.ofType("aws:lambda/permission:Permission").map((p) => p.inputs.sourceArn).sort();
    assert.deepEqual(permissions, [`${api.outputs.executionArn}/*/GET/orders/*`, `${api.outputs.executionArn}/*/POST/orders`]);
    const integration = run.one("aws:apigateway/integration:Integration", "ordersPOSTOrdersIntegration");
    assert.equal(integration.inputs.type, "AWS_PROXY");
    assert.match(String(integration.inputs.uri), /^arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/arn:aws:lambda:.*:function:placeOrder-[0-9a-f]{7}\/invocations$/);
  });

  it("redeploys when a route changes, and only then", async () => {
    const trigger = async (schema: object) =>
      (
        await mockRun(() => {
          new RestApi("orders", { routes: [{ method: "POST", path: "/orders", function: testFunction("placeOrder"), bodySchema: schema }] });
        })
      ).one("aws:apigateway/deployment:Deployment").inputs.triggers;
    assert.deepEqual(await trigger(bodySchema), await trigger(bodySchema));
    assert.notDeepEqual(await trigger(bodySchema), await trigger({ ...bodySchema, required: [] }));
  });

  it("deploys only after its gateway responses exist, so the first stage serves them", async () => {
    const run = await mockRun(ordersApi());
    const deployment = run.one("aws:apigateway/deployment:Deployment");
    const badRequest = run.one("aws:apigateway/response:Response");
    assert.ok(deployment.dependencies.includes(badRequest.urn), "the deployment depends on the BAD_REQUEST_BODY response");
    for (const method of run.ofType("aws:apigateway/method:Method")) assert.ok(deployment.dependencies.includes(method.urn), method.name);
  });

  it("redeploys when a gateway response changes", async () => {
    const trigger = async (template: string) =>
      (
        await mockRun(() => {
          new RestApi("orders", {
            routes: [{ method: "POST", path: "/orders", function: testFunction("placeOrder"), bodySchema }],
            transform: { badRequestBody: { responseTemplates: { "application/json": template } } },
          });
        })
      ).one("aws:apigateway/deployment:Deployment").inputs.triggers;
    assert.deepEqual(await trigger('{"message":"bad"}'), await trigger('{"message":"bad"}'));
    assert.notDeepEqual(await trigger('{"message":"bad"}'), await trigger('{"message":"invalid","errors":"$context.error.validationErrorString"}'));
  });

  it("alarms on 5XX errors to the alarm topic", async () => {
    const run = await mockRun(ordersApi());
    const alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarm.inputs.metricName, "5XXError");
    assert.deepEqual(alarm.inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:alarms"]);
  });

  it("authorizes every method with the Cognito user pools authorizer and its per-method scopes, and redeploys when they change", async () => {
    const secured = (scopes: string[]) => () => {
      new RestApi("orders", {
        routes: [
          { method: "POST", path: "/orders", function: testFunction("placeOrder"), authorizationScopes: scopes },
          { method: "GET", path: "/orders/{id}", function: testFunction("getOrder") },
        ],
        authorizer: { userPoolArns: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC"] },
      });
    };
    const run = await mockRun(secured(["orders/write"]));
    const authorizer = run.one("aws:apigateway/authorizer:Authorizer");
    assert.equal(authorizer.inputs.type, "COGNITO_USER_POOLS");
    assert.deepEqual(authorizer.inputs.providerArns, ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC"]);
    assert.equal(authorizer.inputs.identitySource, "method.request.header.Authorization");
    const post = run.one("aws:apigateway/method:Method", "ordersPOSTOrders").inputs;
    const get = run.one("aws:apigateway/method:Method", "ordersGETOrdersId").inputs;
    for (const method of [post, get]) {
      assert.equal(method.authorization, "COGNITO_USER_POOLS");
      assert.equal(method.authorizerId, authorizer.id);
      assert.equal(method.apiKeyRequired, false);
    }
    assert.deepEqual(post.authorizationScopes, ["orders/write"]);
    assert.equal(get.authorizationScopes, undefined, "a method without scopes takes ID tokens");
    const deployment = run.one("aws:apigateway/deployment:Deployment");
    assert.ok(deployment.dependencies.includes(authorizer.urn));
    const other = (await mockRun(secured(["orders/read"]))).one("aws:apigateway/deployment:Deployment");
    assert.notDeepEqual(other.inputs.triggers, deployment.inputs.triggers);
  });

  it("gives each client an API key and a usage plan with its own throttling and daily quota, and requires the key", async () => {
    let api: RestApi | undefined;
    const run = await mockRun(() => {
      api = new RestApi("orders", {
        routes: [{ method: "GET", path: "/orders/{id}", function: testFunction("getOrder") }],
        clients: { storefront: { rateLimit: 20, burstLimit: 40, dailyQuota: 50000 }, backOffice: { rateLimit: 5, burstLimit: 10, dailyQuota: 1000 } },
      });
    });
    const stage = run.one("aws:apigateway/stage:Stage");
    const plan = run.one("aws:apigateway/usagePlan:UsagePlan", "ordersStorefrontUsagePlan").inputs;
    assert.deepEqual(plan.apiStages, [{ apiId: run.one("aws:apigateway/restApi:RestApi").id, stage: stage.inputs.stageName }]);
    assert.deepEqual(plan.throttleSettings, { rateLimit: 20, burstLimit: 40 });
    assert.deepEqual(plan.quotaSettings, { limit: 50000, period: "DAY" });
    const key = run.one("aws:apigateway/apiKey:ApiKey", "ordersBackOfficeApiKey");
    const binding = run.one("aws:apigateway/usagePlanKey:UsagePlanKey", "ordersBackOfficeUsagePlanKey").inputs;
    assert.deepEqual([binding.keyId, binding.keyType, binding.usagePlanId], [key.id, "API_KEY", run.one("aws:apigateway/usagePlan:UsagePlan", "ordersBackOfficeUsagePlan").id]);
    assert.equal(run.one("aws:apigateway/method:Method").inputs.apiKeyRequired, true);
    assert.deepEqual(Object.keys(api!.apiKeyIds).sort(), ["backOffice", "storefront"]);
  });

  it("rejects scopes without an authorizer and client limits API Gateway refuses, naming them", async () => {
    await assert.rejects(
      mockRun(() => new RestApi("a", { routes: [{ method: "GET", path: "/o", function: testFunction("fn"), authorizationScopes: ["x/y"] }] })),
      /route "GET \/o" has `authorizationScopes` but the API has no `authorizer`/,
    );
    await assert.rejects(
      mockRun(() => new RestApi("a", { routes: [{ method: "GET", path: "/o", function: testFunction("fn") }], clients: { web: { rateLimit: 1, burstLimit: 1, dailyQuota: 0 } } })),
      /client "web": `dailyQuota` must be an integer from 1/,
    );
  });

  it("rejects a malformed path, a duplicate route and a bad throttle, naming them", async () => {
    const fn = () => testFunction("fn");
    await assert.rejects(mockRun(() => new RestApi("a", { routes: [{ method: "GET", path: "orders", function: fn() }] })), /route path "orders"/);
    await assert.rejects(
      mockRun(() => {
        const f = fn();
        new RestApi("a", { routes: [{ method: "GET", path: "/o", function: f }, { method: "GET", path: "/o", function: f }] });
      }),
      /"GET \/o" is defined twice/,
    );
    await assert.rejects(
      mockRun(() => new RestApi("a", { routes: [{ method: "GET", path: "/o", function: fn() }], throttle: { rateLimit: 1, burstLimit: 0 } })),
      /`throttle.burstLimit` must be an integer from 1 to 5000, but 0 was provided/,
    );
  });
});
