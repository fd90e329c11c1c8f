import { strict as assert } from "node:assert";
import { LocalCognitoAuthorizer, gatewayResponse, javaDateString, type AuthorizerResult } from "../../../../localcloud/services/cognito/authorizer";
import { LocalTokenIssuer } from "../../../../localcloud/services/cognito/issuer";
import { TEST_POOL, testIdentity } from "../../../helpers/identity";

const STOREFRONT = "storefront0000000000000000";
const BACK_OFFICE = "backoffice0000000000000000";
const READER = "reader00000000000000000000";
// The orders API's methods: customers' access tokens, or a machine client with the scope the method needs.
const POST_ORDERS = { authorizationScopes: ["aws.cognito.signin.user.admin", "orders/write"] };
const GET_ORDER = { authorizationScopes: ["aws.cognito.signin.user.admin", "orders/read"] };
const ID_TOKEN_METHOD = {};

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

function refused(result: AuthorizerResult, status: number, message: string, reason?: RegExp): void {
  assert.equal(result.authorized, false, "the token was accepted");
  if (result.authorized) return;
  assert.equal(result.response.statusCode, status);
  assert.deepEqual(JSON.parse(result.response.body), { message });
  assert.equal(result.response.headers["content-type"], "application/json");
  if (reason) assert.match(result.reason, reason);
}

function claims(result: AuthorizerResult): Record<string, string> {
  if (!result.authorized) assert.fail(`refused: ${result.reason}`);
  return result.claims;
}

