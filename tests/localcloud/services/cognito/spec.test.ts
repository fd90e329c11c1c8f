import { strict as assert } from "node:assert";
import { RestApi } from "../../../../components/rest-api";
import { UserPool } from "../../../../components/user-pool";
import { LocalCognitoAuthorizer } from "../../../../localcloud/services/cognito/authorizer";
import { LocalTokenIssuer } from "../../../../localcloud/services/cognito/issuer";
import { gatewayResponsesFromGraph, methodAuthorizationsFromGraph, userPoolsFromGraph } from "../../../../localcloud/services/cognito/spec";
import { testFunction } from "../../../helpers/doubles";
import { mockRun, type MockedRun } from "../../../helpers/pulumi";

// A pool and an API as the orders stack declares them, synthesized by the offline engine.
function program() {
  const pool = new UserPool("customers", {
    domainPrefix: "orderflow-test-123456789012",
    resourceServers: [{ identifier: "orders", scopes: { read: "Read any order", write: "Place orders" } }],
  });
  pool.addWebClient("storefront", { callbackUrls: ["http://localhost:3000/"], accessTokenMinutes: 15 });
  pool.addMachineClient("backOffice", { scopes: ["orders/read", "orders/write"] });
  new RestApi("orders", {
    routes: [
      { method: "POST", path: "/orders", function: testFunction("placeOrder"), authorizationScopes: ["aws.cognito.signin.user.admin", "orders/write"] },
      { method: "GET", path: "/orders/{id}", function: testFunction("getOrder"), authorizationScopes: ["aws.cognito.signin.user.admin", "orders/read"] },
    ],
    authorizer: { userPoolArns: [pool.arn] },
  });
}

describe("localcloud/services/cognito/spec", () => {
  let run: MockedRun;
  before(async () => {
    run = await mockRun(program);
  });

  it("reads the user pool, its clients (flows, scopes, token lifetimes) and its resource server", () => {
    const [pool, ...others] = userPoolsFromGraph(run.resources);
    assert.equal(others.length, 0);
    assert.match(pool.userPoolId, /^us-east-1_[A-Za-z0-9]{9}$/);
    assert.equal(pool.region, "us-east-1");
    assert.equal(pool.arn, `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${pool.userPoolId}`);
    assert.deepEqual(pool.resourceServers, [{ identifier: "orders", scopes: ["read", "write"] }]);
    const byName = Object.fromEntries(pool.clients.map((c) => [c.name, c]));
    assert.match(byName.storefront.clientId, /^[a-z0-9]{26}$/);
    assert.deepEqual(
      { ...byName.storefront, clientId: "-" },
      { clientId: "-", name: "storefront", userSignIn: true, clientCredentials: false, allowedScopes: ["openid", "email", "aws.cognito.signin.user.admin"], accessTokenValiditySeconds: 900, idTokenValiditySeconds: 900 },
    );
    assert.deepEqual(
      { ...byName.backOffice, clientId: "-" },
      { clientId: "-", name: "backOffice", userSignIn: false, clientCredentials: true, allowedScopes: ["orders/read", "orders/write"], accessTokenValiditySeconds: 3600 },
    );
  });

  it("reads each method's path, authorizer pool and scopes", () => {
    const [pool] = userPoolsFromGraph(run.resources);
    const methods = methodAuthorizationsFromGraph(run.resources).sort((a, b) => a.path.localeCompare(b.path));
    assert.deepEqual(
      methods.map((m) => [m.httpMethod, m.path, m.authorization, m.authorizationScopes, m.cognito?.userPoolIds]),
      [
        ["POST", "/orders", "COGNITO_USER_POOLS", ["aws.cognito.signin.user.admin", "orders/write"], [pool.userPoolId]],
        ["GET", "/orders/{id}", "COGNITO_USER_POOLS", ["aws.cognito.signin.user.admin", "orders/read"], [pool.userPoolId]],
      ],
    );
    assert.equal(methods[0].cognito?.settings.identitySource, "method.request.header.Authorization");
    assert.deepEqual(gatewayResponsesFromGraph(run.resources, methods[0].restApiId).map((r) => r.responseType), ["BAD_REQUEST_BODY"]);
  });

  it("is enough to build the issuer and the authorizer, which then agree on the graph's tokens", () => {
    const [pool] = userPoolsFromGraph(run.resources);
    const issuer = new LocalTokenIssuer(pool);
    const authorizer = new LocalCognitoAuthorizer({ userPoolId: pool.userPoolId, clientIds: pool.clients.map((c) => c.clientId), jwks: issuer.jwks });
    const [post, get] = methodAuthorizationsFromGraph(run.resources).sort((a, b) => a.path.localeCompare(b.path));
    const machine = issuer.machineAccessToken({ scopes: ["orders/read"] });
    assert.ok(authorizer.authorize({ headers: { Authorization: machine } }, get).authorized);
    assert.ok(!authorizer.authorize({ headers: { Authorization: machine } }, post).authorized);
    assert.ok(authorizer.authorize({ headers: { Authorization: issuer.customerAccessToken({ sub: "cust-1" }) } }, post).authorized);
  });
});
