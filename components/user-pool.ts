import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { transform, type Transform } from "./transform";

/** A resource server: an API whose OAuth scopes app clients may be granted (`orders` + `read` = `orders/read`). */
export interface ResourceServerArgs {
  /** The scope prefix, e.g. `orders`. Letters, digits and `-_.:/`, 1 to 256 characters. */
  identifier: string;
  /** @default `identifier` */
  name?: string;
  /** Scope name → description, e.g. `{ read: "Read any order" }`. At least one. */
  scopes: Record<string, string>;
}

export interface UserPoolArgs {
  /**
   * The prefix of the pool's Cognito domain, `https://<prefix>.auth.<region>.amazoncognito.com`, which serves the hosted
   * UI and the OAuth endpoints (the client-credentials grant needs `/oauth2/token`). Lowercase letters, digits and
   * hyphens, unique in the region across AWS accounts, and without "aws", "amazon" or "cognito".
   */
  domainPrefix: pulumi.Input<string>;
  /**
   * Whether people may sign themselves up (SignUp); otherwise only administrators create users.
   * @default false
   */
  selfSignUp?: boolean;
  /**
   * Whether the pool refuses to be deleted until this is turned off (it holds the users and their passwords).
   * @default false
   */
  deletionProtection?: boolean;
  /**
   * Threat protection (formerly advanced security): compromised-credential checks and adaptive authentication.
   * `AUDIT` only records risks, `ENFORCED` acts on them. Anything but `OFF` needs the Plus feature plan, which the pool
   * then uses (billed per monthly active user); with `OFF` the pool is on the Essentials plan.
   * https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-settings-threat-protection.html
   * @default "OFF"
   */
  threatProtection?: "OFF" | "AUDIT" | "ENFORCED";
  /**
   * `OPTIONAL`: each user may add an authenticator app (TOTP) as a second factor; `ON`: every user must.
   * @default "OPTIONAL"
   */
  mfa?: "OPTIONAL" | "ON";
  /**
   * The fewest characters a password may have, 12 to 99 (Cognito's own default, 8, is below NIST SP 800-63B's advice
   * for passwords that are the only factor). Lowercase, uppercase, numbers and symbols are required as well.
   * @default 12
   */
  passwordMinimumLength?: number;
  /**
   * How many of a user's previous passwords they may not reuse, 1 to 24. Cognito enforces it on the Essentials and
   * Plus plans, which every pool of this component is on
   * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html).
   * @default 5
   */
  passwordHistorySize?: number;
  /** Resource servers and their scopes, for machine clients and API methods. @default none */
  resourceServers?: ResourceServerArgs[];
  transform?: {
    userPool?: Transform<aws.cognito.UserPoolArgs>;
  };
}

/** A browser or mobile app that signs users in. */
export interface WebClientArgs {
  /** Where the hosted UI may send a signed-in user back: https URLs, or http://localhost for development. */
  callbackUrls: pulumi.Input<string>[];
  /** Where the hosted UI may send a signed-out user. @default `callbackUrls` */
  logoutUrls?: pulumi.Input<string>[];
  /** Minutes the access and ID tokens live, 5 to 1440. @default 15 */
  accessTokenMinutes?: number;
  /** Days the refresh token lives, 1 to 3650. @default 30 */
  refreshTokenDays?: number;
  /**
   * Seconds a rotated-out refresh token still works, 0 to 60, so that a client whose refresh answer was lost can retry.
   * Refresh tokens rotate: each refresh returns a new one and invalidates the old, so a stolen refresh token stops
   * working once either party uses it. With rotation, apps refresh through GetTokensFromRefreshToken (Amplify does)
   * or the token endpoint, not InitiateAuth's REFRESH_TOKEN_AUTH
   * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html).
   * @default 10
   */
  refreshTokenGraceSeconds?: number;
}

/** A back end that calls APIs in its own name (client-credentials grant). */
export interface MachineClientArgs {
  /** Full scope names it may be granted, e.g. `["orders/read"]`; each must belong to a resource server of the pool. */
  scopes: string[];
  /** Minutes its access tokens live, 5 to 1440. @default 60 */
  accessTokenMinutes?: number;
}

/** Scopes a web client may ask the hosted UI for; `aws.cognito.signin.user.admin` is what SRP sign-in grants too. */
const WEB_CLIENT_SCOPES = ["openid", "email", "aws.cognito.signin.user.admin"];

