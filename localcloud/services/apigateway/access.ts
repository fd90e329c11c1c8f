import * as z from "zod/mini";
import { customerId as customerIdSchema } from "../../../handlers/shared/events";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import type { RestApiAccess } from "./rest-api";
import { StageApiKeys, stageApiKeysFromGraph } from "./usage-plans";
import { LocalCognitoAuthorizer } from "../cognito/authorizer";
import { GraphError } from "../../graph/errors";
import type { LocalGraph } from "../../graph/graph";
import type { RestApiSpec } from "./spec";
import { LocalTokenIssuer, TokenRequestError } from "../cognito/issuer";
import { gatewayResponsesFromGraph, methodAuthorizationsFromGraph, userPoolsFromGraph, type GraphUserPool } from "../cognito/spec";

// Who may call the local REST APIs, all read from the graph: a token issuer per user pool (keys made per run), the
// Cognito authorizers of each API's methods (verifying with those keys), and each stage's API keys with their usage
// plans (values made per run). The issuers are what Cognito's sign-in and token endpoint would be; they are reachable
// only in this process (scenarios) and through the local-only token endpoint (`orderflow local token`).

/** What the local token endpoint is asked for: a customer's token, or a machine client's with scopes. */
export interface TokenRequest {
  /** The customer id (the token's `sub`) of a signed-in customer. */
  readonly customer?: string;
  /** Scopes for a client-credentials token (a machine client); all the client may have when empty. */
  readonly scopes?: readonly string[];
  /** The app client. @default the pool's only client that can give this kind of token */
  readonly clientId?: string;
  /** The user pool. @default the graph's only pool */
  readonly userPoolId?: string;
}

export interface IssuedToken {
  readonly tokenType: "Bearer";
  readonly accessToken: string;
  /** Seconds the token lives. */
  readonly expiresIn: number;
  readonly scope: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientName?: string;
  /** The API key the client sends as `x-api-key`, when the stacks pair one with its app client. */
  readonly apiKey?: { readonly name: string; readonly id: string; readonly value: string };
}

/** A named API key for users: its value for this run, which client it belongs to, and which API stage. */
export interface LocalApiKey {
  readonly api: string;
  readonly stage: string;
  readonly id: string;
  /** The client it identifies (`storefront`), from the stacks' `<client>ClientId` / `<client>ApiKeyId` outputs, else its logical name. */
  readonly name: string;
  readonly value: string;
}

export class LocalApiAccess {
  private readonly apis = new Map<string, RestApiAccess & { readonly stage: string }>();

  private constructor(
    readonly pools: readonly { readonly pool: GraphUserPool; readonly issuer: LocalTokenIssuer }[],
    resources: readonly RecordedResource[],
    private readonly outputs: readonly Readonly<Record<string, unknown>>[],
    restApis: readonly RestApiSpec[],
  ) {
    const methods = methodAuthorizationsFromGraph(resources);
    for (const spec of restApis) {
      const authorizers = new Map<string, LocalCognitoAuthorizer[]>();
      const gatewayResponses = gatewayResponsesFromGraph(resources, spec.id);
      for (const route of spec.routes) {
        if (route.authorization !== "COGNITO_USER_POOLS" || !route.authorizerId || authorizers.has(route.authorizerId)) continue;
        const method = methods.find((m) => m.restApiId === spec.id && m.httpMethod === route.httpMethod && m.path === route.resourcePath);
        if (!method?.cognito) throw new GraphError(`API ${spec.name}'s ${route.httpMethod} ${route.resourcePath} names authorizer ${route.authorizerId}, which is not a Cognito user pools authorizer of the graph.`);
        authorizers.set(
          route.authorizerId,
          method.cognito.userPoolIds.map((userPoolId) => {
            const entry = this.pools.find((p) => p.pool.userPoolId === userPoolId);
            if (!entry) throw new GraphError(`Authorizer ${route.authorizerId} of API ${spec.name} trusts user pool ${userPoolId}, which the graph does not hold.`);
            return new LocalCognitoAuthorizer({ userPoolId, clientIds: entry.pool.clients.map((c) => c.clientId), jwks: entry.issuer.jwks }, method.cognito!.settings, gatewayResponses);
          }),
        );
      }
      const keys = stageApiKeysFromGraph(resources, spec.id, spec.stageName);
      this.apis.set(spec.id, { stage: spec.stageName, authorizers, ...(keys.length > 0 ? { apiKeys: new StageApiKeys(keys) } : {}) });
    }
  }

  /** Reads the pools, authorizers and usage plans of the graph; `outputs` are the stacks' outputs (client/key pairs). */
  static fromGraph(graph: LocalGraph, outputs: readonly Readonly<Record<string, unknown>>[]): LocalApiAccess {
    return LocalApiAccess.fromResources(graph.resources.flatMap((s) => s.resources), graph.restApis, outputs);
  }

