import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";

// Who may call a RestApi, and how much: the Cognito user pools authorizer its methods use, and the usage plans that
// throttle each client and cap its daily requests. Kept apart from rest-api.ts so each can be read (and changed) alone.

/** A COGNITO_USER_POOLS authorizer: requests carry a user pool's token in the `Authorization` header. */
export interface CognitoAuthorizerArgs {
  /** ARNs of the user pools whose tokens are accepted, 1 to 1000. */
  userPoolArns: pulumi.Input<string>[];
  /**
   * Seconds API Gateway caches a token's verdict (keyed by the token), 0 to 3600; 0 verifies every request.
   * @default 300
   */
  resultTtlInSeconds?: number;
}

/** What one API client may use: its own API key, throttled and capped on its own. */
export interface ApiClientLimits {
  /** Steady requests per second for this client. */
  rateLimit: number;
  /** Burst size for this client, 1 to 5000. */
  burstLimit: number;
  /** Requests this client may make per day (UTC), at least 1. */
  dailyQuota: number;
}

/**
 * The authorizer every authorized method of the API uses. Methods name it with `authorization: "COGNITO_USER_POOLS"`
 * and `authorizerId`; a method with `authorizationScopes` takes access tokens, one without takes ID tokens.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
 */
export function createCognitoAuthorizer(
  name: string,
  restApi: aws.apigateway.RestApi,
  args: CognitoAuthorizerArgs,
  parent: pulumi.Resource,
): aws.apigateway.Authorizer {
  if (args.userPoolArns.length === 0 || args.userPoolArns.length > 1000) {
    throw new ComponentArgumentError(`RestApi "${name}"`, `\`authorizer.userPoolArns\` must hold 1 to 1000 user pool ARNs, but ${args.userPoolArns.length} were provided.`);
  }
  requireIntegerInRange(`RestApi "${name}"`, "authorizer.resultTtlInSeconds", args.resultTtlInSeconds, 0, 3600, "seconds");
  return new aws.apigateway.Authorizer(
    `${name}Authorizer`,
    {
      restApi: restApi.id,
      type: "COGNITO_USER_POOLS",
      providerArns: args.userPoolArns,
      identitySource: "method.request.header.Authorization",
      authorizerResultTtlInSeconds: args.resultTtlInSeconds ?? 300,
    },
    { parent },
  );
}

/**
 * A usage plan and an API key per client, on the API's stage: API Gateway identifies a client by the `x-api-key`
 * header, throttles it to its own rate and burst (under the stage's), and counts its requests against a daily quota
 * (403 without a valid key, 429 over a limit). API keys identify and meter clients; they authorize nobody, which is
 * why every method also has the authorizer.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
 * @returns each client's API key, by client name
 */
export function createUsagePlans(
  name: string,
  restApi: aws.apigateway.RestApi,
  stage: aws.apigateway.Stage,
  clients: Readonly<Record<string, ApiClientLimits>>,
  parent: pulumi.Resource,
): Record<string, aws.apigateway.ApiKey> {
  const keys: Record<string, aws.apigateway.ApiKey> = {};
  for (const [client, limits] of Object.entries(clients)) {
    const component = `RestApi "${name}" client "${client}"`;
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(client)) {
      throw new ComponentArgumentError(`RestApi "${name}"`, `client name "${client}" must be letters and digits, starting with a letter.`);
    }
    if (!(limits.rateLimit > 0)) throw new ComponentArgumentError(component, `\`rateLimit\` must be positive, but ${limits.rateLimit} was provided.`);
    requireIntegerInRange(component, "burstLimit", limits.burstLimit, 1, 5000);
    requireIntegerInRange(component, "dailyQuota", limits.dailyQuota, 1, Number.MAX_SAFE_INTEGER);
    const key = client.charAt(0).toUpperCase() + client.slice(1);
    const plan = new aws.apigateway.UsagePlan(
      `${name}${key}UsagePlan`,
      {
        description: `${client}'s limits on the ${name} API`,
        apiStages: [{ apiId: restApi.id, stage: stage.stageName }],
        throttleSettings: { rateLimit: limits.rateLimit, burstLimit: limits.burstLimit },
        quotaSettings: { limit: limits.dailyQuota, period: "DAY" },
      },
      { parent },
    );
    const apiKey = new aws.apigateway.ApiKey(`${name}${key}ApiKey`, { description: `Identifies ${client} to the ${name} API's usage plan`, enabled: true }, { parent });
    new aws.apigateway.UsagePlanKey(`${name}${key}UsagePlanKey`, { keyId: apiKey.id, keyType: "API_KEY", usagePlanId: plan.id }, { parent });
    keys[client] = apiKey;
  }
  return keys;
}
