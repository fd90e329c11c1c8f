import type { GatewayAnswer, LocalControl } from "./rest-api";
import type { IssuedToken, LocalApiAccess } from "./access";
import { TokenRequestError } from "../cognito/issuer";
import { buffer } from "node:stream/consumers";

// The running local cloud's token endpoint, `POST /_local/tokens` on the API's port: the signing keys live in the
// local cloud's process (made per run), so `orderflow local token` asks it for a token. It stands in for Cognito's
// sign-in and token endpoint and must reach nobody else: it answers loopback callers only (the API listens on
// 127.0.0.1 anyway), and only JSON requests, which a web page cannot send to another origin without a CORS preflight
// that the local cloud never grants.

export const TOKEN_ENDPOINT_PATH = "/_local/tokens";

/** The token endpoint's body: a customer's token (`customer`) or a machine client's (`scopes`). */
export interface TokenEndpointRequest {
  readonly customer?: string;
  readonly scopes?: readonly string[];
  readonly clientId?: string;
  readonly userPoolId?: string;
}

/** What the endpoint answers (200): the token, and what a caller needs beside it. */
export type TokenEndpointAnswer = IssuedToken & {
  /** The environment the local cloud runs, so a caller asking for another one is told. */
  readonly env: string;
  /** The API's base URL (`http://127.0.0.1:3000/live`). */
  readonly apiUrl: string;
};

export function localTokenEndpoint(access: LocalApiAccess, env: string, apiUrl: () => string): LocalControl {
  return async (req, url) => {
    if (url.pathname !== TOKEN_ENDPOINT_PATH) return json(404, { message: `The local cloud serves ${TOKEN_ENDPOINT_PATH} only under /_local/.` });
    if (!isLoopback(req.socket.remoteAddress)) return json(403, { message: "The local token endpoint answers this machine only." });
    if (req.method !== "POST") return json(405, { message: `Use POST ${TOKEN_ENDPOINT_PATH}.` }, { allow: "POST" });
    if (!String(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      return json(415, { message: "Send the request as application/json." });
    }
    let request: TokenEndpointRequest;
    try {
      request = parseRequest(JSON.parse((await buffer(req)).toString("utf8") || "{}"));
    } catch (error) {
      return json(400, { error: "invalid_request", message: (error as Error).message });
    }
    try {
      const issued = access.issue(request);
      const answer: TokenEndpointAnswer = { env, apiUrl: apiUrl(), ...issued };
      return json(200, answer, { "cache-control": "no-store" });
    } catch (error) {
      if (error instanceof TokenRequestError) return json(400, { error: error.code, message: error.message });
      throw error;
    }
  };
}

function parseRequest(body: unknown): TokenEndpointRequest {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new Error("The request body must be a JSON object.");
  const b = body as Record<string, unknown>;
  const optionalString = (name: string) => {
    if (b[name] !== undefined && (typeof b[name] !== "string" || b[name] === "")) throw new Error(`"${name}" must be a non-empty string.`);
    return b[name] as string | undefined;
  };
  if (b.scopes !== undefined && !(Array.isArray(b.scopes) && b.scopes.every((s) => typeof s === "string" && s !== ""))) throw new Error('"scopes" must be a list of scope names.');
  const customer = optionalString("customer");
  const clientId = optionalString("clientId");
  const userPoolId = optionalString("userPoolId");
  return {
    ...(customer !== undefined ? { customer } : {}),
    ...(b.scopes !== undefined ? { scopes: b.scopes as string[] } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(userPoolId !== undefined ? { userPoolId } : {}),
  };
}

function isLoopback(address: string | undefined): boolean {
  return address === "127.0.0.1" || address === "::1" || address === "::ffff:127.0.0.1";
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): GatewayAnswer {
  return { status, body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } };
}
