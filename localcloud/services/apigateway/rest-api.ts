import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import AjvDraft04 from "ajv-draft-04";
import type { ValidateFunction } from "ajv";
import type { Activity } from "../../kernel/activity";
import { AwsError } from "../../kernel/aws-error";
import type { AuthorizerResult, LocalCognitoAuthorizer } from "../cognito/authorizer";
import type { RestApiSpec, RouteSpec } from "./spec";
import type { LocalXRay } from "../xray/local-xray";
import type { LambdaService } from "../lambda/service";
import { TokenBucket } from "./token-bucket";
import type { StageApiKeys } from "./usage-plans";
import { buffer } from "node:stream/consumers";
import { closeServer } from "../../kernel/http-server";

/** A response API Gateway itself produces (not the integration's). */
export interface GatewayAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

/** Everything needed to render a gateway response or an access log line: API Gateway's `$context` variables. */
type ContextVariables = Record<string, unknown>;

/** Who may call the API's methods: its Cognito authorizers (by authorizer id, one per trusted pool) and its stage's API keys. */
export interface RestApiAccess {
  readonly authorizers: ReadonlyMap<string, readonly LocalCognitoAuthorizer[]>;
  readonly apiKeys?: StageApiKeys;
}

/** The local cloud's own endpoints under `/_local/` on the API's port (never a stage path): local tools call them. */
export type LocalControl = (req: http.IncomingMessage, url: URL) => Promise<GatewayAnswer>;

/** What a request carries past the authorizer and the API key check, into the proxy event. */
interface Admitted {
  readonly claims?: Record<string, string>;
  readonly apiKey?: { readonly id: string; readonly value: string };
}

