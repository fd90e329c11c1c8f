import type { APIGatewayProxyEvent } from "aws-lambda";
import { customerId as customerIdSchema } from "./events";
import { safeParse } from "./validation";

// Who is calling, from the claims API Gateway's Cognito authorizer verified and put in
// `event.requestContext.authorizer.claims` (every value a string). A customer's token names a user (`username` in an
// access token, `cognito:username` in an ID token) whose `sub` is the customer id; a client-credentials token names
// no user, and its `sub` is the client's own id.

/** A customer signed in to the storefront: acts only in their own name. */
export interface CustomerCaller {
  readonly kind: "customer";
  /** The token's `sub`. */
  readonly customerId: string;
}

/** A back end calling in its own name (client-credentials grant): acts within its scopes. */
export interface MachineCaller {
  readonly kind: "machine";
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export type Caller = CustomerCaller | MachineCaller;

/** The request may not do this: 401 when nobody is authenticated, 403 when the caller may not. */
export class AccessDenied extends Error {
  constructor(
    readonly statusCode: 401 | 403,
    message: string,
  ) {
    super(message);
    this.name = statusCode === 401 ? "Unauthenticated" : "Forbidden";
  }
}

/**
 * The caller of an API request. Fails with 401 when the request carries no verified claims (the function was invoked
 * around the authorizer, or the method has none) or claims that name neither a customer nor a machine client.
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, "requestContext">): Caller {
  const claims = (event.requestContext?.authorizer as { claims?: unknown } | null | undefined)?.claims;
  if (claims === null || typeof claims !== "object") {
    throw new AccessDenied(401, "The request carries no verified identity; call the API with a user pool token in the Authorization header.");
  }
  const c = claims as Record<string, string | undefined>;
  const username = c.token_use === "id" ? c["cognito:username"] : c.username;
  if (c.sub && username) {
    if (!safeParse(customerIdSchema, c.sub).success) {
      throw new AccessDenied(401, "The token's subject is not a customer id.");
    }
    return { kind: "customer", customerId: c.sub };
  }
  if (c.token_use === "access" && c.sub && c.sub === c.client_id) {
    return { kind: "machine", clientId: c.client_id, scopes: (c.scope ?? "").split(" ").filter(Boolean) };
  }
  throw new AccessDenied(401, "The token names neither a signed-in customer nor a machine client.");
}

/** Fails with 403 unless a machine caller holds `scope`. */
export function requireScope(caller: MachineCaller, scope: string): void {
  if (!caller.scopes.includes(scope)) {
    throw new AccessDenied(403, `App client ${caller.clientId} lacks the ${scope} scope this needs (it holds: ${caller.scopes.join(", ") || "none"}).`);
  }
}
