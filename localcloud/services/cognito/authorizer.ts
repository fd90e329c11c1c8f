import { CognitoJwtVerifier } from "aws-jwt-verify";
import { JwtBaseError, JwtExpiredError } from "aws-jwt-verify/error";
import type { JwtPayload } from "aws-jwt-verify/jwt-model";
import type { Jwks } from "./issuer";

// What API Gateway's COGNITO_USER_POOLS authorizer does for a REST API method, locally: it verifies the bearer token
// with AWS's own aws-jwt-verify (signature with the pool's published keys, issuer, expiry, token use, client, scope)
// and answers as API Gateway does. The rules, from AWS's documentation:
// - A method without authorization scopes takes an ID token; a method with scopes takes an access token, and "the
//   method call succeeds if any scope that's specified on the method ... matches a scope that's claimed in the
//   incoming token. Otherwise, the call fails with a 401 Unauthorized response."
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html
//   (and "If there are no additional scopes configured on the API Gateway method, make sure that you're using a valid
//   ID token": https://repost.aws/knowledge-center/api-gateway-cognito-401-unauthorized)
// - The token comes in the header the authorizer's `identitySource` names (`method.request.header.Authorization`);
//   its `identityValidationExpression`, when set, must match the token's `aud`, or the answer is 401.
//   https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html
// - A failed authentication is the UNAUTHORIZED gateway response (401, `{"message":"Unauthorized"}`); an expired token
//   gets the message "The incoming token has expired". Gateway responses the RestApi configures replace the defaults.
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
// - The claims reach the function as `event.requestContext.authorizer.claims`, every value a string: numbers as
//   their digits, `exp` and `iat` as dates (`Wed Jul 22 04:44:04 UTC 2026`), lists comma-joined, booleans as text.
// Not emulated: a token revoked in Cognito (RevokeToken / GlobalSignOut) stays valid here until it expires, and the
// authorizer's result cache (authorizerResultTtlInSeconds) is not kept, so every request is verified afresh.

/** The user pool whose tokens the authorizer accepts: read it from the graph, keys from the local token issuer. */
export interface AuthorizerUserPool {
  readonly userPoolId: string;
  /** The pool's app clients: every token the pool issues names one of them (`aud` or `client_id`). */
  readonly clientIds: readonly string[];
  /** The keys the pool signs with (its `/.well-known/jwks.json`). */
  readonly jwks: Jwks;
}

/** The authorizer resource's settings (`aws.apigateway.Authorizer` inputs). */
export interface AuthorizerSettings {
  /** The mapping expression of the token's header. @default "method.request.header.Authorization" */
  readonly identitySource?: string;
  /** A regular expression the token's `aud` must match. @default none */
  readonly identityValidationExpression?: string;
}

/** A method's authorization: its `authorizationScopes`. */
export interface MethodAuthorization {
  /** Scopes the access token must share at least one of; none (or empty) means the method takes an ID token. */
  readonly authorizationScopes?: readonly string[];
}

/** A gateway response the RestApi configures (`aws.apigateway.Response` inputs). */
export interface GatewayResponseSettings {
  readonly responseType: string;
  readonly statusCode?: string;
  readonly responseTemplates?: Readonly<Record<string, string>>;
  readonly responseParameters?: Readonly<Record<string, string>>;
}

/** An HTTP answer, shaped like the rest of the local API's answers. */
export interface GatewayAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The request, as far as the authorizer reads it. */
export interface AuthorizerRequest {
  /** Header names in any case, as the client sent them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** API Gateway's request id, for `$context.requestId` in gateway response templates. */
  readonly requestId?: string;
}

export type AuthorizerResult =
  | { readonly authorized: true; readonly claims: Record<string, string>; readonly tokenUse: "id" | "access" }
  | { readonly authorized: false; readonly response: GatewayAnswer; /** Why, for the local log; never sent. */ readonly reason: string };

const DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization";
const UNAUTHORIZED = "Unauthorized";
const EXPIRED = "The incoming token has expired";

/**
 * A COGNITO_USER_POOLS authorizer for one user pool. Build it once per API (it keeps the pool's JWKS preloaded, so
 * nothing is fetched), then call `authorize` for every request to a method that uses it.
 */
export class LocalCognitoAuthorizer {
  private readonly header: string;
  private readonly audiencePattern?: RegExp;
  private readonly verifiers: {
    id: ReturnType<typeof verifierFor<"id">>;
    access: ReturnType<typeof verifierFor<"access">>;
  };

