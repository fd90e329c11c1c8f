import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyInOneMinute } from "./alarm";
import { createHash } from "node:crypto";
import { createCognitoAuthorizer, createUsagePlans, type ApiClientLimits, type CognitoAuthorizerArgs } from "./rest-api-access";
import { createFirewall, type ApiFirewallArgs } from "./rest-api-firewall";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import type { IFunction } from "./interfaces";
import { transform, type Transform } from "./transform";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One route: a method on a path, proxied to a function. */
export interface RestApiRoute {
  method: HttpMethod;
  /** The resource path, with `{param}` segments: `/orders/{id}`. */
  path: string;
  /** The function that answers (Lambda proxy integration). */
  function: IFunction;
  /**
   * JSON Schema (draft 4, as API Gateway models take) the request body must match. API Gateway answers 400, naming what is
   * wrong, before the function runs.
   * @default no body validation
   */
  bodySchema?: object;
  /** Headers the request must carry; API Gateway answers 400 when one is missing. @default none */
  requiredHeaders?: string[];
  /**
   * OAuth scopes of which the caller's access token must hold at least one (needs `authorizer`); without them the
   * method takes the user pool's ID tokens instead.
   * @default none
   */
  authorizationScopes?: string[];
}

export interface RestApiArgs {
  routes: RestApiRoute[];
  /** @default "live" */
  stageName?: string;
  /**
   * Stage-wide throttling: steady requests per second and burst size.
   * @default `{ rateLimit: 50, burstLimit: 100 }`
   */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Retention of the access log group, in days (a value CloudWatch Logs accepts). @default 30 */
  logRetentionInDays?: pulumi.Input<number>;
  /** Where the 5XX alarm is sent. @default no alarm actions */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * The Cognito user pools authorizer of every method.
   * @default none: every method is open (`authorization: NONE`), which the apigateway-method-authorized policy refuses
   */
  authorizer?: CognitoAuthorizerArgs;
  /**
   * API clients by name, each with its own API key and usage plan (throttling and a daily quota); when given, every
   * method requires an API key (`x-api-key`).
   * @default none: no API keys, only the stage's throttling
   */
  clients?: Record<string, ApiClientLimits>;
  /**
   * An AWS WAF web ACL on the stage: a per-client-IP rate limit and AWS's managed rule groups (common, known bad
   * inputs). Needed wherever the API faces the internet with shared API keys; the apigw-stage-waf policy asks for it
   * outside dev.
   * @default none: the stage has no web ACL
   */
  firewall?: ApiFirewallArgs;
  transform?: {
    api?: Transform<aws.apigateway.RestApiArgs>;
    stage?: Transform<aws.apigateway.StageArgs>;
    /** The BAD_REQUEST_BODY gateway response (a 400 naming the fields that failed validation). */
    badRequestBody?: Transform<aws.apigateway.ResponseArgs>;
  };
}

/** The TLS security policy of every REST API: TLS 1.3 only, the strongest API Gateway offers regional endpoints. */
export const REST_API_SECURITY_POLICY = "SecurityPolicy_TLS13_1_3_2025_09";

/** The request-models key API Gateway applies to a content type no other key names. */
export const DEFAULT_CONTENT_TYPE = "$default";

// One line of JSON per request: what the access-log queries and the correlation of logs with traces need.
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationLatency: "$context.integrationLatency",
  xrayTraceId: "$context.xrayTraceId",
  validationError: "$context.error.validationErrorString",
});

/**
 * A REST API Gateway in front of functions: TLS 1.3 only, X-Ray tracing, JSON access logs, request validation (bodies
 * against JSON Schema whatever their content type, required headers and path parameters), stage throttling, and an
 * alarm on 5XX errors; with `authorizer`, a Cognito user pools authorizer on every method, with `clients`, an API key
 * and usage plan per client, and with `firewall`, a WAF web ACL on the stage.
 *
 * @example
 * const api = new RestApi("orders", {
 *   routes: [
 *     { method: "POST", path: "/orders", function: placeOrder, bodySchema: placeOrderSchema },
 *     { method: "GET", path: "/orders/{id}", function: getOrder },
 *   ],
 * });
 */
export class RestApi extends pulumi.ComponentResource {
  /** The stage's invoke URL, e.g. `https://abc123.execute-api.us-east-1.amazonaws.com/live`. */
  readonly url: pulumi.Output<string>;
  readonly restApiId: pulumi.Output<string>;
  readonly executionArn: pulumi.Output<string>;
  readonly stageName: string;
  readonly accessLogGroupName: pulumi.Output<string>;
  /** Each client's API key id (`aws apigateway get-api-key --include-value --api-key <id>` shows its value). */
  readonly apiKeyIds: Record<string, pulumi.Output<string>>;
  readonly nodes: { api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; accessLogs: aws.cloudwatch.LogGroup; webAcl?: aws.wafv2.WebAcl };