/**
 * An Amazon Cognito user pool for an application's users: sign-in by email, MFA (TOTP) optional by default, a
 * password policy as strict as Cognito's default, account recovery by verified email, deletion protection and threat
 * protection from the arguments, a Cognito domain for the hosted UI and OAuth endpoints, and resource servers with
 * their scopes. Add app clients with `addWebClient` (public, SRP and refresh tokens, no secret) and
 * `addMachineClient` (client credentials, with a secret).
 *
 * @example
 * const customers = new UserPool("customers", {
 *   domainPrefix: "orderflow-dev-123456789012",
 *   resourceServers: [{ identifier: "orders", scopes: { read: "Read any order", write: "Place orders" } }],
 * });
 * const storefront = customers.addWebClient("storefront", { callbackUrls: ["https://shop.example.com/signed-in"] });
 * const backOffice = customers.addMachineClient("backOffice", { scopes: ["orders/read"] });
 */
export class UserPool extends pulumi.ComponentResource {
  /** The pool's id, `<region>_<id>`. */
  readonly userPoolId: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The `iss` of the pool's tokens: `https://cognito-idp.<region>.amazonaws.com/<id>`. */
  readonly issuer: pulumi.Output<string>;
  /** The Cognito domain's base URL: the hosted UI, `/oauth2/authorize` and `/oauth2/token`. */
  readonly domainUrl: pulumi.Output<string>;
  /** The OAuth token endpoint, where machine clients get tokens. */
  readonly tokenEndpoint: pulumi.Output<string>;
  /** Every full scope name its resource servers define. */
  readonly scopes: readonly string[];
  readonly nodes: { userPool: aws.cognito.UserPool; domain: aws.cognito.UserPoolDomain; resourceServers: aws.cognito.ResourceServer[] };
  private readonly componentName: string;

  constructor(name: string, args: UserPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:identity:UserPool", name, {}, opts);
    this.componentName = name;
    const threatProtection = args.threatProtection ?? "OFF";
    requireIntegerInRange(`UserPool "${name}"`, "passwordMinimumLength", args.passwordMinimumLength, 12, 99, "characters");
    requireIntegerInRange(`UserPool "${name}"`, "passwordHistorySize", args.passwordHistorySize, 1, 24, "passwords");
    const scopes = validate();

    const region = aws.getRegionOutput({}, { parent: this }).region;
    const userPool = createUserPool(this);
    const domain = createDomain(this);
    const resourceServers = createResourceServers(this);

    this.userPoolId = userPool.id;
    this.arn = userPool.arn;
    this.issuer = pulumi.interpolate`https://cognito-idp.${region}.amazonaws.com/${userPool.id}`;
    this.domainUrl = pulumi.interpolate`https://${domain.domain}.auth.${region}.amazoncognito.com`;
    this.tokenEndpoint = pulumi.interpolate`${this.domainUrl}/oauth2/token`;
    this.scopes = scopes;
    this.nodes = { userPool, domain, resourceServers };
    this.registerOutputs({ userPoolId: this.userPoolId, arn: this.arn, issuer: this.issuer, tokenEndpoint: this.tokenEndpoint });

    function validate(): string[] {
      const full: string[] = [];
      for (const server of args.resourceServers ?? []) {
        if (!/^[\x21\x23-\x5b\x5d-\x7e]{1,256}$/.test(server.identifier)) {
          throw new ComponentArgumentError(`UserPool "${name}"`, `resource server identifier "${server.identifier}" must be 1 to 256 printable characters without spaces, quotes or backslashes.`);
        }
        const names = Object.keys(server.scopes);
        if (names.length === 0) throw new ComponentArgumentError(`UserPool "${name}"`, `resource server "${server.identifier}" needs at least one scope.`);
        for (const scope of names) {
          if (!/^[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]{1,256}$/.test(scope)) {
            throw new ComponentArgumentError(`UserPool "${name}"`, `scope name "${scope}" of "${server.identifier}" must be printable characters without spaces, quotes, slashes or backslashes.`);
          }
          full.push(`${server.identifier}/${scope}`);
        }
      }
      return full;
    }

    function createUserPool(parent: pulumi.Resource) {
      return new aws.cognito.UserPool(
        ...transform(
          args.transform?.userPool,
          `${name}UserPool`,
          {
            // Users sign in with their email address; their username is their `sub`.
            usernameAttributes: ["email"],
            autoVerifiedAttributes: ["email"],
            userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            adminCreateUserConfig: { allowAdminCreateUserOnly: !(args.selfSignUp ?? false) },
            mfaConfiguration: args.mfa ?? "OPTIONAL",
            softwareTokenMfaConfiguration: { enabled: true },
            // Stricter than Cognito's own default (8 characters, no history), stated in full so that policies and
            // reviewers can see it (and nobody weakens it by setting one field of the block: the provider sends unset
            // booleans as false). https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
            passwordPolicy: {
              minimumLength: args.passwordMinimumLength ?? 12,
              passwordHistorySize: args.passwordHistorySize ?? 5,
              requireLowercase: true,
              requireUppercase: true,
              requireNumbers: true,
              requireSymbols: true,
              temporaryPasswordValidityDays: 7,
            },
            deletionProtection: args.deletionProtection ? "ACTIVE" : "INACTIVE",
            // Threat protection exists only on the Plus feature plan:
            // https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-sign-in-feature-plans.html
            userPoolTier: threatProtection === "OFF" ? "ESSENTIALS" : "PLUS",
            ...(threatProtection === "OFF" ? {} : { userPoolAddOns: { advancedSecurityMode: threatProtection } }),
          },
          { parent },
        ),
      );
    }

    function createDomain(parent: pulumi.Resource) {
      return new aws.cognito.UserPoolDomain(`${name}Domain`, { domain: args.domainPrefix, userPoolId: userPool.id }, { parent });
    }

    function createResourceServers(parent: pulumi.Resource) {
      return (args.resourceServers ?? []).map(
        (server) =>
          new aws.cognito.ResourceServer(
            `${name}${pascal(server.identifier)}Scopes`,
            {
              userPoolId: userPool.id,
              identifier: server.identifier,
              name: server.name ?? server.identifier,
              scopes: Object.entries(server.scopes).map(([scopeName, scopeDescription]) => ({ scopeName, scopeDescription })),
            },
            { parent },
          ),
      );
    }
  }

