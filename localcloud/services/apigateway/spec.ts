import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { json, num, obj, str, stringRecord, type GraphResources, type Origin } from "../../graph/resources";
import { GraphError } from "../../graph/errors";

export interface RestApiSpec extends Origin {
  readonly id: string;
  readonly name: string;
  readonly stageName: string;
  readonly executionArn: string;
  readonly tracing: boolean;
  /** Stage-wide throttling from the method settings on `*\/*`; unset means the account's (10,000 rps, 5,000 burst). */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly routes: readonly RouteSpec[];
  /** Gateway responses by type (`BAD_REQUEST_BODY`...). */
  readonly gatewayResponses: Readonly<Record<string, { readonly statusCode?: string; readonly templates: Readonly<Record<string, string>>; readonly headers: Readonly<Record<string, string>> }>>;
}

export interface RouteSpec {
  readonly httpMethod: string;
  /** The resource path with its parameters, `/orders/{id}`. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly authorization: string;
  readonly authorizerId?: string;
  readonly authorizationScopes?: readonly string[];
  readonly apiKeyRequired: boolean;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** `method.request.path.id` → required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** The request model's JSON schema (draft 4), by content type. */
  readonly requestSchemas: Readonly<Record<string, unknown>>;
  readonly integration: { readonly type: string; readonly functionArn?: string; readonly timeoutMs: number };
}

/** The graph's REST APIs, each with its routes, stage, throttling and gateway responses. */
export function readRestApis(graph: GraphResources): RestApiSpec[] {
  return graph.of("aws:apigateway/restApi:RestApi").map(({ stack, r }) => restApiSpec(stack, r, graph));
}

function restApiSpec(stack: string, api: RecordedResource, graph: GraphResources): RestApiSpec {
  const { all, origin } = graph;
  const apiId = String(api.id);
  const mine = all.filter(({ r }) => r.type.startsWith("aws:apigateway/") && (r.inputs.restApi === apiId || r.inputs.restApiId === apiId)).map(({ r }) => r);
  const ofType = (type: string) => mine.filter((r) => r.type === type);
  const rootId = String(api.outputs.rootResourceId);
  const resources = new Map(ofType("aws:apigateway/resource:Resource").map((r) => [String(r.id), r]));
  const pathOf = (id: string): string => {
    if (id === rootId) return "";
    const res = resources.get(id);
    if (!res) throw new GraphError(`API ${api.name} has a method on resource ${id}, which is not among its resources.`);
    return `${pathOf(String(res.inputs.parentId))}/${String(res.inputs.pathPart)}`;
  };
  const models = new Map(ofType("aws:apigateway/model:Model").map((r) => [String(r.inputs.name), json(r.inputs.schema)]));
  const validators = new Map(ofType("aws:apigateway/requestValidator:RequestValidator").map((r) => [String(r.id), r.inputs]));
  const integrations = ofType("aws:apigateway/integration:Integration");
  const routes: RouteSpec[] = ofType("aws:apigateway/method:Method").map((m) => {
    const i = m.inputs;
    const resourceId = String(i.resourceId);
    const integration = integrations.find((x) => String(x.inputs.resourceId) === resourceId && x.inputs.httpMethod === i.httpMethod);
    const uri = String(integration?.inputs.uri ?? "");
    const functionArn = /functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1];
    const validator = obj(validators.get(String(i.requestValidatorId)));
    const requestModels = stringRecord(i.requestModels);
    return {
      httpMethod: String(i.httpMethod),
      resourcePath: pathOf(resourceId) || "/",
      resourceId,
      authorization: String(i.authorization ?? "NONE"),
      ...(str(i.authorizerId) ? { authorizerId: str(i.authorizerId) } : {}),
      ...(Array.isArray(i.authorizationScopes) ? { authorizationScopes: i.authorizationScopes as string[] } : {}),
      apiKeyRequired: i.apiKeyRequired === true,
      validateBody: validator.validateRequestBody === true,
      validateParameters: validator.validateRequestParameters === true,
      requestParameters: Object.fromEntries(Object.entries(obj(i.requestParameters)).map(([k, v]) => [k, v === true])),
      requestSchemas: Object.fromEntries(Object.entries(requestModels).map(([type, model]) => [type, models.get(model)])),
      integration: {
        type: String(integration?.inputs.type ?? "MOCK"),
        ...(functionArn ? { functionArn } : {}),
        // API Gateway's integration timeout defaults to 29 s (PutIntegration API reference).
        timeoutMs: num(integration?.inputs.timeoutMilliseconds) ?? 29000,
      },
    };
  });
  const stage = ofType("aws:apigateway/stage:Stage")[0];
  if (!stage) throw new GraphError(`API ${api.name} has no stage; the local cloud serves a deployed stage.`);
  const stageName = String(stage.inputs.stageName);
  const wide = ofType("aws:apigateway/methodSettings:MethodSettings").find((s) => s.inputs.methodPath === "*/*" && s.inputs.stageName === stageName);
  const settings = obj(wide?.inputs.settings);
  const rate = num(settings.throttlingRateLimit);
  const burst = num(settings.throttlingBurstLimit);
  const gatewayResponses = Object.fromEntries(
    ofType("aws:apigateway/response:Response").map((r) => [
      String(r.inputs.responseType),
      {
        ...(str(r.inputs.statusCode) ? { statusCode: str(r.inputs.statusCode) } : {}),
        templates: stringRecord(r.inputs.responseTemplates),
        headers: stringRecord(r.inputs.responseParameters),
      },
    ]),
  );
  const apiStack = all.find(({ r }) => r === api)?.stack ?? stack;
  return {
    ...origin(apiStack, api),
    id: apiId,
    name: api.name,
    stageName,
    executionArn: String(api.outputs.executionArn),
    tracing: stage.inputs.xrayTracingEnabled === true,
    ...(rate !== undefined && burst !== undefined ? { throttle: { rateLimit: rate, burstLimit: burst } } : {}),
    routes,
    gatewayResponses,
  };
}