/** Payloads above 10 MB are refused (API Gateway quotas, "Payload size"). */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * One REST API stage served over HTTP on localhost: `http://127.0.0.1:<port>/<stage>/<path>`. Requests are matched to
 * the API's resources and methods, throttled by the stage's token bucket (429), authorized by the method's Cognito
 * authorizer (401) and API key (403, and the key's usage plan: 429), checked by the method's request validator (required parameters; the body against the request model's draft-4 JSON schema), and passed to the Lambda
 * proxy integration in its event shape; the function's answer is turned back into HTTP as API Gateway does, with a
 * malformed answer or a function error becoming 502. Errors API Gateway answers itself use the API's gateway responses.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 */
export class LocalRestApi {
  private server?: http.Server;
  private readonly bucket?: TokenBucket;
  private readonly validators = new Map<unknown, ValidateFunction>();
  private readonly ajv = new AjvDraft04({ allErrors: true, strict: false });
  /** Requests answered, by status, for reports. */
  readonly statuses = new Map<number, number>();
  url = "";

  constructor(
    readonly spec: RestApiSpec,
    private readonly lambda: LambdaService,
    private readonly activity: Activity,
    private readonly account: string,
    /** Writes one access log line (the stage's access log format, rendered). */
    private readonly accessLog: (line: string) => void,
    private readonly options: { readonly access?: RestApiAccess; readonly control?: LocalControl; readonly xray?: LocalXRay } = {},
  ) {
    if (spec.throttle) this.bucket = new TokenBucket(spec.throttle.rateLimit, spec.throttle.burstLimit);
  }

  /** Listens on the port (a port in use rejects with EADDRINUSE); resolves to the stage's base URL. */
  async listen(port: number, host = "127.0.0.1"): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.url = `http://${host}:${(server.address() as AddressInfo).port}/${this.spec.stageName}`;
    return this.url;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://local");
    const method = req.method ?? "GET";
    // With tracing on the stage, API Gateway continues the caller's X-Amzn-Trace-Id or starts a trace, and records
    // its own segment; the integration's invocation carries it on (Parent: this segment).
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-xray.html
    const incoming = typeof req.headers["x-amzn-trace-id"] === "string" ? req.headers["x-amzn-trace-id"] : undefined;
    const trace = this.spec.tracing && !url.pathname.startsWith("/_local/")
      ? this.options.xray?.begin(`${this.spec.name}/${this.spec.stageName}`, "AWS::ApiGateway::Stage", incoming, { startTrace: true, fields: { http: { request: { method, url: url.pathname } }, aws: { api_id: this.spec.id } } })
      : undefined;
    const context: ContextVariables = {
      requestId,
      extendedRequestId: randomBytes(8).toString("base64url"),
      httpMethod: method,
      path: url.pathname,
      stage: this.spec.stageName,
      requestTime: clf(new Date(started)),
      requestTimeEpoch: started,
      identity: { sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: req.headers["user-agent"] ?? "" },
      xrayTraceId: trace?.traceId ?? (this.spec.tracing ? traceRoot() : ""),
      error: { message: "", messageString: '""', validationErrorString: "" },
      resourcePath: "",
      status: 0,
      responseLength: 0,
      integrationLatency: "-",
    };
    const control = url.pathname.startsWith("/_local/") ? this.options.control : undefined;
    const answer = await (control ? control(req, url) : this.route(req, url, method, context, trace?.header())).catch((error: unknown): GatewayAnswer => {
      this.activity.record({ service: "apigateway", kind: "error", name: this.spec.component, detail: `${method} ${url.pathname}: ${(error as Error).message}`, error: true });
      return this.gatewayResponse("DEFAULT_5XX", 500, "Internal server error", context);
    });
    context.status = answer.status;
    context.responseLength = Buffer.byteLength(answer.body);
    // The local cloud's own endpoints are not the API's: not counted, not in its access log.
    if (!control) this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    res.writeHead(answer.status, {
      "x-amzn-RequestId": requestId,
      "x-amz-apigw-id": String(context.extendedRequestId),
      ...(this.spec.tracing ? { "X-Amzn-Trace-Id": String(context.xrayTraceId) } : {}),
      ...answer.headers,
      "content-length": Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
    trace?.end({
      ...(answer.status === 429 ? { throttle: true } : answer.status >= 500 ? { fault: `HTTP ${answer.status}` } : answer.status >= 400 ? { error: `HTTP ${answer.status}` } : {}),
      fields: { http: { request: { method, url: url.pathname }, response: { status: answer.status } } },
    });
    if (!control) this.accessLog(JSON.stringify({ ...flatten(context), durationMs: Date.now() - started }));
  }

  private async route(req: http.IncomingMessage, url: URL, method: string, context: ContextVariables, traceHeader?: string): Promise<GatewayAnswer> {
    const stagePrefix = `/${this.spec.stageName}`;
    const resourcePathOfRequest = url.pathname === stagePrefix ? "/" : url.pathname.startsWith(`${stagePrefix}/`) ? url.pathname.slice(stagePrefix.length) : undefined;
    const match = resourcePathOfRequest === undefined ? undefined : this.match(method, resourcePathOfRequest);
    // An unknown path or method is "Missing Authentication Token" with 403 in a REST API (MISSING_AUTHENTICATION_TOKEN).
    if (!match) return this.gatewayResponse("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token", context);
    const { route, pathParameters } = match;
    context.resourcePath = route.resourcePath;
    context.resourceId = route.resourceId;

    if (this.bucket && !this.bucket.take()) return this.gatewayResponse("THROTTLED", 429, "Too Many Requests", context);
    const admitted = this.admit(req, route, context);
    if ("status" in admitted) return admitted;

    const body = await buffer(req);
    if (body.length > MAX_PAYLOAD_BYTES) return this.gatewayResponse("REQUEST_TOO_LARGE", 413, "Request Too Long", context);
    const query = url.searchParams;
    const headers = req.headers;

    if (route.validateParameters) {
      const missing = Object.entries(route.requestParameters)
        .filter(([, required]) => required)
        .map(([name]) => name.split("."))
        .filter(([, , where, key]) => (where === "path" ? !pathParameters[key] : where === "querystring" ? !query.has(key) : where === "header" ? headers[key.toLowerCase()] === undefined : false))
        .map(([, , , key]) => key);
      if (missing.length > 0) return this.gatewayResponse("BAD_REQUEST_PARAMETERS", 400, `Missing required request parameters: [${missing.join(", ")}]`, context);
    }
    if (route.validateBody) {
      const contentType = String(headers["content-type"] ?? "application/json").split(";")[0].trim().toLowerCase();
      const schema = route.requestSchemas[contentType] ?? route.requestSchemas["$default"];
      if (schema !== undefined) {
        const problems = this.validateBody(schema, body);
        if (problems) {
          (context.error as Record<string, unknown>).validationErrorString = problems;
          return this.gatewayResponse("BAD_REQUEST_BODY", 400, "Invalid request body", context);
        }
      }
    }

    if (route.integration.type !== "AWS_PROXY" || !route.integration.functionArn) {
      return this.gatewayResponse("DEFAULT_5XX", 500, `The local cloud serves Lambda proxy integrations only (${route.integration.type})`, context);
    }
    const event = this.proxyEvent(req, url, route, pathParameters, body, context, admitted);
    const integrationStarted = Date.now();
    let result;
    try {
      // API Gateway invokes as apigateway.amazonaws.com for the method's ARN; the function's policy must allow that.
      const caller = { principal: "apigateway.amazonaws.com", sourceArn: `${this.spec.executionArn}/${this.spec.stageName}/${method}${route.resourcePath}` };
      result = await withTimeout(this.lambda.invoke(route.integration.functionArn, event, { source: `API ${method} ${route.resourcePath}`, traceId: traceHeader ?? (context.xrayTraceId ? `Root=${context.xrayTraceId};Sampled=1` : undefined), caller }), route.integration.timeoutMs);
    } catch (error) {
      if (error instanceof IntegrationTimeout) return this.gatewayResponse("INTEGRATION_TIMEOUT", 504, "Endpoint request timed out", context);
      if (error instanceof AwsError) return this.gatewayResponse("DEFAULT_5XX", 500, "Internal server error", context);
      throw error;
    } finally {
      context.integrationLatency = Date.now() - integrationStarted;
    }
    if (result.functionError) return this.gatewayResponse("DEFAULT_5XX", 502, "Internal server error", context);
    const response = proxyResponse(result.payload);
    if (!response) {
      this.activity.record({ service: "apigateway", kind: "malformed", name: this.spec.component, detail: `${method} ${route.resourcePath}: Malformed Lambda proxy response`, error: true });
      return this.gatewayResponse("DEFAULT_5XX", 502, "Internal server error", context);
    }
    return response;
  }

  /**
   * The method's authorizer, then its API key: a COGNITO_USER_POOLS method verifies the token of the header its
   * authorizer names (401 from the UNAUTHORIZED gateway response otherwise), a method with `apiKeyRequired` takes a key
   * of the stage's usage plans (403 INVALID_API_KEY) within its plan's throttle and quota (429). The key is checked
   * after the authorizer, as an authorizer may be the key's source.
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html
   * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
   */
  private admit(req: http.IncomingMessage, route: RouteSpec, context: ContextVariables): Admitted | GatewayAnswer {
    const access = this.options.access;
    const where = `${route.httpMethod} ${route.resourcePath}`;
    let claims: Record<string, string> | undefined;
    if (route.authorization === "COGNITO_USER_POOLS") {
      const authorizers = route.authorizerId ? access?.authorizers.get(route.authorizerId) : undefined;
      if (!authorizers || authorizers.length === 0) {
        this.activity.record({ service: "apigateway", kind: "error", name: this.spec.component, detail: `${where}: authorizer ${route.authorizerId ?? "(none)"} is not among the API's Cognito authorizers`, error: true });
        return this.gatewayResponse("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error", context);
      }
      const request = { headers: headersOf(req), requestId: String(context.requestId) };
      const results = authorizers.map((a) => a.authorize(request, { authorizationScopes: route.authorizationScopes ?? [] }));
      const accepted = results.find((r) => r.authorized);
      if (!accepted?.authorized) {
        // Every trusted pool refused: the first pool's refusal is the answer.
        const refusal = results[0] as Extract<AuthorizerResult, { authorized: false }>;
        this.activity.record({ service: "apigateway", kind: "unauthorized", name: this.spec.component, detail: `${where}: 401 (${refusal.reason})` });
        const error = context.error as Record<string, unknown>;
        error.responseType = "UNAUTHORIZED";
        error.message = JSON.parse(refusal.response.body)?.message ?? "Unauthorized";
        return { status: refusal.response.statusCode, body: refusal.response.body, headers: { "x-amzn-ErrorType": "UnauthorizedException", ...refusal.response.headers } };
      }
      claims = accepted.claims;
    } else if (route.authorization !== "NONE") {
      this.activity.record({ service: "apigateway", kind: "error", name: this.spec.component, detail: `${where}: the local cloud serves COGNITO_USER_POOLS and NONE authorization only, not ${route.authorization}`, error: true });
      return this.gatewayResponse("AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error", context);
    }
    if (!route.apiKeyRequired) return { ...(claims ? { claims } : {}) };
    const value = req.headers["x-api-key"];
    const admission = access?.apiKeys?.admit(typeof value === "string" ? value : undefined) ?? { admitted: false as const, type: "INVALID_API_KEY" as const, status: 403 as const, message: "Forbidden", reason: "the stage has no usage plan with API keys" };
    if (!admission.admitted) {
      this.activity.record({ service: "apigateway", kind: admission.status === 429 ? "throttled" : "forbidden", name: this.spec.component, detail: `${where}: ${admission.status} (${admission.reason})` });
      return this.gatewayResponse(admission.type, admission.status, admission.message, context);
    }
    return { ...(claims ? { claims } : {}), apiKey: { id: admission.key.id, value: admission.key.value } };
  }

  /** The method for a request path: literal segments beat `{param}` ones, as API Gateway prefers the most specific resource. */
  private match(method: string, path: string): { route: RouteSpec; pathParameters: Record<string, string> } | undefined {
    const parts = path.split("/").filter(Boolean);
    let best: { route: RouteSpec; pathParameters: Record<string, string>; literal: number } | undefined;
    for (const route of this.spec.routes) {
      if (route.httpMethod !== method && route.httpMethod !== "ANY") continue;
      const matched = matchPath(route.resourcePath.split("/").filter(Boolean), parts);
      if (matched && (!best || matched.literal > best.literal)) best = { route, ...matched };
    }
    return best;
  }

  private validateBody(schema: unknown, body: Buffer): string | undefined {
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? undefined : JSON.parse(body.toString("utf8"));
    } catch (error) {
      return `[Invalid JSON: ${(error as Error).message}]`;
    }
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema as object);
      this.validators.set(schema, validate);
    }
    if (validate(parsed)) return undefined;
    // API Gateway lists each problem in brackets, with double quotes escaped so the string can sit inside a JSON
    // template; its wording is its validator's, ours is ajv's (see the README).
    return `[${(validate.errors ?? []).map((e) => `${e.instancePath || "body"} ${e.message}`).join(", ")}]`.replace(/\\/g, "\\\\").replace(/"/g, '\\"');
  }

  /** The Lambda proxy integration's input event (REST API, payload format 1.0). */
  private proxyEvent(req: http.IncomingMessage, url: URL, route: RouteSpec, pathParameters: Record<string, string>, body: Buffer, context: ContextVariables, admitted: Admitted) {
    const headers: Record<string, string> = {};
    const multiValueHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const [name, value] = [req.rawHeaders[i], req.rawHeaders[i + 1]];
      headers[name] = value;
      (multiValueHeaders[name] ??= []).push(value);
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      (multiQuery[k] ??= []).push(v);
    }
    const binary = body.length > 0 && !isText(String(req.headers["content-type"] ?? ""));
    return {
      resource: route.resourcePath,
      path: context.path === `/${this.spec.stageName}` ? "/" : String(context.path).slice(this.spec.stageName.length + 1),
      httpMethod: context.httpMethod,
      headers: Object.keys(headers).length > 0 ? headers : null,
      multiValueHeaders: Object.keys(multiValueHeaders).length > 0 ? multiValueHeaders : null,
      queryStringParameters: Object.keys(query).length > 0 ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length > 0 ? multiQuery : null,
      pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
      stageVariables: null,
      requestContext: {
        accountId: this.account,
        apiId: this.spec.id,
        domainName: String(req.headers.host ?? "127.0.0.1"),
        domainPrefix: this.spec.id,
        extendedRequestId: context.extendedRequestId,
        httpMethod: context.httpMethod,
        identity: { sourceIp: (context.identity as { sourceIp: string }).sourceIp, userAgent: (context.identity as { userAgent: string }).userAgent, ...(admitted.apiKey ? { apiKey: admitted.apiKey.value, apiKeyId: admitted.apiKey.id } : {}), accessKey: null, accountId: null, caller: null, user: null, userArn: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, cognitoAuthenticationType: null, cognitoAuthenticationProvider: null, principalOrgId: null },
        path: context.path,
        protocol: `HTTP/${req.httpVersion}`,
        requestId: context.requestId,
        requestTime: context.requestTime,
        requestTimeEpoch: context.requestTimeEpoch,
        resourceId: route.resourceId,
        resourcePath: route.resourcePath,
        stage: this.spec.stageName,
        // A Cognito authorizer's verified claims, every value a string, as API Gateway passes them.
        authorizer: admitted.claims ? { claims: admitted.claims } : null,
      },
      body: body.length === 0 ? null : binary ? body.toString("base64") : body.toString("utf8"),
      isBase64Encoded: binary,
    };
  }

  /** An error API Gateway answers itself: the API's gateway response of that type when it has one, else the default body. */
  private gatewayResponse(type: string, status: number, message: string, context: ContextVariables): GatewayAnswer {
    const error = context.error as Record<string, unknown>;
    error.message = message;
    error.messageString = JSON.stringify(message);
    error.responseType = type;
    const family = status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX";
    const custom = this.spec.gatewayResponses[type] ?? this.spec.gatewayResponses[family];
    const template = custom?.templates["application/json"] ?? '{"message":$context.error.messageString}';
    const headers: Record<string, string> = { "content-type": "application/json", "x-amzn-ErrorType": errorTypeOf(type) };
    for (const [name, value] of Object.entries(custom?.headers ?? {})) {
      const header = /^gatewayresponse\.header\.(.+)$/.exec(name)?.[1];
      if (header) headers[header] = value.replace(/^'(.*)'$/, "$1");
    }
    return { status: custom?.statusCode ? Number(custom.statusCode) : status, body: renderTemplate(template, context), headers };
  }
}

