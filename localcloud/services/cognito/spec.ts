import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import type { AuthorizerSettings, GatewayResponseSettings } from "./authorizer";
import type { IssuerAppClient, IssuerUserPool } from "./issuer";

// What the local token issuer and authorizer need, read from a synthesized stack's resources (never typed twice):
// the user pools with their app clients and resource servers, and each REST API method's authorization.

const USER_POOL = "aws:cognito/userPool:UserPool";
const USER_POOL_CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const RESOURCE_SERVER = "aws:cognito/resourceServer:ResourceServer";
const REST_API = "aws:apigateway/restApi:RestApi";
const RESOURCE = "aws:apigateway/resource:Resource";
const METHOD = "aws:apigateway/method:Method";
const AUTHORIZER = "aws:apigateway/authorizer:Authorizer";
const GATEWAY_RESPONSE = "aws:apigateway/response:Response";

/** A user pool of the graph, with the logical name it was declared under. */
export interface GraphUserPool extends IssuerUserPool {
  readonly name: string;
  readonly arn?: string;
}

// Flows with which a client signs users in. Without `explicitAuthFlows`, Cognito allows SRP, custom auth and refresh.
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-authentication-flow-methods.html
const USER_SIGN_IN_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"];
const SECONDS_PER_UNIT: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** Every user pool among the resources, with its app clients and resource servers. */
export function userPoolsFromGraph(resources: readonly RecordedResource[]): GraphUserPool[] {
  return resources
    .filter((r) => r.type === USER_POOL)
    .map((pool) => {
      const userPoolId = idOf(pool);
      const region = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)_/.exec(userPoolId)?.[1];
      if (!region) throw new Error(`User pool ${pool.name} has id "${userPoolId}", which is not a Cognito pool id (<region>_<id>); is the graph resolved?`);
      const ofPool = (type: string) => resources.filter((r) => r.type === type && r.inputs.userPoolId === userPoolId);
      return {
        name: pool.name,
        ...(typeof pool.outputs.arn === "string" ? { arn: pool.outputs.arn } : {}),
        userPoolId,
        region,
        clients: ofPool(USER_POOL_CLIENT).map(appClient),
        resourceServers: ofPool(RESOURCE_SERVER).map((rs) => ({
          identifier: String(rs.inputs.identifier),
          scopes: list<{ scopeName?: unknown }>(rs.inputs.scopes).map((s) => String(s.scopeName)),
        })),
      };
    });
}

function appClient(client: RecordedResource): IssuerAppClient {
  const inputs = client.inputs;
  const explicit = inputs.explicitAuthFlows === undefined ? ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"] : list<string>(inputs.explicitAuthFlows);
  const oauthFlows = inputs.allowedOauthFlowsUserPoolClient === true ? list<string>(inputs.allowedOauthFlows) : [];
  const units = (inputs.tokenValidityUnits ?? {}) as { accessToken?: string; idToken?: string };
  // Cognito's API counts validity in hours unless tokenValidityUnits says otherwise.
  const seconds = (value: unknown, unit: string | undefined) =>
    typeof value === "number" ? value * (SECONDS_PER_UNIT[unit ?? "hours"] ?? 3600) : undefined;
  const access = seconds(inputs.accessTokenValidity, units.accessToken);
  const id = seconds(inputs.idTokenValidity, units.idToken);
  return {
    clientId: idOf(client),
    name: typeof inputs.name === "string" ? inputs.name : client.name,
    userSignIn: explicit.some((f) => USER_SIGN_IN_FLOWS.includes(f)) || oauthFlows.some((f) => f === "code" || f === "implicit"),
    clientCredentials: oauthFlows.includes("client_credentials") && inputs.generateSecret === true,
    allowedScopes: list<string>(inputs.allowedOauthScopes),
    ...(access !== undefined ? { accessTokenValiditySeconds: access } : {}),
    ...(id !== undefined ? { idTokenValiditySeconds: id } : {}),
  };
}

/** How one REST API method is authorized, as the local API needs it to call the authorizer. */
export interface GraphMethodAuthorization {
  readonly restApiId: string;
  readonly httpMethod: string;
  /** The resource path, `/orders/{id}`. */
  readonly path: string;
  /** `NONE`, `COGNITO_USER_POOLS`, `CUSTOM` or `AWS_IAM`. */
  readonly authorization: string;
  readonly authorizationScopes: readonly string[];
  readonly apiKeyRequired: boolean;
  /** For a COGNITO_USER_POOLS method: its authorizer's pools (by id) and settings. */
  readonly cognito?: { readonly userPoolIds: readonly string[]; readonly settings: AuthorizerSettings };
}

/** Every REST API method among the resources, with its path and authorization. */
export function methodAuthorizationsFromGraph(resources: readonly RecordedResource[]): GraphMethodAuthorization[] {
  const apis = resources.filter((r) => r.type === REST_API);
  const pathResources = new Map(resources.filter((r) => r.type === RESOURCE).map((r) => [idOf(r), r]));
  const pathOf = (resourceId: string): string => {
    const segments: string[] = [];
    for (let r = pathResources.get(resourceId); r; r = pathResources.get(String(r.inputs.parentId))) segments.unshift(String(r.inputs.pathPart));
    return `/${segments.join("/")}`;
  };
  return resources
    .filter((r) => r.type === METHOD)
    .map((method) => {
      const inputs = method.inputs;
      const restApiId = String(inputs.restApi);
      const isRoot = apis.some((api) => idOf(api) === restApiId && api.outputs.rootResourceId === inputs.resourceId);
      const authorizer = resources.find((r) => r.type === AUTHORIZER && idOf(r) === inputs.authorizerId);
      const cognito =
        inputs.authorization === "COGNITO_USER_POOLS" && authorizer
          ? {
              userPoolIds: list<string>(authorizer.inputs.providerArns).map((arn) => arn.slice(arn.lastIndexOf("/") + 1)),
              settings: {
                ...(typeof authorizer.inputs.identitySource === "string" ? { identitySource: authorizer.inputs.identitySource } : {}),
                ...(typeof authorizer.inputs.identityValidationExpression === "string"
                  ? { identityValidationExpression: authorizer.inputs.identityValidationExpression }
                  : {}),
              },
            }
          : undefined;
      return {
        restApiId,
        httpMethod: String(inputs.httpMethod),
        path: isRoot ? "/" : pathOf(String(inputs.resourceId)),
        authorization: String(inputs.authorization),
        authorizationScopes: list<string>(inputs.authorizationScopes),
        apiKeyRequired: inputs.apiKeyRequired === true,
        ...(cognito ? { cognito } : {}),
      };
    });
}

/** The gateway responses a REST API configures, for the local authorizer's refusals. */
export function gatewayResponsesFromGraph(resources: readonly RecordedResource[], restApiId: string): GatewayResponseSettings[] {
  return resources
    .filter((r) => r.type === GATEWAY_RESPONSE && r.inputs.restApiId === restApiId)
    .map((r) => ({
      responseType: String(r.inputs.responseType),
      ...(r.inputs.statusCode !== undefined ? { statusCode: String(r.inputs.statusCode) } : {}),
      ...(r.inputs.responseTemplates ? { responseTemplates: r.inputs.responseTemplates as Record<string, string> } : {}),
      ...(r.inputs.responseParameters ? { responseParameters: r.inputs.responseParameters as Record<string, string> } : {}),
    }));
}

function idOf(r: RecordedResource): string {
  return String(r.id ?? r.outputs.id ?? "");
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}
