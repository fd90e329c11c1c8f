import { definePolicy, type OrderflowPolicy } from "./lib/define";
import * as t from "./lib/types";
import { at, isUnknown } from "./lib/values";

// Who may call an API, and how safely its users sign in.

const AUTHORIZED_REST = ["COGNITO_USER_POOLS", "CUSTOM", "AWS_IAM"];
const AUTHORIZED_HTTP = ["JWT", "CUSTOM", "AWS_IAM"];

const apigatewayMethodAuthorized = definePolicy({
  name: "apigateway-method-authorized",
  description:
    "Every API Gateway REST method and HTTP API route has an authorizer (Cognito user pools or JWT, Lambda, or IAM); one that must stay open (a CORS preflight) is exempted with its reason.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.REST_METHOD, t.HTTP_ROUTE],
  validateResource: (method, report) => {
    const rest = method.type === t.REST_METHOD;
    const kind = at(method.props, rest ? "authorization" : "authorizationType");
    const option = rest ? "`authorization`" : "`authorizationType`";
    if (isUnknown(kind)) return report.unknown(method, option);
    const allowed = rest ? AUTHORIZED_REST : AUTHORIZED_HTTP;
    const fix = rest
      ? "give the RestApi component an `authorizer` (a Cognito user pool), or set `authorization` to COGNITO_USER_POOLS or CUSTOM with an `authorizerId`, or AWS_IAM; exempt a method that must stay open, with its reason, in the --policy-pack-config file"
      : "set `authorizationType` to JWT or CUSTOM with an `authorizerId`, or AWS_IAM; exempt a route that must stay open, with its reason, in the --policy-pack-config file";
    if (typeof kind !== "string" || !allowed.includes(kind)) {
      report.violation(method, `anyone can call it (${option} is ${kind === undefined ? "NONE, by default" : String(kind)})`, fix);
    } else if (kind !== "AWS_IAM" && at(method.props, "authorizerId") === undefined) {
      // Presence decides: an authorizer id not known yet at preview is still an authorizer.
      report.violation(method, `its ${option} is ${kind} but it names no \`authorizerId\``, fix);
    }
  },
});

// Cognito's default password policy is 8 characters with a lowercase and an uppercase letter, a number and a symbol;
// temporary passwords expire after 7 days (https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html).
// The pack asks for 12 characters, and for a password history on every plan that has one (Essentials and Plus:
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_PasswordPolicyType.html).
const MINIMUM_LENGTH = 12;
const DEFAULT_TEMPORARY_PASSWORD_DAYS = 7;
const REQUIRED_CHARACTER_CLASSES = ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"];

