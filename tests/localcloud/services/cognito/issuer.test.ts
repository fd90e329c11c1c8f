import { CognitoJwtVerifier } from "aws-jwt-verify";
import { strict as assert } from "node:assert";
import { LocalTokenIssuer, TokenRequestError, USER_ADMIN_SCOPE } from "../../../../localcloud/services/cognito/issuer";
import { TEST_POOL, testIdentity } from "../../../helpers/identity";

const STOREFRONT = "storefront0000000000000000";
const BACK_OFFICE = "backoffice0000000000000000";

function decode(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split(".").slice(0, 2).map((part) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>);
  return { header, payload };
}

describe("localcloud/services/cognito/issuer", () => {
  const { issuer } = testIdentity();

  it("names the pool's issuer and publishes one RS256 key for access tokens and another for ID tokens", () => {
    assert.equal(issuer.issuer, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1");
    assert.equal(issuer.jwksUri, `${issuer.issuer}/.well-known/jwks.json`);
    assert.equal(issuer.jwks.keys.length, 2);
    for (const key of issuer.jwks.keys) assert.deepEqual([key.kty, key.alg, key.use], ["RSA", "RS256", "sig"]);
    const access = decode(issuer.customerAccessToken({ sub: "cust-1" })).header;
    const id = decode(issuer.customerIdToken({ sub: "cust-1" })).header;
    assert.equal(access.alg, "RS256");
    assert.notEqual(access.kid, id.kid, "Cognito signs access and ID tokens with different keys");
    assert.deepEqual(issuer.jwks.keys.map((k) => k.kid).sort(), [access.kid, id.kid].sort());
  });

  it("mints a customer's access token with the claims Cognito's SRP sign-in gives", () => {
    const { payload } = decode(issuer.customerAccessToken({ sub: "cust-1", groups: ["vip"], issuedAt: 1_784_691_844 }));
    assert.deepEqual(
      { ...payload, origin_jti: typeof payload.origin_jti, event_id: typeof payload.event_id, jti: typeof payload.jti },
      {
        sub: "cust-1",
        "cognito:groups": ["vip"],
        iss: issuer.issuer,
        version: 2,
        client_id: STOREFRONT,
        origin_jti: "string",
        event_id: "string",
        token_use: "access",
        scope: USER_ADMIN_SCOPE,
        auth_time: 1_784_691_844,
        exp: 1_784_691_844 + 900,
        iat: 1_784_691_844,
        jti: "string",
        username: "cust-1",
      },
    );
    assert.ok(!("aud" in payload), "access tokens carry client_id, not aud");
  });

  it("mints the ID token of the same sign-in: aud is the client, cognito:username the user", () => {
    const { payload } = decode(issuer.customerIdToken({ sub: "cust-1", email: "jane@example.com" }));
    assert.equal(payload.token_use, "id");
    assert.equal(payload.aud, STOREFRONT);
    assert.equal(payload["cognito:username"], "cust-1");
    assert.equal(payload.email, "jane@example.com");
    assert.equal(payload.email_verified, true);
    assert.ok(!("client_id" in payload) && !("scope" in payload));
  });

  it("mints a client-credentials token: no user, sub is the client, every allowed custom scope unless asked for fewer", () => {
    const all = decode(issuer.machineAccessToken({ clientId: BACK_OFFICE })).payload;
    assert.equal(all.sub, BACK_OFFICE);
    assert.equal(all.client_id, BACK_OFFICE);
    assert.equal(all.token_use, "access");
    assert.equal(all.scope, "orders/read orders/write");
    assert.ok(!("username" in all) && !("origin_jti" in all));
    assert.equal(decode(issuer.machineAccessToken({ clientId: BACK_OFFICE, scopes: ["orders/read"] })).payload.scope, "orders/read");
  });

  it("signs tokens that AWS's aws-jwt-verify accepts for the pool", () => {
    const verifier = CognitoJwtVerifier.create({ userPoolId: TEST_POOL.userPoolId, tokenUse: "access", clientId: [STOREFRONT, BACK_OFFICE] });
    verifier.cacheJwks(issuer.jwks as Parameters<typeof verifier.cacheJwks>[0]);
    assert.equal(verifier.verifySync(issuer.customerAccessToken({ sub: "cust-1" })).sub, "cust-1");
    assert.equal(verifier.verifySync(issuer.machineAccessToken({ clientId: BACK_OFFICE })).sub, BACK_OFFICE);
  });

  it("refuses what the pool would refuse, with Cognito's error code and what the client is allowed", () => {
    const refused = (fn: () => unknown, code: string, message: RegExp) =>
      assert.throws(fn, (e: unknown) => e instanceof TokenRequestError && e.code === code && message.test(e.message));
    refused(() => issuer.machineAccessToken({ clientId: "reader00000000000000000000", scopes: ["orders/write"] }), "invalid_scope", /may not be granted orders\/write; it is allowed: orders\/read/);
    refused(() => issuer.machineAccessToken({ clientId: STOREFRONT }), "unauthorized_client", /storefront .* may not use the client-credentials grant/);
    refused(() => issuer.customerAccessToken({ sub: "c", clientId: BACK_OFFICE }), "unauthorized_client", /may not sign users in/);
    refused(() => issuer.customerAccessToken({ sub: "c", clientId: "nope" }), "invalid_client", /has no app client nope/);
    refused(() => issuer.machineAccessToken(), "unauthorized_client", /has 2 app clients that may use the client-credentials grant .*; name one/);
  });

  it("refuses a pool whose id is not of its region, or whose clients name scopes no resource server defines", () => {
    assert.throws(() => new LocalTokenIssuer({ ...TEST_POOL, region: "eu-west-1" }), /not of region eu-west-1/);
    assert.throws(
      () => new LocalTokenIssuer({ ...TEST_POOL, resourceServers: [{ identifier: "orders", scopes: ["read"] }] }),
      /backOffice .* is allowed scopes no resource server of us-east-1_TestPool1 defines: orders\/write/,
    );
  });
});