class IntegrationTimeout extends Error {}

/** Matches path segments against a resource path's: literals, `{param}`, and a final greedy `{proxy+}`. */
function matchPath(pattern: readonly string[], parts: readonly string[]): { pathParameters: Record<string, string>; literal: number } | undefined {
  const pathParameters: Record<string, string> = {};
  let literal = 0;
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i];
    if (segment.startsWith("{") && segment.endsWith("+}")) {
      if (i !== pattern.length - 1 || parts.length <= i) return undefined;
      pathParameters[segment.slice(1, -2)] = parts.slice(i).map(decodeURIComponent).join("/");
      return { pathParameters, literal };
    }
    if (i >= parts.length) return undefined;
    if (segment.startsWith("{")) pathParameters[segment.slice(1, -1)] = decodeURIComponent(parts[i]);
    else if (segment === parts[i]) literal++;
    else return undefined;
  }
  return pattern.length === parts.length ? { pathParameters, literal } : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** The integration's answer as HTTP, or undefined when it is not a valid proxy response. */
function proxyResponse(payload: unknown): GatewayAnswer | undefined {
  if (payload === null || typeof payload !== "object") return undefined;
  const p = payload as { statusCode?: unknown; headers?: unknown; multiValueHeaders?: unknown; body?: unknown; isBase64Encoded?: unknown };
  const status = Number(p.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (p.body !== undefined && p.body !== null && typeof p.body !== "string") return undefined;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((p.headers as Record<string, unknown>) ?? {})) headers[k] = String(v);
  for (const [k, v] of Object.entries((p.multiValueHeaders as Record<string, unknown[]>) ?? {})) headers[k] = (v ?? []).map(String).join(",");
  const body = typeof p.body === "string" ? (p.isBase64Encoded === true ? Buffer.from(p.body, "base64").toString("utf8") : p.body) : "";
  return { status, body, headers: { "content-type": "application/json", ...headers } };
}