const cognitoUserPoolSecure = definePolicy({
  name: "cognito-user-pool-secure",
  description:
    "Cognito user pools offer MFA (require it where the config says `requireMfa: true`, as prod's does), ask for passwords of 12+ characters of every class with a password history on the plans that have one, and have deletion protection (the dev policy config turns that part off with `requireDeletionProtection: false`).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.USER_POOL],
  config: {
    requireMfa: {
      type: "boolean",
      default: false,
      description: "Whether every user must sign in with a second factor (`mfaConfiguration` ON): true in prod's config.",
    },
    requireDeletionProtection: {
      type: "boolean",
      default: true,
      description: "Whether pools must have deletion protection ACTIVE (true outside dev).",
    },
  },
  validateResource: (pool, report, config) => {
    const mfa = at(pool.props, "mfaConfiguration");
    if (isUnknown(mfa)) report.unknown(pool, "`mfaConfiguration`");
    else if (mfa !== "OPTIONAL" && mfa !== "ON") {
      report.violation(pool, `its users cannot add a second factor (\`mfaConfiguration\` is ${mfa === undefined ? "OFF, by default" : String(mfa)})`, "use the UserPool component (MFA OPTIONAL with TOTP by default), or set `mfaConfiguration: \"OPTIONAL\"` or `\"ON\"` with `softwareTokenMfaConfiguration: { enabled: true }`");
    } else if (mfa !== "ON" && config.requireMfa === true) {
      report.violation(pool, "its users may sign in with a password alone (`mfaConfiguration` is OPTIONAL where this environment requires MFA)", "set `orderflow:identity: { mfa: \"ON\" }` in the environment's Pulumi.<env>.yaml (the UserPool component's `mfa`), or `mfaConfiguration: \"ON\"`");
    }

    // Without a `passwordPolicy` block Cognito applies its default (8 characters, no history): too weak here.
    const policy = at(pool.props, "passwordPolicy");
    const tier = at(pool.props, "userPoolTier");
    if (isUnknown(policy)) report.unknown(pool, "`passwordPolicy`");
    else {
      const weaker: string[] = [];
      const length = policy === undefined || policy === null ? 8 : at(policy, "minimumLength");
      if (typeof length === "number" && length < MINIMUM_LENGTH) weaker.push(`minimumLength ${length} < ${MINIMUM_LENGTH}`);
      const history = policy === undefined || policy === null ? undefined : at(policy, "passwordHistorySize");
      if (!isUnknown(history) && !isUnknown(tier) && tier !== "LITE" && !(typeof history === "number" && history >= 1)) weaker.push("no passwordHistorySize (the plan has one)");
      if (policy !== undefined && policy !== null) {
        for (const key of REQUIRED_CHARACTER_CLASSES) {
          const value = at(policy, key);
          if (!isUnknown(value) && value !== true) weaker.push(`${key} is not true`);
        }
        const days = at(policy, "temporaryPasswordValidityDays");
        if (typeof days === "number" && days > DEFAULT_TEMPORARY_PASSWORD_DAYS) weaker.push(`temporaryPasswordValidityDays ${days} > ${DEFAULT_TEMPORARY_PASSWORD_DAYS}`);
      }
      if (weaker.length > 0) {
        report.violation(pool, `its password policy is too weak (${weaker.join(", ")})`, "use the UserPool component (12+ characters, a history of 5), or require 12+ characters with lowercase, uppercase, numbers and symbols, a `passwordHistorySize`, and temporary passwords of 7 days at most");
      }
    }

    if (config.requireDeletionProtection !== false) {
      const protection = at(pool.props, "deletionProtection");
      if (isUnknown(protection)) report.unknown(pool, "`deletionProtection`");
      else if (protection !== "ACTIVE") {
        report.violation(pool, "deleting it (or replacing it) would delete every user and their passwords (`deletionProtection` is not ACTIVE)", "set `orderflow:deletionProtection: true` in the environment's Pulumi.<env>.yaml (the UserPool component follows it), or `deletionProtection: \"ACTIVE\"`");
      }
    }
  },
});

// A public client (no secret: a browser or phone app) keeps its refresh token where scripts and malware can reach it.
// With rotation, each refresh returns a new refresh token and invalidates the old one, so a stolen token is worth one
// use at most: https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-refresh-token.html
const cognitoPublicClientRotatesRefreshTokens = definePolicy({
  name: "cognito-public-client-refresh-rotation",
  description: "Cognito app clients without a secret (browsers, mobile apps) rotate their refresh tokens (`refreshTokenRotation.feature` ENABLED).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.USER_POOL_CLIENT],
  validateResource: (client, report) => {
    const secret = at(client.props, "generateSecret");
    if (isUnknown(secret)) return report.unknown(client, "`generateSecret`");
    if (secret === true) return;
    const feature = at(client.props, "refreshTokenRotation", "feature");
    if (isUnknown(feature)) return report.unknown(client, "`refreshTokenRotation.feature`");
    if (feature !== "ENABLED") {
      report.violation(
        client,
        "it is a public client (no secret) whose refresh tokens do not rotate, so a stolen refresh token keeps minting access tokens until it expires",
        "use the UserPool component's addWebClient (rotation on), or set `refreshTokenRotation: { feature: \"ENABLED\", retryGracePeriodSeconds: 10 }`",
      );
    }
  },
});

/** Access control policies. */
export const accessControlPolicies: OrderflowPolicy[] = [apigatewayMethodAuthorized, cognitoUserPoolSecure, cognitoPublicClientRotatesRefreshTokens];
