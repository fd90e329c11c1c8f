import type { APIGatewayProxyEvent } from "aws-lambda";
import { LocalCognitoAuthorizer } from "../../localcloud/services/cognito/authorizer";
import { LocalTokenIssuer, type IssuerUserPool } from "../../localcloud/services/cognito/issuer";

/** A user pool shaped like the orders stack's: a storefront (SRP sign-in) and a back office (client credentials). */
export const TEST_POOL: IssuerUserPool = {
  userPoolId: "us-east-1_TestPool1",
  region: "us-east-1",
  clients: [
    { clientId: "storefront0000000000000000", name: "storefront", userSignIn: true, clientCredentials: false, allowedScopes: ["openid", "email", "aws.cognito.signin.user.admin"], accessTokenValiditySeconds: 900 },
    { clientId: "backoffice0000000000000000", name: "backOffice", userSignIn: false, clientCredentials: true, allowedScopes: ["orders/read", "orders/write"] },
    { clientId: "reader00000000000000000000", name: "reader", userSignIn: false, clientCredentials: true, allowedScopes: ["orders/read"] },
  ],
  resourceServers: [{ identifier: "orders", scopes: ["read", "write"] }],
};

let shared: { issuer: LocalTokenIssuer; authorizer: LocalCognitoAuthorizer } | undefined;

/** One issuer and authorizer for the test run (key generation costs a few tens of milliseconds). */
export function testIdentity(): { issuer: LocalTokenIssuer; authorizer: LocalCognitoAuthorizer } {
  if (!shared) {
    const issuer = new LocalTokenIssuer(TEST_POOL);
    const authorizer = new LocalCognitoAuthorizer({ userPoolId: TEST_POOL.userPoolId, clientIds: TEST_POOL.clients.map((c) => c.clientId), jwks: issuer.jwks });
    shared = { issuer, authorizer };
  }
  return shared;
}

const ANY_ORDERS_METHOD = { authorizationScopes: ["aws.cognito.signin.user.admin", "orders/read", "orders/write"] };

function claimsOf(token: string): Record<string, string> {
  const result = testIdentity().authorizer.authorize({ headers: { Authorization: `Bearer ${token}` } }, ANY_ORDERS_METHOD);
  if (!result.authorized) throw new Error(`the test token was refused: ${result.reason}`);
  return result.claims;
}

/** The claims API Gateway passes for a signed-in customer: a real token, verified by the local authorizer. */
export function customerClaims(sub: string): Record<string, string> {
  return claimsOf(testIdentity().issuer.customerAccessToken({ sub }));
}

/** The claims API Gateway passes for a machine client's client-credentials token. */
export function machineClaims(clientId = "backoffice0000000000000000", scopes?: string[]): Record<string, string> {
  return claimsOf(testIdentity().issuer.machineAccessToken({ clientId, ...(scopes ? { scopes } : {}) }));
}

/** An API event's request context carrying these claims, as a Cognito authorizer leaves it. */
export function authorizedBy(claims: Record<string, string>, base: Partial<APIGatewayProxyEvent["requestContext"]> = {}): APIGatewayProxyEvent["requestContext"] {
  return { requestId: "api-request-1", path: "/dev/orders", ...base, authorizer: { claims } } as APIGatewayProxyEvent["requestContext"];
}
