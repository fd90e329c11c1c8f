import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const METHOD = "aws:apigateway/method:Method";
const ROUTE = "aws:apigatewayv2/route:Route";
const POOL = "aws:cognito/userPool:UserPool";

const strictPolicy = { minimumLength: 8, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7 };
const securePool = { mfaConfiguration: "OPTIONAL", passwordPolicy: strictPolicy, deletionProtection: "ACTIVE" };

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
    { title: "passes optional MFA, Cognito's default password policy and deletion protection", resources: [resource(POOL, "pool", securePool)], expected: {} },
    { title: "passes a pool without a password policy block (Cognito's default applies) and required MFA", resources: [resource(POOL, "pool", { mfaConfiguration: "ON", deletionProtection: "ACTIVE" })], expected: {} },
    {
      title: "flags MFA off, by default or explicitly",
      resources: [resource(POOL, "a", { ...securePool, mfaConfiguration: undefined }), resource(POOL, "b", { ...securePool, mfaConfiguration: "OFF" })],
      expected: { mandatory: ["a (aws:cognito/userPool:UserPool): its users cannot add a second factor (`mfaConfiguration` is OFF, by default)", "b (aws:cognito/userPool:UserPool): its users cannot add a second factor (`mfaConfiguration` is OFF)"] },
    },
    {
      title: "flags a password policy weaker than Cognito's default, naming each weakness",
      resources: [resource(POOL, "pool", { ...securePool, passwordPolicy: { minimumLength: 6, requireLowercase: true, requireUppercase: true, requireNumbers: true, temporaryPasswordValidityDays: 30 } })],
      expected: { mandatory: [["weaker than Cognito's default", "minimumLength 6 < 8", "requireSymbols is not true", "temporaryPasswordValidityDays 30 > 7"]] },
    },
    { title: "flags a pool without deletion protection", resources: [resource(POOL, "pool", { ...securePool, deletionProtection: "INACTIVE" })], expected: { mandatory: [["would delete every user", "orderflow:deletionProtection: true"]] } },
    { title: "lets the dev config waive deletion protection", resources: [resource(POOL, "pool", { ...securePool, deletionProtection: "INACTIVE" })], config: { "cognito-user-pool-secure": { requireDeletionProtection: false } }, expected: {} },
    { title: "reports unknown settings as advisory", resources: [resource(POOL, "pool", { mfaConfiguration: UNKNOWN, passwordPolicy: UNKNOWN, deletionProtection: UNKNOWN })], expected: { advisory: ["`mfaConfiguration` cannot be checked", "`passwordPolicy` cannot be checked", "`deletionProtection` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(POOL, "legacy", { mfaConfiguration: "OFF", deletionProtection: "ACTIVE" })], config: exemption("cognito-user-pool-secure", "legacy"), expected: { advisory: ["exempted from cognito-user-pool-secure"] } },
  ]);
});
