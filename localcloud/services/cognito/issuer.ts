import { createSign, generateKeyPair, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";

// A local stand-in for one Cognito user pool's token service: it signs the tokens a storefront customer (SRP sign-in)
// and a machine client (client-credentials grant) would get from the pool, with keys made for this run and published
// as the pool's JWKS. The claims follow AWS's documentation of the tokens:
//   access token: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
//   ID token:     https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
//   token endpoint (client credentials; no `scope` asked means every custom scope the client is allowed):
//                 https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
// and the claims API Gateway received from real pools (`version: 2`, `event_id`, `origin_jti` in access tokens;
// client-credentials tokens carry no user: `sub` is the client id and there is no `username`).
// Verification is not done here: the local authorizer verifies with AWS's aws-jwt-verify, so a token this module got
// wrong fails there as it would in AWS. Signing is one RSASSA-PKCS1-v1_5 SHA-256 signature over the two base64url
// segments (RFC 7515 §5.1, `alg: RS256`, the algorithm user pools use), which node:crypto does itself.

/** The scope Cognito puts in access tokens from API sign-in (SRP): it lets the user manage their own profile. */
export const USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin";

/** One app client of the pool, as the pool's configuration describes it. */
export interface IssuerAppClient {
  readonly clientId: string;
  /** Logical name, for messages ("storefront"). */
  readonly name?: string;
  /** True when the client may sign users in (SRP/password auth flows, or the hosted UI's code grant). */
  readonly userSignIn: boolean;
  /** True when the client may use the client-credentials grant (a machine client, which has a secret). */
  readonly clientCredentials: boolean;
  /** OAuth scopes the client may ask for (`allowedOauthScopes`), e.g. `orders/read`. */
  readonly allowedScopes: readonly string[];
  /** Lifetime of the access tokens it gets, in seconds. @default 3600 (Cognito's default of one hour) */
  readonly accessTokenValiditySeconds?: number;
  /** Lifetime of the ID tokens it gets, in seconds. @default 3600 */
  readonly idTokenValiditySeconds?: number;
}

/** A resource server of the pool: its identifier and the scope names under it (`orders` + `read` = `orders/read`). */
export interface IssuerResourceServer {
  readonly identifier: string;
  readonly scopes: readonly string[];
}

/** The user pool the issuer stands in for; read it from the synthesized graph (see `userPoolsFromGraph`). */
export interface IssuerUserPool {
  /** `<region>_<id>`, e.g. `us-east-1_AbC123xyz`. */
  readonly userPoolId: string;
  readonly region: string;
  readonly clients: readonly IssuerAppClient[];
  readonly resourceServers: readonly IssuerResourceServer[];
}

/** A JSON Web Key as a user pool's `/.well-known/jwks.json` lists it. */
export interface PublicJwk {
  readonly kty: "RSA";
  readonly kid: string;
  readonly alg: "RS256";
  readonly use: "sig";
  readonly n: string;
  readonly e: string;
}

export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

/** Who signs in, for a customer's tokens. */
export interface CustomerTokenRequest {
  /** The customer's user id: the token's `sub` (the orders API's customer id). */
  readonly sub: string;
  /** The user name. @default `sub` (a pool that signs users in by email names each user by its sub) */
  readonly username?: string;
  /** The app client the customer signed in with. @default the pool's only user sign-in client */
  readonly clientId?: string;
  /** User pool groups, as `cognito:groups`. @default none (the claim is left out) */
  readonly groups?: readonly string[];
  /** The email address, in the ID token. @default none */
  readonly email?: string;
  /** Seconds the token lives. @default the client's validity */
  readonly expiresInSeconds?: number;
  /** Seconds since the epoch at which the token was issued. @default now */
  readonly issuedAt?: number;
}

/** A client-credentials grant. */
export interface MachineTokenRequest {
  /** The machine client. @default the pool's only client-credentials client */
  readonly clientId?: string;
  /** Scopes asked for. @default every custom scope the client is allowed, as Cognito grants when none is asked */
  readonly scopes?: readonly string[];
  /** Seconds the token lives. @default the client's validity */
  readonly expiresInSeconds?: number;
  /** Seconds since the epoch at which the token was issued. @default now */
  readonly issuedAt?: number;
}

/** A request the pool would refuse: the message names what is wrong and what the pool allows. */
export class TokenRequestError extends Error {
  constructor(
    /** The OAuth error Cognito's token endpoint answers with (`invalid_scope`, `unauthorized_client`, `invalid_client`). */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "TokenRequestError";
  }
}

const DEFAULT_VALIDITY_SECONDS = 3600;

/**
 * A token issuer for one user pool: two RSA key pairs made per instance (Cognito signs ID and access tokens with
 * different keys, so their `kid`s differ), the JWKS that publishes them, and functions that mint the pool's tokens.
 */
export class LocalTokenIssuer {
  /** `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`: the `iss` of every token. */
  readonly issuer: string;
  /** Where Cognito publishes the pool's keys; a local server may serve `jwks` there. */
  readonly jwksUri: string;
  readonly jwks: Jwks;
  private readonly signers: { access: Signer; id: Signer };

  constructor(
    readonly pool: IssuerUserPool,
    private readonly clock: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    validatePool(pool);
    this.issuer = `https://cognito-idp.${pool.region}.amazonaws.com/${pool.userPoolId}`;
    this.jwksUri = `${this.issuer}/.well-known/jwks.json`;
    this.signers = { access: newSigner(), id: newSigner() };
    this.jwks = { keys: [this.signers.id.jwk, this.signers.access.jwk] };
  }

  /** A customer's access token, as SRP sign-in returns it (scope `aws.cognito.signin.user.admin`). */
  customerAccessToken(request: CustomerTokenRequest): string {
    const client = this.userClient(request.clientId);
    const iat = request.issuedAt ?? this.clock();
    return this.signers.access.sign({
      sub: request.sub,
      ...(request.groups && request.groups.length > 0 ? { "cognito:groups": [...request.groups] } : {}),
      iss: this.issuer,
      version: 2,
      client_id: client.clientId,
      origin_jti: randomUUID(),
      event_id: randomUUID(),
      token_use: "access",
      scope: USER_ADMIN_SCOPE,
      auth_time: iat,
      exp: iat + (request.expiresInSeconds ?? client.accessTokenValiditySeconds ?? DEFAULT_VALIDITY_SECONDS),
      iat,
      jti: randomUUID(),
      username: request.username ?? request.sub,
    });
  }

  /** The same sign-in's ID token: `aud` is the client, `cognito:username` the user name. */
  customerIdToken(request: CustomerTokenRequest): string {
    const client = this.userClient(request.clientId);
    const iat = request.issuedAt ?? this.clock();
    return this.signers.id.sign({
      sub: request.sub,
      ...(request.groups && request.groups.length > 0 ? { "cognito:groups": [...request.groups] } : {}),
      ...(request.email !== undefined ? { email_verified: true, email: request.email } : {}),
      iss: this.issuer,
      "cognito:username": request.username ?? request.sub,
      origin_jti: randomUUID(),
      aud: client.clientId,
      event_id: randomUUID(),
      token_use: "id",
      auth_time: iat,
      exp: iat + (request.expiresInSeconds ?? client.idTokenValiditySeconds ?? DEFAULT_VALIDITY_SECONDS),
      iat,
      jti: randomUUID(),
    });
  }

  /** A client-credentials access token: no user, so `sub` is the client id; `scope` lists the granted scopes. */
  machineAccessToken(request: MachineTokenRequest = {}): string {
    const client = this.machineClient(request.clientId);
    const scopes = request.scopes ?? client.allowedScopes.filter((s) => s.includes("/"));
    const refused = scopes.filter((s) => !client.allowedScopes.includes(s));
    if (scopes.length === 0 || refused.length > 0) {
      throw new TokenRequestError(
        "invalid_scope",
        `App client ${describeClient(client)} may not be granted ${refused.length > 0 ? refused.join(", ") : "an empty scope"}; ` +
          `it is allowed: ${client.allowedScopes.join(", ") || "(no scopes)"}.`,
      );
    }
    const iat = request.issuedAt ?? this.clock();
    return this.signers.access.sign({
      sub: client.clientId,
      token_use: "access",
      scope: scopes.join(" "),
      auth_time: iat,
      iss: this.issuer,
      exp: iat + (request.expiresInSeconds ?? client.accessTokenValiditySeconds ?? DEFAULT_VALIDITY_SECONDS),
      iat,
      version: 2,
      jti: randomUUID(),
      client_id: client.clientId,
    });
  }

  private userClient(clientId: string | undefined): IssuerAppClient {
    return this.client(clientId, "userSignIn", "sign users in", "unauthorized_client");
  }

  private machineClient(clientId: string | undefined): IssuerAppClient {
    return this.client(clientId, "clientCredentials", "use the client-credentials grant", "unauthorized_client");
  }

  private client(clientId: string | undefined, flow: "userSignIn" | "clientCredentials", what: string, code: string): IssuerAppClient {
    const able = this.pool.clients.filter((c) => c[flow]);
    if (clientId === undefined) {
      if (able.length === 1) return able[0];
      throw new TokenRequestError(
        code,
        able.length === 0
          ? `User pool ${this.pool.userPoolId} has no app client that may ${what}.`
          : `User pool ${this.pool.userPoolId} has ${able.length} app clients that may ${what} (${able.map(describeClient).join(", ")}); name one.`,
      );
    }
    const client = this.pool.clients.find((c) => c.clientId === clientId);
    if (!client) {
      throw new TokenRequestError("invalid_client", `User pool ${this.pool.userPoolId} has no app client ${clientId}; its clients: ${this.pool.clients.map(describeClient).join(", ")}.`);
    }
    if (!client[flow]) throw new TokenRequestError(code, `App client ${describeClient(client)} may not ${what}.`);
    return client;
  }
}

function describeClient(client: IssuerAppClient): string {
  return client.name ? `${client.name} (${client.clientId})` : client.clientId;
}

// A user pool id is `<region>_<id>` (aws-jwt-verify derives the issuer from it the same way), and every scope a client
// may ask for is either a built-in one or a resource server's.
function validatePool(pool: IssuerUserPool): void {
  if (!pool.userPoolId.startsWith(`${pool.region}_`)) {
    throw new Error(`User pool id "${pool.userPoolId}" is not of region ${pool.region}: Cognito pool ids are "<region>_<id>".`);
  }
  const custom = new Set(pool.resourceServers.flatMap((rs) => rs.scopes.map((s) => `${rs.identifier}/${s}`)));
  for (const client of pool.clients) {
    const unknown = client.allowedScopes.filter((s) => s.includes("/") && !custom.has(s));
    if (unknown.length > 0) {
      throw new Error(
        `App client ${describeClient(client)} is allowed scopes no resource server of ${pool.userPoolId} defines: ${unknown.join(", ")} ` +
          `(defined: ${[...custom].join(", ") || "none"}).`,
      );
    }
  }
}

interface Signer {
  readonly jwk: PublicJwk;
  sign(payload: Record<string, unknown>): string;
}

// RSA keys made ahead, in libuv's thread pool (prepareSigningKeys), for the issuers built after. Made on the main
// thread while the cloud starts the functions' processes, the two keys of a pool took 0.5 s of its start (profiled).
const preparedKeys: { publicKey: KeyObject; privateKey: KeyObject }[] = [];

/**
 * Makes `count` signing keys in the background, for issuers built later in this process (each takes two: access and
 * ID tokens); resolves when they are ready. An issuer that finds none ready makes its own.
 */
export function prepareSigningKeys(count: number): Promise<void> {
  const one = () =>
    new Promise<void>((resolve) =>
      generateKeyPair("rsa", { modulusLength: 2048 }, (error, publicKey, privateKey) => {
        if (!error) preparedKeys.push({ publicKey, privateKey });
        resolve();
      }),
    );
  return Promise.all(Array.from({ length: count }, one)).then(() => undefined);
}

function newSigner(): Signer {
  // Cognito signs with 2048-bit RSA keys (RS256), one per pool and token kind, as its JWKS shows.
  const { publicKey, privateKey } = preparedKeys.shift() ?? generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = randomUUID();
  const { n, e } = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const jwk: PublicJwk = { kty: "RSA", kid, alg: "RS256", use: "sig", n, e };
  return { jwk, sign: (payload) => signJwt(privateKey, kid, payload) };
}

function signJwt(privateKey: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const input = `${base64url(JSON.stringify({ kid, alg: "RS256" }))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign("RSA-SHA256").update(input).sign(privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}
