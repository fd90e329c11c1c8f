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

// Cognito's default password policy: 8 characters with a lowercase and an uppercase letter, a number and a symbol;
// temporary passwords expire after 7 days. https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html
const DEFAULT_MINIMUM_LENGTH = 8;
const DEFAULT_TEMPORARY_PASSWORD_DAYS = 7;
const REQUIRED_CHARACTER_CLASSES = ["requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"];

const cognitoUserPoolSecure = definePolicy({
  name: "cognito-user-pool-secure",
  description:
    "Cognito user pools offer or require MFA, keep a password policy at least as strict as Cognito's default, and have deletion protection (the dev policy config turns that part off with `requireDeletionProtection: false`).",
  enforcementLevel: "mandatory",
  resourceTypes: [t.USER_POOL],
  config: {
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
    }

    // Without a `passwordPolicy` block Cognito applies its default; within one, a boolean left out is false.
    const policy = at(pool.props, "passwordPolicy");
    if (isUnknown(policy)) report.unknown(pool, "`passwordPolicy`");
    else if (policy !== undefined && policy !== null) {
      const weaker: string[] = [];
      const length = at(policy, "minimumLength");
      if (typeof length === "number" && length < DEFAULT_MINIMUM_LENGTH) weaker.push(`minimumLength ${length} < ${DEFAULT_MINIMUM_LENGTH}`);
      for (const key of REQUIRED_CHARACTER_CLASSES) {
        const value = at(policy, key);
        if (!isUnknown(value) && value !== true) weaker.push(`${key} is not true`);
      }
      const days = at(policy, "temporaryPasswordValidityDays");
      if (typeof days === "number" && days > DEFAULT_TEMPORARY_PASSWORD_DAYS) weaker.push(`temporaryPasswordValidityDays ${days} > ${DEFAULT_TEMPORARY_PASSWORD_DAYS}`);
      if (weaker.length > 0) {
        report.violation(pool, `its password policy is weaker than Cognito's default (${weaker.join(", ")})`, "use the UserPool component (Cognito's default policy), or require 8+ characters with lowercase, uppercase, numbers and symbols, and temporary passwords of 7 days at most");
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

/** Access control policies. */
export const accessControlPolicies: OrderflowPolicy[] = [apigatewayMethodAuthorized, cognitoUserPoolSecure];
