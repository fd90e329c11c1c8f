import type { GatewayAnswer, LocalControl } from "./rest-api";
import type { IssuedToken, LocalApiAccess } from "./access";
import { TokenRequestError } from "../cognito/issuer";
import { buffer } from "node:stream/consumers";
import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

// The running local cloud's token endpoint, `POST /_local/tokens` on the API's port: the signing keys live in the
// local cloud's process (made per run), so `orderflow local token` asks it for a token. It stands in for Cognito's
// sign-in and token endpoint and mints any customer's token, so it must reach the user who started the run and nobody
// else:
// - loopback callers only (the API listens on 127.0.0.1 anyway);
// - a Host header naming this machine's loopback (127.0.0.1, localhost, [::1]): a page on another site whose name
//   resolves to 127.0.0.1 (DNS rebinding) sends its own name as Host, and is refused;
// - JSON requests only, which a web page cannot send to another origin without a CORS preflight the local cloud never
//   grants;
// - the run's secret, made at start and written to a file only the user can read (0600,
//   `.orderflow/local/<env>/token-secret`), which `orderflow local token` reads and sends: another local user's
//   process, which can reach loopback, cannot read it.

export const TOKEN_ENDPOINT_PATH = "/_local/tokens";
/** The header that carries the run's secret. */
export const TOKEN_SECRET_HEADER = "x-orderflow-local-secret";

/** Where a run keeps its token endpoint's secret: `<root>/.orderflow/local/<env>/token-secret`. */
export function tokenSecretFile(root: string, env: string): string {
  return path.join(root, ".orderflow", "local", env, "token-secret");
}

/** Makes this run's secret and writes it to a file only the user can read or write (0600); returns it. */
export function createTokenSecret(file: string): string {
  const secret = randomBytes(32).toString("base64url");
  mkdirSync(path.dirname(file), { recursive: true });
  // A file left by an earlier run may have other permissions: write a new one, created 0600 (umask can only narrow it).
  rmSync(file, { force: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Reads a run's secret, refusing a file that anyone but its owner may read or write (then it is no secret), or that
 * another user owns. Undefined when there is no file (no run started from this checkout).
 */
export function readTokenSecret(file: string): string | undefined {
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  if ((stat.mode & 0o077) !== 0) throw new Error(`${file} may be read or written by other users (mode ${(stat.mode & 0o777).toString(8)}): it must be 0600. Restart the local cloud, which writes a new one.`);
  if (process.getuid && stat.uid !== process.getuid()) throw new Error(`${file} belongs to another user (uid ${stat.uid}): ask with the account that started the local cloud.`);
  return readFileSync(file, "utf8").trim();
}

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

/** `secret`: this run's (createTokenSecret); a request without it is refused. */
export function localTokenEndpoint(access: LocalApiAccess, env: string, apiUrl: () => string, secret: string): LocalControl {
  const expected = Buffer.from(secret);
  return async (req, url) => {
    if (url.pathname !== TOKEN_ENDPOINT_PATH) return json(404, { message: `The local cloud serves ${TOKEN_ENDPOINT_PATH} only under /_local/.` });
    if (!isLoopback(req.socket.remoteAddress)) return json(403, { message: "The local token endpoint answers this machine only." });
    if (!isLoopbackHost(req.headers.host)) {
      return json(403, { message: `The local token endpoint answers requests addressed to 127.0.0.1, localhost or [::1] only, not to Host ${JSON.stringify(req.headers.host ?? "")}: a page whose name resolves to this machine (DNS rebinding) gets no token.` });
    }
    if (req.method !== "POST") return json(405, { message: `Use POST ${TOKEN_ENDPOINT_PATH}.` }, { allow: "POST" });
    if (!String(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/json")) {
      return json(415, { message: "Send the request as application/json." });
    }
    const given = Buffer.from(String(req.headers[TOKEN_SECRET_HEADER] ?? ""));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      // The environment is no secret, and tells a caller that asked for another one what runs here.
      return json(401, { error: "invalid_client", env, message: `Send this run's secret in ${TOKEN_SECRET_HEADER}: \`orderflow local token\` reads it from .orderflow/local/${env}/token-secret, which only the user who started the local cloud can read.` });
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

/** `127.0.0.1`, `localhost` or `[::1]`, with or without a port: the names a request from this machine's own tools uses. */
function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/i.test(host);
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): GatewayAnswer {
  return { status, body: JSON.stringify(body), headers: { "content-type": "application/json", ...headers } };
}