  /**
   * A public app client for a browser or mobile app: no secret (a browser cannot keep one), SRP sign-in and rotating
   * refresh tokens, the hosted UI's authorization-code grant (with PKCE) for `openid email aws.cognito.signin.user.admin`,
   * short-lived access tokens, token revocation, and no hint whether a user exists.
   */
  addWebClient(name: string, args: WebClientArgs): aws.cognito.UserPoolClient {
    const component = `UserPool "${this.componentName}" client "${name}"`;
    requireIntegerInRange(component, "accessTokenMinutes", args.accessTokenMinutes, 5, 1440, "minutes");
    requireIntegerInRange(component, "refreshTokenDays", args.refreshTokenDays, 1, 3650, "days");
    requireIntegerInRange(component, "refreshTokenGraceSeconds", args.refreshTokenGraceSeconds, 0, 60, "seconds");
    const minutes = args.accessTokenMinutes ?? 15;
    return new aws.cognito.UserPoolClient(
      `${this.componentName}${pascal(name)}Client`,
      {
        name,
        userPoolId: this.userPoolId,
        generateSecret: false,
        explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: WEB_CLIENT_SCOPES,
        supportedIdentityProviders: ["COGNITO"],
        callbackUrls: args.callbackUrls,
        logoutUrls: args.logoutUrls ?? args.callbackUrls,
        accessTokenValidity: minutes,
        idTokenValidity: minutes,
        refreshTokenValidity: args.refreshTokenDays ?? 30,
        // A public client's refresh token lives in a browser: rotation limits what a stolen one is worth.
        refreshTokenRotation: { feature: "ENABLED", retryGracePeriodSeconds: args.refreshTokenGraceSeconds ?? 10 },
        tokenValidityUnits: { accessToken: "minutes", idToken: "minutes", refreshToken: "days" },
        enableTokenRevocation: true,
        preventUserExistenceErrors: "ENABLED",
      },
      { parent: this, dependsOn: this.nodes.domain },
    );
  }

  /**
   * A confidential app client for a back end: a client secret, the client-credentials grant only (no user sign-in),
   * for the given scopes of the pool's resource servers.
   */
  addMachineClient(name: string, args: MachineClientArgs): aws.cognito.UserPoolClient {
    const component = `UserPool "${this.componentName}" client "${name}"`;
    const unknown = args.scopes.filter((s) => !this.scopes.includes(s));
    if (args.scopes.length === 0 || unknown.length > 0) {
      throw new ComponentArgumentError(
        component,
        `\`scopes\` must name scopes of the pool's resource servers (${this.scopes.join(", ") || "none defined"}), but ${unknown.length > 0 ? unknown.join(", ") : "none"} was provided.`,
      );
    }
    requireIntegerInRange(component, "accessTokenMinutes", args.accessTokenMinutes, 5, 1440, "minutes");
    return new aws.cognito.UserPoolClient(
      `${this.componentName}${pascal(name)}Client`,
      {
        name,
        userPoolId: this.userPoolId,
        generateSecret: true,
        // No user flows: refresh is the one flow Cognito requires a client to list, and this client gets no refresh token.
        explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["client_credentials"],
        allowedOauthScopes: args.scopes,
        supportedIdentityProviders: ["COGNITO"],
        accessTokenValidity: args.accessTokenMinutes ?? 60,
        tokenValidityUnits: { accessToken: "minutes" },
        enableTokenRevocation: true,
        preventUserExistenceErrors: "ENABLED",
      },
      // Cognito refuses a client whose scopes no resource server defines yet.
      { parent: this, dependsOn: [...this.nodes.resourceServers, this.nodes.domain] },
    );
  }
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((s) => s.charAt(0).toUpperCase() + s.slice(1))
    .join("");
}