  constructor(name: string, args: RestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:api:RestApi", name, {}, opts);
    const scope: ApiScope = { name, args, parent: this, stageName: args.stageName ?? "live", throttle: args.throttle ?? { rateLimit: 50, burstLimit: 100 } };
    validate(scope);

    const api = createApi(scope);
    const authorizer = args.authorizer ? createCognitoAuthorizer(name, api, args.authorizer, this) : undefined;
    const access: RouteAccess = { authorizer, apiKeyRequired: args.clients !== undefined && Object.keys(args.clients).length > 0 };
    const validator = createValidator(scope, api);
    const responses = [createValidationResponse(scope, api)];
    const resources = createResources(scope, api);
    const routes = args.routes.map((route) => createRoute(scope, api, validator, resources, access, route));
    const deployment = createDeployment(scope, api, routes, responses, access);
    const accessLogs = createAccessLogs(scope);
    const stage = createStage(scope, api, deployment, accessLogs);
    const apiKeys = access.apiKeyRequired ? createUsagePlans(name, api, stage, args.clients!, this) : {};
    const firewall = args.firewall ? createFirewall(name, stage, args.firewall, this) : undefined;
    createMethodSettings(scope, api, stage);
    createAlarm(scope, api, stage);

    this.url = stage.invokeUrl;
    this.restApiId = api.id;
    this.executionArn = api.executionArn;
    this.stageName = scope.stageName;
    this.accessLogGroupName = accessLogs.name;
    this.apiKeyIds = Object.fromEntries(Object.entries(apiKeys).map(([client, key]) => [client, key.id]));
    this.nodes = { api, stage, accessLogs, ...(firewall ? { webAcl: firewall.webAcl } : {}) };
    this.registerOutputs({ url: this.url, restApiId: this.restApiId, accessLogGroupName: this.accessLogGroupName });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The constructor's steps, in the order it runs them; every child is parented to the API component.

/** What every step shares. */
interface ApiScope {
  readonly name: string;
  readonly args: RestApiArgs;
  readonly parent: RestApi;
  readonly stageName: string;
  readonly throttle: { rateLimit: number; burstLimit: number };
}

/** Who may call the API's methods: its authorizer (every method uses it) and whether each needs an API key. */
interface RouteAccess {
  readonly authorizer?: aws.apigateway.Authorizer;
  readonly apiKeyRequired: boolean;
}

/** The method and integration of one route. */
interface Route {
  readonly method: aws.apigateway.Method;
  readonly integration: aws.apigateway.Integration;
}

/** A gateway response, and what it makes the API answer (its arguments without the API's id), for the redeploy trigger. */
interface GatewayResponse {
  readonly resource: aws.apigateway.Response;
  readonly served: pulumi.Output<unknown>;
}

function validate({ name, args, throttle }: ApiScope): void {
  if (args.routes.length === 0) {
    throw new ComponentArgumentError(`RestApi "${name}"`, "`routes` must hold at least one route.");
  }
  const seen = new Set<string>();
  for (const route of args.routes) {
    if (!/^\/([A-Za-z0-9_.-]+|\{[A-Za-z0-9_]+\})(\/([A-Za-z0-9_.-]+|\{[A-Za-z0-9_]+\}))*$/.test(route.path)) {
      throw new ComponentArgumentError(
        `RestApi "${name}"`,
        `route path "${route.path}" is not a resource path; use segments like "/orders/{id}".`,
      );
    }
    const key = `${route.method} ${route.path}`;
    if (route.authorizationScopes && !args.authorizer) {
      throw new ComponentArgumentError(`RestApi "${name}"`, `route "${key}" has \`authorizationScopes\` but the API has no \`authorizer\`; pass one.`);
    }
    if (seen.has(key)) throw new ComponentArgumentError(`RestApi "${name}"`, `route "${key}" is defined twice.`);
    seen.add(key);
  }
  if (!(throttle.rateLimit > 0)) {
    throw new ComponentArgumentError(`RestApi "${name}"`, `\`throttle.rateLimit\` must be positive, but ${throttle.rateLimit} was provided.`);
  }
  requireIntegerInRange(`RestApi "${name}"`, "throttle.burstLimit", throttle.burstLimit, 1, 5000);
}

function createApi({ name, args, parent }: ApiScope): aws.apigateway.RestApi {
  return new aws.apigateway.RestApi(
    ...transform(
      args.transform?.api,
      `${name}Api`,
      {
        description: `orderflow ${name} API`,
        endpointConfiguration: { types: "REGIONAL" },
        // The strongest policy API Gateway offers a regional API: TLS 1.3 only (its default, TLS_1_0, still takes
        // TLS 1.0). Enhanced policies need an endpoint access mode; STRICT also refuses requests whose endpoint type
        // or host does not match the API's. https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html
        securityPolicy: REST_API_SECURITY_POLICY,
        endpointAccessMode: "STRICT",
      },
      { parent },
    ),
  );
}

function createValidator({ name, parent }: ApiScope, api: aws.apigateway.RestApi): aws.apigateway.RequestValidator {
  return new aws.apigateway.RequestValidator(
    `${name}Validator`,
    { restApi: api.id, validateRequestBody: true, validateRequestParameters: true },
    { parent },
  );
}

// API Gateway's default 400 says only "Invalid request body"; this one carries the validator's message, which names
// the failing fields.
function createValidationResponse({ name, args, parent }: ApiScope, api: aws.apigateway.RestApi): GatewayResponse {
  const [resourceName, responseArgs, opts] = transform(
    args.transform?.badRequestBody,
    `${name}BadRequestBody`,
    {
      restApiId: api.id,
      responseType: "BAD_REQUEST_BODY",
      statusCode: "400",
      responseTemplates: {
        "application/json": '{"message":"invalid request","errors":"$context.error.validationErrorString"}',
      },
    },
    { parent },
  );
  const { restApiId: _api, ...served } = responseArgs;
  return { resource: new aws.apigateway.Response(resourceName, responseArgs, opts), served: pulumi.output(served) };
}

function createResources({ name, args, parent }: ApiScope, api: aws.apigateway.RestApi): Map<string, aws.apigateway.Resource> {
  const byPath = new Map<string, aws.apigateway.Resource>();
  for (const route of args.routes) {
    let parentPath = "";
    for (const segment of route.path.split("/").slice(1)) {
      const path = `${parentPath}/${segment}`;
      if (!byPath.has(path)) {
        const parentId = parentPath === "" ? api.rootResourceId : byPath.get(parentPath)!.id;
        byPath.set(
          path,
          new aws.apigateway.Resource(`${name}${resourceKey(path)}`, { restApi: api.id, parentId, pathPart: segment }, { parent }),
        );
      }
      parentPath = path;
    }
  }
  return byPath;
}

function createRoute(
  { name, parent }: ApiScope,
  api: aws.apigateway.RestApi,
  validator: aws.apigateway.RequestValidator,
  resources: ReadonlyMap<string, aws.apigateway.Resource>,
  { authorizer, apiKeyRequired }: RouteAccess,
  route: RestApiRoute,
): Route {
  const key = `${route.method}${resourceKey(route.path)}`;
  const resource = resources.get(route.path)!;
  const model = route.bodySchema
    ? new aws.apigateway.Model(
        `${name}${key}Model`,
        {
          restApi: api.id,
          name: `${key.replace(/[^A-Za-z0-9]/g, "")}Body`,
          contentType: "application/json",
          schema: JSON.stringify({ $schema: "http://json-schema.org/draft-04/schema#", ...route.bodySchema }),
        },
        { parent },
      )
    : undefined;
  const pathParams = [...route.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
  const requestParameters = Object.fromEntries([
    ...pathParams.map((p) => [`method.request.path.${p}`, true]),
    ...(route.requiredHeaders ?? []).map((h) => [`method.request.header.${h}`, true]),
  ]);
  const method = new aws.apigateway.Method(
    `${name}${key}`,
    {
      restApi: api.id,
      resourceId: resource.id,
      httpMethod: route.method,
      authorization: authorizer ? "COGNITO_USER_POOLS" : "NONE",
      ...(authorizer ? { authorizerId: authorizer.id } : {}),
      ...(route.authorizationScopes?.length ? { authorizationScopes: route.authorizationScopes } : {}),
      apiKeyRequired,
      requestValidatorId: validator.id,
      requestParameters,
      // "If no matching content type is found, request validation is not performed. To use the same model regardless
      // of the content type, set the content type for your data model to $default."
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html):
      // without `$default`, a body sent as text/plain would skip validation and reach the function.
      ...(model ? { requestModels: { "application/json": model.name, [DEFAULT_CONTENT_TYPE]: model.name } } : {}),
    },
    { parent },
  );
  const region = aws.getRegionOutput({}, { parent }).region;
  const integration = new aws.apigateway.Integration(
    `${name}${key}Integration`,
    {
      restApi: api.id,
      resourceId: resource.id,
      httpMethod: method.httpMethod,
      type: "AWS_PROXY",
      integrationHttpMethod: "POST",
      uri: pulumi.interpolate`arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${route.function.arn}/invocations`,
    },
    { parent },
  );
  // Only this method on this path of this API may invoke the function.
  new aws.lambda.Permission(
    `${name}${key}Permission`,
    {
      action: "lambda:InvokeFunction",
      function: route.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: pulumi.interpolate`${api.executionArn}/*/${route.method}${route.path.replace(/\{[^}]+\}/g, "*")}`,
    },
    { parent },
  );
  return { method, integration };
}

// A deployment is a snapshot of the REST API's configuration (routes, validation, gateway responses): it must depend
// on every resource that configures the API, or the first stage may serve an API without it, and its `triggers` must
// change with each of them, since dependsOn "can only capture dependency ordering and will not cause the resource to
// recreate (redeploy the REST API) with upstream configuration changes"
// (https://www.pulumi.com/registry/packages/aws/api-docs/apigateway/deployment/).
function createDeployment(
  { name, args, parent }: ApiScope,
  api: aws.apigateway.RestApi,
  routes: readonly Route[],
  responses: readonly GatewayResponse[],
  { authorizer, apiKeyRequired }: RouteAccess,
): aws.apigateway.Deployment {
  const shape = args.routes.map((r) => ({
    m: r.method,
    p: r.path,
    s: r.bodySchema ?? null,
    // Which content types the model validates: changing them changes what the stage refuses.
    ...(r.bodySchema ? { c: ["application/json", DEFAULT_CONTENT_TYPE] } : {}),
    h: r.requiredHeaders ?? [],
    ...(authorizer ? { a: r.authorizationScopes ?? [] } : {}),
    ...(apiKeyRequired ? { k: true } : {}),
  }));
  const redeployment = pulumi
    .all(responses.map((r) => r.served))
    .apply((served) => createHash("sha256").update(JSON.stringify({ routes: shape, responses: served })).digest("hex"));
  return new aws.apigateway.Deployment(
    `${name}Deployment`,
    { restApi: api.id, triggers: { redeployment } },
    { parent, dependsOn: [...routes.flatMap((r) => [r.method, r.integration]), ...responses.map((r) => r.resource), ...(authorizer ? [authorizer] : [])] },
  );
}

function createAccessLogs({ name, args, parent }: ApiScope): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(`${name}AccessLogs`, { retentionInDays: args.logRetentionInDays ?? 30 }, { parent });
}

function createStage(
  { name, args, parent, stageName }: ApiScope,
  api: aws.apigateway.RestApi,
  deployment: aws.apigateway.Deployment,
  accessLogs: aws.cloudwatch.LogGroup,
): aws.apigateway.Stage {
  return new aws.apigateway.Stage(
    ...transform(
      args.transform?.stage,
      `${name}Stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName,
        xrayTracingEnabled: true,
        accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      },
      { parent },
    ),
  );
}

function createMethodSettings({ name, parent, throttle }: ApiScope, api: aws.apigateway.RestApi, stage: aws.apigateway.Stage): void {
  new aws.apigateway.MethodSettings(
    `${name}Throttling`,
    {
      restApi: api.id,
      stageName: stage.stageName,
      methodPath: "*/*",
      settings: { throttlingRateLimit: throttle.rateLimit, throttlingBurstLimit: throttle.burstLimit, metricsEnabled: true },
    },
    { parent },
  );
}

function createAlarm({ name, args, parent }: ApiScope, api: aws.apigateway.RestApi, stage: aws.apigateway.Stage): void {
  new aws.cloudwatch.MetricAlarm(
    `${name}ServerErrors`,
    {
      alarmDescription: `The ${name} API answered with 5XX errors.`,
      namespace: "AWS/ApiGateway",
      metricName: "5XXError",
      dimensions: { ApiName: api.name, Stage: stage.stageName },
      ...anyInOneMinute(args.alarmTopicArn),
    },
    { parent },
  );
}

// `/orders/{id}` gives `OrdersId`: a name-safe key for the resources of one path.
function resourceKey(path: string): string {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => s.replace(/[{}]/g, ""))
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1).replace(/[^A-Za-z0-9]/g, ""))
    .join("");
}