  /** The same from recorded resources and the APIs' specs (tests build small ones). */
  static fromResources(resources: readonly RecordedResource[], restApis: readonly RestApiSpec[], outputs: readonly Readonly<Record<string, unknown>>[]): LocalApiAccess {
    const pools = userPoolsFromGraph(resources).map((pool) => ({ pool, issuer: new LocalTokenIssuer(pool) }));
    return new LocalApiAccess(pools, resources, outputs, restApis);
  }

  /** What the local REST API checks for the API's methods. */
  forApi(restApiId: string): RestApiAccess {
    return this.apis.get(restApiId) ?? { authorizers: new Map() };
  }

  /** The token issuer of a pool (the only one by default). */
  issuer(userPoolId?: string): LocalTokenIssuer {
    if (userPoolId === undefined) {
      if (this.pools.length === 1) return this.pools[0].issuer;
      throw new TokenRequestError("invalid_request", this.pools.length === 0 ? "The environment has no Cognito user pool, so the local cloud issues no tokens." : `The environment has ${this.pools.length} user pools (${this.pools.map((p) => p.pool.userPoolId).join(", ")}); name one.`);
    }
    const entry = this.pools.find((p) => p.pool.userPoolId === userPoolId);
    if (!entry) throw new TokenRequestError("invalid_request", `The environment has no user pool ${userPoolId}; its pools: ${this.pools.map((p) => p.pool.userPoolId).join(", ") || "none"}.`);
    return entry.issuer;
  }

  /** Every API key of every stage, with this run's values. */
  apiKeys(): LocalApiKey[] {
    const names = this.clientNamesByKeyId();
    return [...this.apis.entries()].flatMap(([apiId, access]) =>
      (access.apiKeys?.keys ?? []).map((key) => ({ api: apiId, stage: access.stage, id: key.id, name: names.get(key.id) ?? key.name, value: key.value })),
    );
  }

  /** The API key the stacks pair with an app client (`<client>ClientId` beside `<client>ApiKeyId` in a stack's outputs). */
  apiKeyForClient(clientId: string): LocalApiKey | undefined {
    for (const outputs of this.outputs) {
      const entry = Object.entries(outputs).find(([name, value]) => name.endsWith("ClientId") && value === clientId);
      if (!entry) continue;
      const keyId = outputs[`${entry[0].slice(0, -"ClientId".length)}ApiKeyId`];
      if (typeof keyId === "string") return this.apiKeys().find((k) => k.id === keyId);
    }
    return undefined;
  }

  /** A token as Cognito would give it: a customer's (SRP sign-in) or a machine client's (client credentials). */
  issue(request: TokenRequest): IssuedToken {
    const issuer = this.issuer(request.userPoolId);
    const customer = request.customer;
    if (customer !== undefined && request.scopes && request.scopes.length > 0) {
      throw new TokenRequestError("invalid_request", "Ask for a customer's token (customer) or a machine client's (scopes), not both: a customer's access token carries the scope aws.cognito.signin.user.admin only.");
    }
    // The handlers take the token's sub as the customer id; one they would refuse is refused here, with its rule.
    const invalid = customer === undefined ? undefined : z.safeParse(customerIdSchema, customer).error;
    if (invalid) {
      throw new TokenRequestError("invalid_request", `"${customer}" is not a customer id (the token's sub): it ${invalid.issues[0]?.message ?? "is invalid"}.`);
    }
    const accessToken =
      customer !== undefined
        ? issuer.customerAccessToken({ sub: customer, ...(request.clientId ? { clientId: request.clientId } : {}) })
        : issuer.machineAccessToken({ ...(request.clientId ? { clientId: request.clientId } : {}), ...(request.scopes && request.scopes.length > 0 ? { scopes: request.scopes } : {}) });
    const claims = JSON.parse(Buffer.from(accessToken.split(".")[1], "base64url").toString("utf8")) as { client_id: string; scope: string; exp: number; iat: number };
    const client = issuer.pool.clients.find((c) => c.clientId === claims.client_id);
    const apiKey = this.apiKeyForClient(claims.client_id);
    return {
      tokenType: "Bearer",
      accessToken,
      expiresIn: claims.exp - claims.iat,
      scope: claims.scope,
      userPoolId: issuer.pool.userPoolId,
      clientId: claims.client_id,
      ...(client?.name ? { clientName: client.name } : {}),
      ...(apiKey ? { apiKey: { name: apiKey.name, id: apiKey.id, value: apiKey.value } } : {}),
    };
  }

  private clientNamesByKeyId(): Map<string, string> {
    const names = new Map<string, string>();
    for (const outputs of this.outputs) {
      for (const [name, value] of Object.entries(outputs)) {
        if (name.endsWith("ApiKeyId") && typeof value === "string") names.set(value, name.slice(0, -"ApiKeyId".length));
      }
    }
    return names;
  }
}
