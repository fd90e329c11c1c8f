import { strict as assert } from "node:assert";
import { UserPool, type UserPoolArgs } from "../../components/user-pool";
import { mockRun, valueOf } from "../helpers/pulumi";

const base: UserPoolArgs = {
  domainPrefix: "orderflow-test-123456789012",
  resourceServers: [{ identifier: "orders", scopes: { read: "Read any order", write: "Place orders" } }],
};

describe("components/UserPool", () => {
  it("signs users in by email, offers TOTP MFA, asks for 12+ character passwords not reused, and lets only admins create users", async () => {
    const run = await mockRun(() => new UserPool("customers", base));
    const pool = run.one("aws:cognito/userPool:UserPool").inputs;
    assert.deepEqual(pool.usernameAttributes, ["email"]);
    assert.equal(pool.mfaConfiguration, "OPTIONAL");
    assert.deepEqual(pool.softwareTokenMfaConfiguration, { enabled: true });
    assert.deepEqual(pool.passwordPolicy, {
      minimumLength: 12, passwordHistorySize: 5, requireLowercase: true, requireUppercase: true, requireNumbers: true, requireSymbols: true, temporaryPasswordValidityDays: 7,
    });
    const longer = await mockRun(() => new UserPool("customers", { ...base, passwordMinimumLength: 16, passwordHistorySize: 24 }));
    assert.deepEqual(
      [longer.one("aws:cognito/userPool:UserPool").inputs.passwordPolicy].map((p) => [(p as { minimumLength: number }).minimumLength, (p as { passwordHistorySize: number }).passwordHistorySize]),
      [[16, 24]],
    );
    assert.deepEqual(pool.adminCreateUserConfig, { allowAdminCreateUserOnly: true });
    assert.equal(pool.deletionProtection, "INACTIVE");
    assert.equal(pool.userPoolTier, "ESSENTIALS");
    assert.equal(pool.userPoolAddOns, undefined);
    assert.equal(run.one("aws:cognito/userPoolDomain:UserPoolDomain").inputs.domain, "orderflow-test-123456789012");
  });

  it("turns on self sign-up, deletion protection and threat protection (on the Plus plan) when asked", async () => {
    const run = await mockRun(() => new UserPool("customers", { ...base, selfSignUp: true, deletionProtection: true, threatProtection: "ENFORCED", mfa: "ON" }));
    const pool = run.one("aws:cognito/userPool:UserPool").inputs;
    assert.deepEqual(pool.adminCreateUserConfig, { allowAdminCreateUserOnly: false });
    assert.equal(pool.deletionProtection, "ACTIVE");
    assert.equal(pool.userPoolTier, "PLUS");
    assert.deepEqual(pool.userPoolAddOns, { advancedSecurityMode: "ENFORCED" });
    assert.equal(pool.mfaConfiguration, "ON");
  });

  it("defines the resource servers' scopes and exposes the issuer and the token endpoint", async () => {
    let pool: UserPool | undefined;
    const run = await mockRun(() => {
      pool = new UserPool("customers", base);
    });
    const server = run.one("aws:cognito/resourceServer:ResourceServer").inputs;
    assert.equal(server.identifier, "orders");
    assert.deepEqual(server.scopes, [{ scopeName: "read", scopeDescription: "Read any order" }, { scopeName: "write", scopeDescription: "Place orders" }]);
    assert.deepEqual(pool!.scopes, ["orders/read", "orders/write"]);
    const id = String(run.one("aws:cognito/userPool:UserPool").id);
    assert.equal(await valueOf(pool!.issuer), `https://cognito-idp.us-east-1.amazonaws.com/${id}`);
    assert.equal(await valueOf(pool!.tokenEndpoint), "https://orderflow-test-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token");
  });

  it("makes a web client public (no secret) with SRP, rotating refresh tokens, the code grant and short-lived tokens", async () => {
    const run = await mockRun(() => {
      new UserPool("customers", base).addWebClient("storefront", { callbackUrls: ["https://shop.example.com/"], accessTokenMinutes: 10 });
    });
    const client = run.one("aws:cognito/userPoolClient:UserPoolClient").inputs;
    assert.equal(client.generateSecret, false);
    assert.deepEqual(client.explicitAuthFlows, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]);
    assert.deepEqual(client.allowedOauthFlows, ["code"]);
    assert.ok(!(client.allowedOauthScopes as string[]).some((s) => s.startsWith("orders/")), "customers get no machine scopes");
    assert.deepEqual([client.accessTokenValidity, client.idTokenValidity], [10, 10]);
    assert.deepEqual(client.tokenValidityUnits, { accessToken: "minutes", idToken: "minutes", refreshToken: "days" });
    assert.deepEqual(client.refreshTokenRotation, { feature: "ENABLED", retryGracePeriodSeconds: 10 });
    assert.equal(client.enableTokenRevocation, true);
    assert.equal(client.preventUserExistenceErrors, "ENABLED");
  });

  it("makes a machine client confidential, client-credentials only, after the scopes it names exist", async () => {
    const run = await mockRun(() => {
      new UserPool("customers", base).addMachineClient("backOffice", { scopes: ["orders/read"] });
    });
    const client = run.one("aws:cognito/userPoolClient:UserPoolClient");
    assert.equal(client.inputs.generateSecret, true);
    assert.deepEqual(client.inputs.allowedOauthFlows, ["client_credentials"]);
    assert.deepEqual(client.inputs.allowedOauthScopes, ["orders/read"]);
    assert.deepEqual(client.inputs.explicitAuthFlows, ["ALLOW_REFRESH_TOKEN_AUTH"]);
    assert.ok(client.dependencies.includes(run.one("aws:cognito/resourceServer:ResourceServer").urn));
  });

  it("rejects scopes the pool does not define, an empty resource server and token lifetimes Cognito refuses", async () => {
    await assert.rejects(
      mockRun(() => new UserPool("customers", base).addMachineClient("x", { scopes: ["orders/delete"] })),
      /client "x": `scopes` must name scopes of the pool's resource servers \(orders\/read, orders\/write\), but orders\/delete was provided/,
    );
    await assert.rejects(mockRun(() => new UserPool("customers", { ...base, resourceServers: [{ identifier: "orders", scopes: {} }] })), /"orders" needs at least one scope/);
    await assert.rejects(
      mockRun(() => new UserPool("customers", base).addWebClient("web", { callbackUrls: ["https://a.example/"], accessTokenMinutes: 2 })),
      /`accessTokenMinutes` must be an integer from 5 to 1440 minutes, but 2 was provided/,
    );
    await assert.rejects(mockRun(() => new UserPool("customers", { ...base, passwordMinimumLength: 8 })), /`passwordMinimumLength` must be an integer from 12 to 99 characters, but 8 was provided/);
    await assert.rejects(mockRun(() => new UserPool("customers", { ...base, passwordHistorySize: 0 })), /`passwordHistorySize` must be an integer from 1 to 24 passwords, but 0 was provided/);
    await assert.rejects(
      mockRun(() => new UserPool("customers", base).addWebClient("web", { callbackUrls: ["https://a.example/"], refreshTokenGraceSeconds: 61 })),
      /`refreshTokenGraceSeconds` must be an integer from 0 to 60 seconds, but 61 was provided/,
    );
  });
});