  constructor(
    readonly pool: AuthorizerUserPool,
    readonly settings: AuthorizerSettings = {},
    private readonly gatewayResponses: readonly GatewayResponseSettings[] = [],
  ) {
    const source = settings.identitySource ?? DEFAULT_IDENTITY_SOURCE;
    const match = /^method\.request\.header\.([!#$%&'*+.^_`|~0-9A-Za-z-]+)$/.exec(source);
    if (!match) {
      throw new Error(`Authorizer identitySource "${source}" is not a header mapping expression (method.request.header.<Name>), which a COGNITO_USER_POOLS authorizer requires.`);
    }
    this.header = match[1].toLowerCase();
    if (settings.identityValidationExpression) {
      // API Gateway matches the whole value, as Java's String.matches does.
      this.audiencePattern = new RegExp(`^(?:${settings.identityValidationExpression})$`);
    }
    if (pool.clientIds.length === 0) throw new Error(`User pool ${pool.userPoolId} has no app client, so no token of it can be accepted.`);
    this.verifiers = { id: verifierFor(pool, "id"), access: verifierFor(pool, "access") };
  }

  /** Verifies the request's token for a method: the claims as API Gateway passes them, or API Gateway's refusal. */
  authorize(request: AuthorizerRequest, method: MethodAuthorization = {}): AuthorizerResult {
    const token = this.tokenOf(request);
    if (token === undefined) return this.refuse(request, UNAUTHORIZED, `no ${this.header} header`);
    const scopes = method.authorizationScopes ?? [];
    const tokenUse = scopes.length > 0 ? "access" : "id";
    let payload: JwtPayload;
    try {
      payload =
        tokenUse === "access" ? this.verifiers.access.verifySync(token, { scope: [...scopes] }) : this.verifiers.id.verifySync(token);
    } catch (error) {
      if (error instanceof JwtExpiredError) return this.refuse(request, EXPIRED, error.message);
      if (error instanceof JwtBaseError) return this.refuse(request, UNAUTHORIZED, `${error.constructor.name}: ${error.message}`);
      throw error;
    }
    if (this.audiencePattern && !(typeof payload.aud === "string" && this.audiencePattern.test(payload.aud))) {
      return this.refuse(request, UNAUTHORIZED, `aud ${JSON.stringify(payload.aud)} does not match identityValidationExpression ${this.settings.identityValidationExpression}`);
    }
    return { authorized: true, claims: claimsAsApiGatewayPassesThem(payload), tokenUse };
  }

  // The header's value is the token; clients commonly send it as `Bearer <token>`, which API Gateway accepts too.
  private tokenOf(request: AuthorizerRequest): string | undefined {
    const entry = Object.entries(request.headers).find(([name, value]) => name.toLowerCase() === this.header && value !== undefined);
    const value = entry?.[1]?.trim();
    if (!value) return undefined;
    const token = value.replace(/^Bearer\s+/i, "");
    return token.length > 0 ? token : undefined;
  }

  private refuse(request: AuthorizerRequest, message: string, reason: string): AuthorizerResult {
    return { authorized: false, reason, response: gatewayResponse("UNAUTHORIZED", 401, message, request, this.gatewayResponses) };
  }
}

function verifierFor<U extends "id" | "access">(pool: AuthorizerUserPool, tokenUse: U) {
  const verifier = CognitoJwtVerifier.create({ userPoolId: pool.userPoolId, tokenUse, clientId: [...pool.clientIds] });
  verifier.cacheJwks(pool.jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier;
}

/** `event.requestContext.authorizer.claims`: the token's claims with every value turned into a string as API Gateway does. */
export function claimsAsApiGatewayPassesThem(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if ((name === "exp" || name === "iat") && typeof value === "number") claims[name] = javaDateString(value);
    else if (Array.isArray(value)) claims[name] = value.map(String).join(",");
    else if (typeof value === "object") claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Seconds since the epoch as Java's `Date.toString()` in UTC: `Wed Jul 22 04:44:04 UTC 2026`. */
export function javaDateString(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${two(d.getUTCDate())} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * A gateway response as API Gateway renders it: the RestApi's own response of this type if it has one, else its
 * DEFAULT_4XX, else AWS's default (the type's status code, `{"message":$context.error.messageString}`). Templates may
 * use `$context.error.message`, `$context.error.messageString`, `$context.error.responseType` and `$context.requestId`;
 * headers may be static (`'value'`) or copy a request header (`method.request.header.<Name>`).
 */
export function gatewayResponse(
  responseType: string,
  defaultStatus: number,
  message: string,
  request: AuthorizerRequest,
  configured: readonly GatewayResponseSettings[] = [],
): GatewayAnswer {
  const own = configured.find((r) => r.responseType === responseType);
  const fallback = configured.find((r) => r.responseType === "DEFAULT_4XX");
  const chosen = own ?? fallback;
  // A DEFAULT_4XX status code applies to every 4XX type without its own (AWS: "Changing the status code of this
  // fallback gateway response changes the status codes of all other 4XX responses").
  const status = Number(own?.statusCode ?? fallback?.statusCode ?? defaultStatus);
  const template = chosen?.responseTemplates?.["application/json"] ?? '{"message":$context.error.messageString}';
  const context: Record<string, string> = {
    "$context.error.messageString": JSON.stringify(message),
    "$context.error.message": message,
    "$context.error.responseType": responseType,
    "$context.requestId": request.requestId ?? "",
  };
  const body = template.replace(/\$context\.(error\.messageString|error\.message|error\.responseType|requestId)\b/g, (m) => context[m]);
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const [key, value] of Object.entries(chosen?.responseParameters ?? {})) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
    if (!name) continue;
    const copied = /^method\.request\.header\.(.+)$/.exec(value)?.[1];
    const headerValue = copied
      ? Object.entries(request.headers).find(([n]) => n.toLowerCase() === copied.toLowerCase())?.[1]
      : /^'(.*)'$/.exec(value)?.[1];
    if (headerValue !== undefined) headers[name.toLowerCase()] = headerValue;
  }
  return { statusCode: status, headers, body };
}