describe("localcloud/services/cognito/authorizer", () => {
  const { issuer, authorizer } = testIdentity();
  const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;

  it("passes a customer's access token to a method with scopes, with the claims as API Gateway passes them (all strings)", () => {
    const token = issuer.customerAccessToken({ sub: "cust-1", groups: ["vip", "beta"] });
    const c = claims(authorizer.authorize(bearer(token), POST_ORDERS));
    assert.equal(c.sub, "cust-1");
    assert.equal(c.username, "cust-1");
    assert.equal(c.token_use, "access");
    assert.equal(c.client_id, STOREFRONT);
    assert.equal(c.scope, "aws.cognito.signin.user.admin");
    assert.equal(c.iss, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1");
    assert.equal(c.version, "2");
    assert.equal(c["cognito:groups"], "vip,beta");
    assert.match(c.auth_time, /^\d+$/);
    assert.match(c.exp, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    assert.ok(Object.values(c).every((v) => typeof v === "string"));
  });

  it("writes exp and iat as Java's Date.toString in UTC, as in claims API Gateway passed from a real pool", () => {
    assert.equal(javaDateString(1_784_695_444), "Wed Jul 22 04:44:04 UTC 2026");
    assert.equal(javaDateString(1_513_495_692), "Sun Dec 17 07:28:12 UTC 2017");
  });

  it("passes a machine token holding any one of the method's scopes, and refuses one holding none (401)", () => {
    assert.equal(claims(authorizer.authorize(bearer(issuer.machineAccessToken({ clientId: READER })), GET_ORDER)).sub, READER);
    assert.equal(claims(authorizer.authorize(bearer(issuer.machineAccessToken({ clientId: BACK_OFFICE, scopes: ["orders/write"] })), POST_ORDERS)).scope, "orders/write");
    refused(authorizer.authorize(bearer(issuer.machineAccessToken({ clientId: READER })), POST_ORDERS), 401, "Unauthorized", /JwtInvalidScopeError/);
  });

  it("takes ID tokens, and only ID tokens, on a method without scopes", () => {
    const c = claims(authorizer.authorize(bearer(issuer.customerIdToken({ sub: "cust-1", email: "jane@example.com" })), ID_TOKEN_METHOD));
    assert.equal(c.aud, STOREFRONT);
    assert.equal(c["cognito:username"], "cust-1");
    assert.equal(c.email_verified, "true");
    refused(authorizer.authorize(bearer(issuer.customerAccessToken({ sub: "cust-1" })), ID_TOKEN_METHOD), 401, "Unauthorized", /token use/i);
  });

  it("refuses an ID token on a method with scopes", () => {
    refused(authorizer.authorize(bearer(issuer.customerIdToken({ sub: "cust-1" })), POST_ORDERS), 401, "Unauthorized", /Missing Scope/);
  });

  it("refuses an expired token with API Gateway's own message", () => {
    const token = issuer.customerAccessToken({ sub: "cust-1", issuedAt: hourAgo(), expiresInSeconds: 300 });
    refused(authorizer.authorize(bearer(token), POST_ORDERS), 401, "The incoming token has expired", /expired/);
  });

  it("refuses a tampered token: a changed claim, or a signature by a key the pool did not publish", () => {
    const [header, , signature] = issuer.customerAccessToken({ sub: "cust-1" }).split(".");
    const otherPayload = issuer.customerAccessToken({ sub: "cust-2" }).split(".")[1];
    refused(authorizer.authorize(bearer(`${header}.${otherPayload}.${signature}`), POST_ORDERS), 401, "Unauthorized", /signature/i);
    // Same pool id, same iss, same kid-less shape: only the keys differ (a forger's own issuer).
    const forger = new LocalTokenIssuer(TEST_POOL);
    refused(authorizer.authorize(bearer(forger.customerAccessToken({ sub: "cust-1" })), POST_ORDERS), 401, "Unauthorized");
    refused(authorizer.authorize(bearer("not-a-jwt"), POST_ORDERS), 401, "Unauthorized");
  });

  it("refuses a token of another user pool (issuer)", () => {
    const other = new LocalTokenIssuer({ ...TEST_POOL, userPoolId: "us-east-1_OtherPool" });
    refused(authorizer.authorize(bearer(other.customerAccessToken({ sub: "cust-1" })), POST_ORDERS), 401, "Unauthorized", /issuer/i);
  });

  it("refuses a token of a client the pool does not have", () => {
    const onlyStorefront = new LocalCognitoAuthorizer({ userPoolId: TEST_POOL.userPoolId, clientIds: [STOREFRONT], jwks: issuer.jwks });
    assert.ok(onlyStorefront.authorize(bearer(issuer.customerAccessToken({ sub: "cust-1" })), POST_ORDERS).authorized);
    refused(onlyStorefront.authorize(bearer(issuer.machineAccessToken({ clientId: BACK_OFFICE })), POST_ORDERS), 401, "Unauthorized", /client/i);
  });

  it("refuses a request without a token, and reads the header in any case, with or without `Bearer`", () => {
    refused(authorizer.authorize({ headers: {} }, POST_ORDERS), 401, "Unauthorized", /no authorization header/);
    refused(authorizer.authorize({ headers: { Authorization: "Bearer " } }, POST_ORDERS), 401, "Unauthorized");
    const token = issuer.customerAccessToken({ sub: "cust-1" });
    assert.ok(authorizer.authorize({ headers: { authorization: token } }, POST_ORDERS).authorized);
  });

  it("matches an ID token's aud against the authorizer's identityValidationExpression", () => {
    const pool = { userPoolId: TEST_POOL.userPoolId, clientIds: TEST_POOL.clients.map((c) => c.clientId), jwks: issuer.jwks };
    const token = issuer.customerIdToken({ sub: "cust-1" });
    assert.ok(new LocalCognitoAuthorizer(pool, { identityValidationExpression: "storefront0+" }).authorize(bearer(token)).authorized);
    refused(new LocalCognitoAuthorizer(pool, { identityValidationExpression: "storefront" }).authorize(bearer(token)), 401, "Unauthorized", /identityValidationExpression/);
  });

  it("answers with the gateway responses the RestApi configures", () => {
    const pool = { userPoolId: TEST_POOL.userPoolId, clientIds: [STOREFRONT], jwks: issuer.jwks };
    const custom = new LocalCognitoAuthorizer(pool, {}, [
      {
        responseType: "UNAUTHORIZED",
        statusCode: "401",
        responseTemplates: { "application/json": '{"error":"Unauthenticated","message":$context.error.messageString,"requestId":"$context.requestId"}' },
        responseParameters: { "gatewayresponse.header.WWW-Authenticate": "'Bearer'", "gatewayresponse.header.x-correlation-id": "method.request.header.x-correlation-id" },
      },
    ]);
    const result = custom.authorize({ headers: { "X-Correlation-Id": "c-1" }, requestId: "r-1" }, POST_ORDERS);
    assert.ok(!result.authorized);
    if (result.authorized) return;
    assert.equal(result.response.statusCode, 401);
    assert.deepEqual(JSON.parse(result.response.body), { error: "Unauthenticated", message: "Unauthorized", requestId: "r-1" });
    assert.equal(result.response.headers["www-authenticate"], "Bearer");
    assert.equal(result.response.headers["x-correlation-id"], "c-1");
    // A DEFAULT_4XX status code applies to every 4XX type that has no response of its own.
    const fallback = gatewayResponse("UNAUTHORIZED", 401, "Unauthorized", { headers: {} }, [{ responseType: "DEFAULT_4XX", statusCode: "400" }]);
    assert.deepEqual([fallback.statusCode, JSON.parse(fallback.body)], [400, { message: "Unauthorized" }]);
  });

  it("refuses to build an authorizer that could accept nothing or reads no header", () => {
    assert.throws(() => new LocalCognitoAuthorizer({ userPoolId: TEST_POOL.userPoolId, clientIds: [], jwks: issuer.jwks }), /has no app client/);
    assert.throws(
      () => new LocalCognitoAuthorizer({ userPoolId: TEST_POOL.userPoolId, clientIds: [STOREFRONT], jwks: issuer.jwks }, { identitySource: "method.request.querystring.token" }),
      /not a header mapping expression/,
    );
  });
});