/** `$context.a.b` references in a mapping template, replaced by their values (the subset of VTL gateway responses use). */
function renderTemplate(template: string, context: ContextVariables): string {
  return template.replace(/\$(?:\{context\.([A-Za-z0-9_.]+)\}|context\.([A-Za-z0-9_.]*[A-Za-z0-9_]))/g, (_, a: string | undefined, b: string | undefined) => {
    const value = (a ?? b ?? "").split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), context);
    return value === undefined || value === null ? "" : String(value);
  });
}

function flatten(context: ContextVariables): Record<string, unknown> {
  return {
    requestId: context.requestId,
    ip: (context.identity as { sourceIp: string }).sourceIp,
    requestTime: context.requestTime,
    httpMethod: context.httpMethod,
    resourcePath: context.resourcePath,
    status: context.status,
    responseLength: context.responseLength,
    integrationLatency: context.integrationLatency,
    xrayTraceId: context.xrayTraceId,
    validationError: (context.error as Record<string, unknown>).validationErrorString,
  };
}

function errorTypeOf(type: string): string {
  return (
    { INVALID_API_KEY: "ForbiddenException", QUOTA_EXCEEDED: "LimitExceededException", THROTTLED: "ThrottlingException", MISSING_AUTHENTICATION_TOKEN: "MissingAuthenticationTokenException", BAD_REQUEST_BODY: "BadRequestException", BAD_REQUEST_PARAMETERS: "BadRequestException", INTEGRATION_TIMEOUT: "InternalServerErrorException" } as Record<string, string>
  )[type] ?? (type === "DEFAULT_4XX" ? "BadRequestException" : "InternalServerErrorException");
}

/** The request's headers as the client named them (the authorizer reads the identity source's header in any case). */
function headersOf(req: http.IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
  return headers;
}

function isText(contentType: string): boolean {
  return contentType === "" || /^(text\/|application\/(json|xml|x-www-form-urlencoded|.*\+json))/i.test(contentType);
}

/** API Gateway's requestTime format: `02/Jan/2026:13:45:07 +0000`. */
function clf(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** A new X-Ray trace id: `1-<8 hex seconds>-<24 hex random>`. */
export function traceRoot(): string {
  return `1-${Math.floor(Date.now() / 1000).toString(16).padStart(8, "0")}-${randomBytes(12).toString("hex")}`;
}
