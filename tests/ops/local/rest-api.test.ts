import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Activity } from "../../../ops/local/activity";
import { LocalRestApi } from "../../../ops/local/apigateway/rest-api";
import { Clock } from "../../../ops/local/clock";
import type { FunctionSpec, RestApiSpec, RouteSpec } from "../../../ops/local/graph";
import { LambdaService } from "../../../ops/local/lambda/service";

const ACCOUNT = "123456789012";

function fn(dir: string, handler: string): FunctionSpec {
  const name = handler.split(".")[1];
  return {
    stack: "dev.test",
    component: name,
    urn: `urn:${name}`,
    name,
    arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`,
    handler,
    codeDir: dir,
    runtime: "nodejs22.x",
    environment: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    roleArn: "arn:aws:iam::123456789012:role/test",
    tracing: "Active",
    logFormat: "JSON",
    logGroup: `/aws/lambda/${name}`,
    asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 },
  };
}

function route(method: string, resourcePath: string, functionName: string, extra: Partial<RouteSpec> = {}): RouteSpec {
  return {
    httpMethod: method,
    resourcePath,
    resourceId: resourcePath.replace(/\W/g, "") || "root",
    authorization: "NONE",
    apiKeyRequired: false,
    validateBody: false,
    validateParameters: false,
    requestParameters: {},
    requestSchemas: {},
    integration: { type: "AWS_PROXY", functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${functionName}`, timeoutMs: 29000 },
    ...extra,
  };
}

describe("local cloud: API Gateway REST API with Lambda proxy integrations", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-api-"));
  writeFileSync(
    path.join(dir, "index.js"),
    `exports.echo = async (event) => ({ statusCode: 201, headers: { "content-type": "application/json", "x-echo": "yes" }, body: JSON.stringify(event) });
     exports.malformed = async () => ({ status: 200, body: { not: "a string" } });
     exports.boom = async () => { throw new Error("boom"); };`,
  );
  const lambda = new LambdaService([fn(dir, "index.echo"), fn(dir, "index.malformed"), fn(dir, "index.boom")], {
    clock: new Clock(1),
    activity: new Activity(),
    variablesOf: (s) => ({ _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }),
    logOf: () => () => undefined,
    destinations: async () => undefined,
  });
  const schema = { $schema: "http://json-schema.org/draft-04/schema#", type: "object", properties: { sku: { type: "string", pattern: "^[A-Z]+$" } }, required: ["sku"], additionalProperties: false };
  const spec: RestApiSpec = {
    stack: "dev.test",
    component: "orders",
    urn: "urn:orders",
    id: "abc123",
    name: "ordersApi",
    stageName: "live",
    executionArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123`,
    tracing: true,
    throttle: { rateLimit: 20, burstLimit: 10 },
    routes: [
      route("POST", "/orders", "echo", { validateBody: true, validateParameters: true, requestSchemas: { "application/json": schema } }),
      route("GET", "/orders/{id}", "echo", { validateParameters: true, requestParameters: { "method.request.path.id": true } }),
      route("GET", "/orders/special", "malformed"),
      route("GET", "/boom", "boom"),
    ],
    gatewayResponses: { BAD_REQUEST_BODY: { statusCode: "400", templates: { "application/json": '{"message":"invalid request","errors":"$context.error.validationErrorString"}' }, headers: {} } },
  };
  const logged: string[] = [];
  const api = new LocalRestApi(spec, lambda, new Activity(), ACCOUNT, (line) => logged.push(line));
  let base = "";
  before(async () => {
    base = await api.listen(0);
  });
  after(async () => {
    await api.close();
    await lambda.stop();
  });

  it("serves the stage at /<stage>, passing the proxy event and returning the function's status, headers and body", async () => {
    const response = await fetch(`${base}/orders/o-42?verbose=1`, { headers: { "x-correlation-id": "c-1" } });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("x-echo"), "yes");
    assert.match(response.headers.get("x-amzn-trace-id") ?? "", /^1-[0-9a-f]{8}-[0-9a-f]{24}$/, "a traced stage answers with its trace id");
    const event = (await response.json()) as Record<string, unknown>;
    assert.equal(event.resource, "/orders/{id}");
    assert.equal(event.path, "/orders/o-42");
    assert.equal(event.httpMethod, "GET");
    assert.deepEqual(event.pathParameters, { id: "o-42" });
    assert.deepEqual(event.queryStringParameters, { verbose: "1" });
    assert.equal((event.headers as Record<string, string>)["x-correlation-id"], "c-1");
    const context = event.requestContext as Record<string, unknown>;
    assert.equal(context.path, "/live/orders/o-42");
    assert.equal(context.stage, "live");
    assert.equal(context.accountId, ACCOUNT);
    assert.equal(context.resourcePath, "/orders/{id}");
    assert.match(String(context.requestId), /^[0-9a-f-]{36}$/);
  });

  it("prefers a literal resource over a path parameter", async () => {
    const response = await fetch(`${base}/orders/special`);
    assert.equal(response.status, 502, "the literal route's function answers malformed");
  });

  it("answers an unknown path or method 403 Missing Authentication Token, as a REST API does", async () => {
    for (const [method, p] of [["GET", "/nowhere"], ["DELETE", "/orders/1"], ["GET", "/orders"]] as const) {
      const response = await fetch(`${base}${p}`, { method });
      assert.equal(response.status, 403, `${method} ${p}`);
      assert.deepEqual(await response.json(), { message: "Missing Authentication Token" });
    }
  });

  it("validates the body against the method's model and answers with the API's BAD_REQUEST_BODY response", async () => {
    const response = await fetch(`${base}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sku: "lower", extra: 1 }) });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { message: string; errors: string };
    assert.equal(body.message, "invalid request");
    assert.match(body.errors, /pattern/);
    assert.match(body.errors, /additional properties/);
    const ok = await fetch(`${base}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sku: "ABC" }) });
    assert.equal(ok.status, 201);
    assert.match(logged.at(-1) ?? "", /"status":201/, "the access log records the request");
  });

  it("turns a function error or a malformed proxy answer into 502 Internal server error", async () => {
    const response = await fetch(`${base}/boom`);
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { message: "Internal server error" });
  });

  it("throttles the stage with its token bucket: beyond the burst, 429 Too Many Requests", async () => {
    // 30 requests at once against a burst of 10 (and 20 a second).
    const statuses = await Promise.all(Array.from({ length: 30 }, () => fetch(`${base}/orders/x`).then((r) => r.status)));
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(", ")}`);
  });
});
