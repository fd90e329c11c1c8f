import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const METHOD = "aws:apigateway/method:Method";
const ROUTE = "aws:apigatewayv2/route:Route";
const POOL = "aws:cognito/userPool:UserPool";

const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";

const strictPolicy = { minimumLength: 12, passwordHistorySize: 5, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7 };
const securePool = { mfaConfiguration: "OPTIONAL", passwordPolicy: strictPolicy, deletionProtection: "ACTIVE", userPoolTier: "ESSENTIALS" };

describe("policies/access-control", () => {
  describePolicy("apigateway-method-authorized", [
    {
      title: "passes Cognito, Lambda and IAM methods, and JWT routes",
      resources: [
        resource(METHOD, "cognito", { authorization: "COGNITO_USER_POOLS", authorizerId: UNKNOWN }),
        resource(METHOD, "lambda", { authorization: "CUSTOM", authorizerId: "abc123" }),
        resource(METHOD, "iam", { authorization: "AWS_IAM" }),
        resource(ROUTE, "route", { authorizationType: "JWT", authorizerId: "a1" }),
      ],
      expected: {},
    },
    {
      title: "flags an open method and an open route",
      resources: [resource(METHOD, "open", { authorization: "NONE" }), resource(ROUTE, "route", {})],
      expected: {
        mandatory: [
          ["open (aws:apigateway/method:Method): anyone can call it (`authorization` is NONE)", "Fix: give the RestApi component an `authorizer`"],
          "route (aws:apigatewayv2/route:Route): anyone can call it (`authorizationType` is NONE, by default)",
        ],
      },
    },
    { title: "flags a Cognito method without an authorizer id", resources: [resource(METHOD, "m", { authorization: "COGNITO_USER_POOLS" })], expected: { mandatory: ["is COGNITO_USER_POOLS but it names no `authorizerId`"] } },
    { title: "reports an unknown authorization as advisory", resources: [resource(METHOD, "m", { authorization: UNKNOWN })], expected: { advisory: ["`authorization` cannot be checked"] } },
    {
      title: "honours an exemption with its reason (a CORS preflight)",
      resources: [resource(METHOD, "ordersOPTIONSOrders", { authorization: "NONE" })],
      config: exemption("apigateway-method-authorized", "*OPTIONS*", "browsers send CORS preflights without credentials"),
      expected: { advisory: ['exempted from apigateway-method-authorized (reason: "browsers send CORS preflights without credentials")'] },
    },
  ]);

  describePolicy("cognito-user-pool-secure", [
    { title: "passes optional MFA, 12-character passwords with a history, and deletion protection", resources: [resource(POOL, "pool", securePool)], expected: {} },
    { title: "passes a Lite pool without a history (the plan has none)", resources: [resource(POOL, "pool", { ...securePool, userPoolTier: "LITE", passwordPolicy: { ...strictPolicy, passwordHistorySize: undefined } })], expected: {} },
    { title: "flags a pool without a password policy block: Cognito's default is 8 characters and no history", resources: [resource(POOL, "pool", { mfaConfiguration: "ON", deletionProtection: "ACTIVE" })], expected: { mandatory: [["too weak", "minimumLength 8 < 12", "no passwordHistorySize"]] } },
    {
      title: "requires MFA ON where the config says so (prod), and names the setting",
      resources: [resource(POOL, "pool", securePool)],
      config: { "cognito-user-pool-secure": { requireMfa: true } },
      expected: { mandatory: [["may sign in with a password alone", "mfa: \"ON\""]] },
    },
    { title: "passes MFA ON under prod's config", resources: [resource(POOL, "pool", { ...securePool, mfaConfiguration: "ON" })], config: { "cognito-user-pool-secure": { requireMfa: true } }, expected: {} },
    {
      title: "flags MFA off, by default or explicitly",
      resources: [resource(POOL, "a", { ...securePool, mfaConfiguration: undefined }), resource(POOL, "b", { ...securePool, mfaConfiguration: "OFF" })],
      expected: { mandatory: ["a (aws:cognito/userPool:UserPool): its users cannot add a second factor (`mfaConfiguration` is OFF, by default)", "b (aws:cognito/userPool:UserPool): its users cannot add a second factor (`mfaConfiguration` is OFF)"] },
    },
    {
      title: "flags a password policy that is too weak, naming each weakness",
      resources: [resource(POOL, "pool", { ...securePool, passwordPolicy: { minimumLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, temporaryPasswordValidityDays: 30 } })],
      expected: { mandatory: [["too weak", "minimumLength 8 < 12", "no passwordHistorySize", "requireSymbols is not true", "temporaryPasswordValidityDays 30 > 7"]] },
    },
    { title: "flags a pool without deletion protection", resources: [resource(POOL, "pool", { ...securePool, deletionProtection: "INACTIVE" })], expected: { mandatory: [["would delete every user", "orderflow:deletionProtection: true"]] } },
    { title: "lets the dev config waive deletion protection", resources: [resource(POOL, "pool", { ...securePool, deletionProtection: "INACTIVE" })], config: { "cognito-user-pool-secure": { requireDeletionProtection: false } }, expected: {} },
    { title: "reports unknown settings as advisory", resources: [resource(POOL, "pool", { mfaConfiguration: UNKNOWN, passwordPolicy: UNKNOWN, deletionProtection: UNKNOWN })], expected: { advisory: ["`mfaConfiguration` cannot be checked", "`passwordPolicy` cannot be checked", "`deletionProtection` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(POOL, "legacy", { ...securePool, mfaConfiguration: "OFF" })], config: exemption("cognito-user-pool-secure", "legacy"), expected: { advisory: ["exempted from cognito-user-pool-secure"] } },
  ]);
  describePolicy("cognito-public-client-refresh-rotation", [
    {
      title: "passes a public client whose refresh tokens rotate, and a confidential client without rotation",
      resources: [
        resource(CLIENT, "storefront", { generateSecret: false, refreshTokenRotation: { feature: "ENABLED", retryGracePeriodSeconds: 10 } }),
        resource(CLIENT, "backOffice", { generateSecret: true }),
      ],
      expected: {},
    },
    {
      title: "flags a public client without rotation, whether the secret is off explicitly or by default",
      resources: [resource(CLIENT, "a", { generateSecret: false }), resource(CLIENT, "b", { refreshTokenRotation: { feature: "DISABLED" } })],
      expected: { mandatory: [["a (aws:cognito/userPoolClient:UserPoolClient): it is a public client (no secret) whose refresh tokens do not rotate", "addWebClient"], "b (aws:cognito/userPoolClient:UserPoolClient)"] },
    },
    { title: "reports unknown settings as advisory", resources: [resource(CLIENT, "a", { generateSecret: false, refreshTokenRotation: { feature: UNKNOWN } })], expected: { advisory: ["`refreshTokenRotation.feature` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(CLIENT, "a", {})], config: exemption("cognito-public-client-refresh-rotation", "a"), expected: { advisory: ["exempted"] } },
  ]);
});
