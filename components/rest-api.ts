import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyInOneMinute } from "./alarm";
import { createHash } from "node:crypto";
import { createCognitoAuthorizer, createUsagePlans, type ApiClientLimits, type CognitoAuthorizerArgs } from "./rest-api-access";
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
  transform?: {
    api?: Transform<aws.apigateway.RestApiArgs>;
    stage?: Transform<aws.apigateway.StageArgs>;
  };
}

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
 * A REST API Gateway in front of functions: X-Ray tracing, JSON access logs, request validation (bodies against JSON
 * Schema, required headers and path parameters), stage throttling, and an alarm on 5XX errors; with `authorizer`, a
 * Cognito user pools authorizer on every method, and with `clients`, an API key and usage plan per client.
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
  readonly nodes: { api: aws.apigateway.RestApi; stage: aws.apigateway.Stage; accessLogs: aws.cloudwatch.LogGroup };

  constructor(name: string, args: RestApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:api:RestApi", name, {}, opts);
    const stageName = args.stageName ?? "live";
    const throttle = args.throttle ?? { rateLimit: 50, burstLimit: 100 };
    validate();

    const api = createApi(this);
    const authorizer = args.authorizer ? createCognitoAuthorizer(name, api, args.authorizer, this) : undefined;
    const apiKeyRequired = args.clients !== undefined && Object.keys(args.clients).length > 0;
    const validator = new aws.apigateway.RequestValidator(
      `${name}Validator`,
      { restApi: api.id, validateRequestBody: true, validateRequestParameters: true },
      { parent: this },
    );
    createValidationResponse(this);
    const resources = createResources(this);
    const methods = args.routes.map((route) => createRoute(this, route));
    const deployment = createDeployment(this);
    const accessLogs = new aws.cloudwatch.LogGroup(
      `${name}AccessLogs`,
      { retentionInDays: args.logRetentionInDays ?? 30 },
      { parent: this },
    );
    const stage = createStage(this);
    const apiKeys = apiKeyRequired ? createUsagePlans(name, api, stage, args.clients!, this) : {};
    createMethodSettings(this);
    createAlarm(this);

    this.url = stage.invokeUrl;
    this.restApiId = api.id;
    this.executionArn = api.executionArn;
    this.stageName = stageName;
    this.accessLogGroupName = accessLogs.name;
    this.apiKeyIds = Object.fromEntries(Object.entries(apiKeys).map(([client, key]) => [client, key.id]));
    this.nodes = { api, stage, accessLogs };
    this.registerOutputs({ url: this.url, restApiId: this.restApiId, accessLogGroupName: this.accessLogGroupName });

    function validate() {
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

    function createApi(parent: pulumi.Resource) {
      return new aws.apigateway.RestApi(
        ...transform(
          args.transform?.api,
          `${name}Api`,
          { description: `orderflow ${name} API`, endpointConfiguration: { types: "REGIONAL" } },
          { parent },
        ),
      );
    }

    // API Gateway's default 400 says only "Invalid request body"; this one carries the validator's message, which names
    // the failing fields.
    function createValidationResponse(parent: pulumi.Resource) {
      new aws.apigateway.Response(
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
    }

    function createResources(parent: pulumi.Resource) {
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

    function createRoute(parent: pulumi.Resource, route: RestApiRoute) {
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
          ...(model ? { requestModels: { "application/json": model.name } } : {}),
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

    // A deployment is a snapshot: it must be replaced whenever a route or its validation changes, or the stage keeps
    // serving the old API.
    function createDeployment(parent: pulumi.Resource) {
      const shape = args.routes.map((r) => ({
        m: r.method, p: r.path, s: r.bodySchema ?? null, h: r.requiredHeaders ?? [],
        ...(authorizer ? { a: r.authorizationScopes ?? [] } : {}), ...(apiKeyRequired ? { k: true } : {}),
      }));
      return new aws.apigateway.Deployment(
        `${name}Deployment`,
        {
          restApi: api.id,
          triggers: { redeployment: createHash("sha256").update(JSON.stringify(shape)).digest("hex") },
        },
        { parent, dependsOn: [...methods.flatMap((m) => [m.method, m.integration]), ...(authorizer ? [authorizer] : [])] },
      );
    }

    function createStage(parent: pulumi.Resource) {
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

    function createMethodSettings(parent: pulumi.Resource) {
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

    function createAlarm(parent: pulumi.Resource) {
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
  }
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
