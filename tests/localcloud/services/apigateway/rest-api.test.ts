import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Activity } from "../../../../localcloud/kernel/activity";
import { LocalRestApi } from "../../../../localcloud/services/apigateway/rest-api";
import { StageApiKeys, type UsagePlanLimits } from "../../../../localcloud/services/apigateway/usage-plans";
import { LocalCognitoAuthorizer } from "../../../../localcloud/services/cognito/authorizer";
import { Clock } from "../../../../localcloud/kernel/clock";
import type { RestApiSpec, RouteSpec } from "../../../../localcloud/services/apigateway/spec";
import type { FunctionSpec } from "../../../../localcloud/services/lambda/spec";
import { functionSpec } from "../../../helpers/local-specs";
import { LambdaService } from "../../../../localcloud/services/lambda/service";
import { TEST_POOL, testIdentity } from "../../../helpers/identity";

const ACCOUNT = "123456789012";

function fn(dir: string, handler: string): FunctionSpec {
  return functionSpec(handler.split(".")[1], dir, handler);
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
    throttle: { rateLimit: 20, burstLimit: 30 },
    routes: [
      route("POST", "/orders", "echo", { validateBody: true, validateParameters: true, requestSchemas: { "application/json": schema } }),
      route("POST", "/carts", "echo", { validateBody: true, requestSchemas: { "application/json": schema, $default: schema } }),
      route("GET", "/orders/{id}", "echo", { validateParameters: true, requestParameters: { "method.request.path.id": true } }),
      route("GET", "/search", "echo", { validateParameters: true, requestParameters: { "method.request.querystring.q": true, "method.request.header.x-tenant": true, "method.request.querystring.page": false } }),
      route("GET", "/orders/special", "malformed"),
      route("GET", "/boom", "boom"),
      route("GET", "/keyed", "echo", { apiKeyRequired: true }),
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

  it("refuses a required parameter that is missing or present but blank (400), and passes one that is set", async () => {
    // "Required request parameters ... are included and not blank",
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
    const search = (query: string, tenant?: string) => fetch(`${base}/search${query}`, tenant === undefined ? {} : { headers: { "x-tenant": tenant } });
    for (const [query, tenant, missing] of [
      ["", "t-1", "q"],
      ["?q=", "t-1", "q"],
      ["?q=%20%20", "t-1", "q"],
      ["?q=shoes", "", "x-tenant"],
      ["?q=shoes", undefined, "x-tenant"],
    ] as const) {
      const response = await search(query, tenant);
      assert.equal(response.status, 400, `${query} with x-tenant ${JSON.stringify(tenant)}`);
      assert.deepEqual(await response.json(), { message: `Missing required request parameters: [${missing}]` });
    }
    assert.equal((await search("?q=shoes&page=", "t-1")).status, 201, "an optional parameter may be blank");
  });

  it("refuses every key (403 Forbidden) on an apiKeyRequired method of a stage that has no usage plans", async () => {
    // A key counts only through a usage plan bound to the stage: with none, no key can be valid there.
    for (const headers of [{}, { "x-api-key": "storefront0123456789abcdefghij" }] as Record<string, string>[]) {
      const response = await fetch(`${base}/keyed`, { headers });
      assert.equal(response.status, 403);
      assert.deepEqual(await response.json(), { message: "Forbidden" });
    }
  });

  // "If no matching content type is found, request validation is not performed. To use the same model regardless of the
  // content type, set the content type for your data model to $default."
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
  it("validates other content types only against a $default model, as API Gateway does", async () => {
    const invalid = JSON.stringify({ sku: "lower" });
    const post = (path: string, contentType: string) => fetch(`${base}${path}`, { method: "POST", headers: { "content-type": contentType }, body: invalid });
    assert.equal((await post("/orders", "text/plain")).status, 201, "no model for text/plain: not validated, passed on");
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=utf-8"]) {
      const refused = await post("/carts", contentType);
      assert.equal(refused.status, 400, contentType);
      assert.match(((await refused.json()) as { errors: string }).errors, /pattern/, contentType);
    }
    const ok = await fetch(`${base}/carts`, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify({ sku: "ABC" }) });
    assert.equal(ok.status, 201);
  });

  it("turns a function error or a malformed proxy answer into 502 Internal server error", async () => {
    const response = await fetch(`${base}/boom`);
    assert.equal(response.status, 502);
    assert.deepEqual(await response.json(), { message: "Internal server error" });
  });

  it("throttles the stage with its token bucket: beyond the burst, 429 Too Many Requests", async () => {
    // 90 requests at once against a burst of 30 (and 20 a second). The burst leaves room for the tests before this one,
    // which send some 30 requests within a second or two.
    const statuses = await Promise.all(Array.from({ length: 90 }, () => fetch(`${base}/orders/x`).then((r) => r.status)));
    assert.ok(statuses.includes(429), `expected a 429 among ${statuses.join(", ")}`);
  });
});

