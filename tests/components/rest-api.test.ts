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
    const badRequest = run.one("aws:apigateway/response:Response");
    assert.match(String((badRequest.inputs.responseTemplates as Record<string, string>)["application/json"]), /validationErrorString/);
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