describe("local cloud: API Gateway REST API authorization (Cognito authorizer, API keys, usage plans)", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(path.join(tmpdir(), "orderflow-api-auth-"));
  writeFileSync(path.join(dir, "index.js"), `exports.echo = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });`);
  const lambda = new LambdaService([fn(dir, "index.echo")], {
    clock: new Clock(1),
    activity: new Activity(),
    variablesOf: (s) => ({ _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }),
    logOf: () => () => undefined,
    destinations: async () => undefined,
  });
  const cognito = (scopes: string[], apiKeyRequired = true): Partial<RouteSpec> => ({ authorization: "COGNITO_USER_POOLS", authorizerId: "auth1", authorizationScopes: scopes, apiKeyRequired });
  const spec: RestApiSpec = {
    stack: "dev.test",
    component: "orders",
    urn: "urn:orders",
    id: "api123",
    name: "ordersApi",
    stageName: "live",
    executionArn: `arn:aws:execute-api:us-east-1:${ACCOUNT}:api123`,
    tracing: false,
    routes: [
      route("POST", "/orders", "echo", cognito(["aws.cognito.signin.user.admin", "orders/write"])),
      route("GET", "/orders/{id}", "echo", cognito(["aws.cognito.signin.user.admin", "orders/read"])),
      route("GET", "/open", "echo", cognito(["aws.cognito.signin.user.admin"], false)),
      route("GET", "/misconfigured", "echo", { authorization: "COGNITO_USER_POOLS", authorizerId: "nobody" }),
    ],
    gatewayResponses: {},
  };
  const { issuer } = testIdentity();
  // The API's gateway responses, as the graph gives them: its UNAUTHORIZED response replaces the default.
  const authorizer = new LocalCognitoAuthorizer({ userPoolId: TEST_POOL.userPoolId, clientIds: TEST_POOL.clients.map((c) => c.clientId), jwks: issuer.jwks }, {}, [
    { responseType: "UNAUTHORIZED", responseTemplates: { "application/json": '{"message":$context.error.messageString,"type":"$context.error.responseType"}' }, responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer'" } },
  ]);
  const plan = (id: string, limits: Partial<UsagePlanLimits> = {}): UsagePlanLimits => ({ id, name: id, ...limits });
  const keys = new StageApiKeys([
    { id: "k-storefront", name: "storefrontKey", value: "storefront0123456789abcdefghij", enabled: true, plan: plan("storefrontPlan") },
    { id: "k-tight", name: "tightKey", value: "tight0123456789abcdefghijklmnop", enabled: true, plan: plan("tightPlan", { throttle: { rateLimit: 0.001, burstLimit: 2 } }) },
    { id: "k-quota", name: "quotaKey", value: "quota0123456789abcdefghijklmnop", enabled: true, plan: plan("quotaPlan", { quota: { limit: 2, period: "DAY" } }) },
    { id: "k-off", name: "offKey", value: "off0123456789abcdefghijklmnopqr", enabled: false, plan: plan("storefrontPlan") },
  ]);
  const activity = new Activity();
  const api = new LocalRestApi(spec, lambda, activity, ACCOUNT, () => undefined, { access: { authorizers: new Map([["auth1", [authorizer]]]), apiKeys: keys } });
  let base = "";
  before(async () => {
    base = await api.listen(0);
  });
  after(async () => {
    await api.close();
    await lambda.stop();
  });

  const call = (method: string, p: string, headers: Record<string, string>) =>
    fetch(`${base}${p}`, { method, headers: { "content-type": "application/json", ...headers }, ...(method === "POST" ? { body: "{}" } : {}) });
  const as = (token: string, apiKey = "storefront0123456789abcdefghij") => ({ authorization: `Bearer ${token}`, "x-api-key": apiKey });

  it("passes the verified claims to the function as requestContext.authorizer.claims (strings), with the API key's id", async () => {
    const response = await call("POST", "/orders", as(issuer.customerAccessToken({ sub: "cust-7" })));
    assert.equal(response.status, 200);
    const event = (await response.json()) as { requestContext: { authorizer: { claims: Record<string, unknown> }; identity: Record<string, unknown> } };
    const claims = event.requestContext.authorizer.claims;
    assert.equal(claims.sub, "cust-7");
    assert.equal(claims.token_use, "access");
    assert.equal(claims.client_id, "storefront0000000000000000");
    assert.ok(Object.values(claims).every((v) => typeof v === "string"), "every claim is a string");
    assert.equal(event.requestContext.identity.apiKeyId, "k-storefront");
  });

  it("answers 401 from the API's UNAUTHORIZED gateway response without a token, or with a tampered or expired one", async () => {
    const noToken = await call("POST", "/orders", { "x-api-key": "storefront0123456789abcdefghij" });
    assert.equal(noToken.status, 401);
    assert.deepEqual(await noToken.json(), { message: "Unauthorized", type: "UNAUTHORIZED" });
    assert.equal(noToken.headers.get("www-authenticate"), "Bearer");
    assert.equal(noToken.headers.get("x-amzn-errortype"), "UnauthorizedException");

    const [header, payload, signature] = issuer.customerAccessToken({ sub: "cust-7" }).split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sub: "cust-8" })).toString("base64url");
    assert.equal((await call("POST", "/orders", as(`${header}.${forged}.${signature}`))).status, 401);

    const expired = issuer.customerAccessToken({ sub: "cust-7", issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 900 });
    const late = await call("POST", "/orders", as(expired));
    assert.equal(late.status, 401);
    assert.deepEqual(await late.json(), { message: "The incoming token has expired", type: "UNAUTHORIZED" });
    assert.ok(activity.records.some((r) => r.kind === "unauthorized" && /POST \/orders: 401/.test(r.detail)), "the refusal's reason is in the activity log");
  });

  it("checks scopes per method: orders/read passes GET, is refused on POST (401); an ID token is refused where scopes are set", async () => {
    const reader = issuer.machineAccessToken({ clientId: "reader00000000000000000000" });
    assert.equal((await call("GET", "/orders/o-1", as(reader))).status, 200);
    assert.equal((await call("POST", "/orders", as(reader))).status, 401);
    assert.equal((await call("POST", "/orders", as(issuer.customerIdToken({ sub: "cust-7" })))).status, 401);
  });

  it("answers 403 Forbidden without an API key, with an unknown one or a disabled one; a method without apiKeyRequired needs none", async () => {
    const token = issuer.customerAccessToken({ sub: "cust-7" });
    for (const headers of [{ authorization: `Bearer ${token}` }, as(token, "unknown0123456789abcdefghijkl"), as(token, "off0123456789abcdefghijklmnopqr")]) {
      const response = await call("POST", "/orders", headers);
      assert.equal(response.status, 403);
      assert.deepEqual(await response.json(), { message: "Forbidden" });
    }
    assert.equal((await call("GET", "/open", { authorization: `Bearer ${token}` })).status, 200);
  });

  it("throttles each API key to its usage plan (429 Too Many Requests) and stops it at its quota (429 Limit Exceeded)", async () => {
    const token = issuer.customerAccessToken({ sub: "cust-7" });
    const tight = [];
    for (let i = 0; i < 4; i++) tight.push((await call("GET", "/orders/o-1", as(token, "tight0123456789abcdefghijklmnop"))).status);
    assert.deepEqual(tight, [200, 200, 429, 429], "a burst of 2 at 0.001 requests a second");
    const throttled = await call("GET", "/orders/o-1", as(token, "tight0123456789abcdefghijklmnop"));
    assert.deepEqual(await throttled.json(), { message: "Too Many Requests" });
    assert.equal((await call("GET", "/orders/o-1", as(token))).status, 200, "another key has its own bucket");

    const quota = [];
    for (let i = 0; i < 3; i++) quota.push(await call("GET", "/orders/o-1", as(token, "quota0123456789abcdefghijklmnop")));
    assert.deepEqual(quota.map((r) => r.status), [200, 200, 429]);
    assert.deepEqual(await quota[2].json(), { message: "Limit Exceeded" });
  });

  it("answers 500 when a method names an authorizer the API does not have, and never calls the function", async () => {
    const echo = lambda.function(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`);
    const before = echo.invocations;
    const response = await call("GET", "/misconfigured", as(issuer.customerAccessToken({ sub: "cust-7" })));
    assert.equal(response.status, 500);
    assert.equal(echo.invocations, before);
    assert.ok(activity.records.some((r) => r.error && /authorizer nobody/.test(r.detail)));
  });
});
