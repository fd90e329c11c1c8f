import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac, timingSafeEqual, type BinaryLike } from "node:crypto";

/** A request as it reached the endpoint: what SigV4 signs. */
export interface SignedRequestParts {
  readonly method: string;
  /** The request target as sent (`/path?query`), still URI-encoded. */
  readonly url: string;
  /** Node's lower-cased headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** The secret (and session token) an access key id was issued with. */
export interface SigningSecret {
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Why a request's signature was refused; the endpoint answers each in its service's own error shape. */
export type SignatureFailure =
  /** No `Authorization` header (and no query-string signature): an anonymous request. */
  | { readonly kind: "missing"; readonly message: string }
  /** An `Authorization` header that is not a SigV4 header with Credential, SignedHeaders and Signature. */
  | { readonly kind: "incomplete"; readonly message: string }
  /** An access key id, or a session token, the local cloud did not issue. */
  | { readonly kind: "unknown-key"; readonly message: string }
  /** The signature recomputed with the issued secret differs, or the request is too old. */
  | { readonly kind: "mismatch"; readonly message: string };

export interface VerifiedSignature {
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
}

/** SigV4 signatures are valid for 15 minutes either side of the server's clock (AWS General Reference, "Signature Version 4"). */
const MAX_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})\s*$/;

/**
 * Verifies a request's SigV4 signature as AWS does: reads the access key id, scope, signed headers and signature from
 * the `Authorization` header, recomputes the signature over the same method, path, query, signed headers and payload
 * hash with the secret the key was issued with (`@smithy/signature-v4`, the signer the AWS SDK itself uses), and
 * compares. A session token must be the one issued with the key; `host` and `x-amz-date` must be among the signed
 * headers; the payload is hashed as received (`x-amz-content-sha256`, when sent, must be that hash: no
 * `UNSIGNED-PAYLOAD`, which only S3 takes).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export async function verifySignature(
  request: SignedRequestParts,
  secretOf: (accessKeyId: string) => SigningSecret | undefined,
  now: Date = new Date(),
): Promise<VerifiedSignature | SignatureFailure> {
  const authorization = header(request.headers, "authorization");
  if (authorization === undefined) {
    return { kind: "missing", message: "Request is missing Authentication Token" };
  }
  const parsed = AUTHORIZATION.exec(authorization.trim());
  if (!parsed) {
    return { kind: "incomplete", message: `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters of the AWS4-HMAC-SHA256 algorithm. Authorization=${authorization.split(/\s/)[0]}` };
  }
  const [, accessKeyId, , region, service, signedHeaderList, signature] = parsed;
  const secret = secretOf(accessKeyId);
  if (!secret) return { kind: "unknown-key", message: "The security token included in the request is invalid." };
  if (secret.sessionToken !== undefined && header(request.headers, "x-amz-security-token") !== secret.sessionToken) {
    return { kind: "unknown-key", message: "The security token included in the request is invalid." };
  }
  const amzDate = header(request.headers, "x-amz-date");
  const signingDate = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!signingDate) return { kind: "incomplete", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return { kind: "mismatch", message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(now.getTime() - MAX_SKEW_MS))} (${formatAmzDate(now)} - 15 min.)` };
  }

  const signedHeaders = signedHeaderList.split(";");
  // The host and the date must be signed (a signature that covers neither could be replayed at another host, or at
  // any time). AWS answers a missing host with these words.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#create-canonical-request
  if (!signedHeaders.includes("host")) return { kind: "incomplete", message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." };
  if (!signedHeaders.includes("x-amz-date")) return { kind: "incomplete", message: "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization." };

  // The signature covers the payload through its hash: the hash of the body as received, never one the client
  // declares. `UNSIGNED-PAYLOAD` (which leaves the body unsigned) is S3's alone, and none of the services here is S3.
  const bodyHash = createHash("sha256").update(request.body).digest("hex");
  const declaredHash = header(request.headers, "x-amz-content-sha256");
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    return {
      kind: "mismatch",
      message: declaredHash === "UNSIGNED-PAYLOAD" ? "UNSIGNED-PAYLOAD is accepted by Amazon S3 only: sign the payload's SHA-256 hash." : "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(request.headers, name);
    if (value === undefined) return { kind: "mismatch", message: `The request signature we calculated does not match the signature you provided: signed header ${name} is missing.` };
    headers[name] = value;
  }
  const target = new URL(request.url, "http://local");
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of target.searchParams) {
    const existing = query[key];
    query[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret.secretAccessKey },
    region,
    service,
    sha256: NodeSha256,
    // Every service but S3 signs the path URI-encoded twice; none of the services the local cloud serves is S3.
    uriEscapePath: true,
    // Only what the client signed: the payload hash header is used when the client sent it, never added.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: target.hostname,
      path: rawPath(request.url),
      query,
      headers,
      body: request.body.length > 0 ? request.body : undefined,
    },
    { signingDate, signingRegion: region, signingService: service, signableHeaders: new Set(signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? "";
  if (expected.length !== signature.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return {
      kind: "mismatch",
      message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    };
  }
  return { accessKeyId, region, service };
}

/** The access key id a SigV4 `Authorization` header names, without verifying anything. */
export function accessKeyIdOf(headers: SignedRequestParts["headers"]): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(header(headers, "authorization") ?? "")?.[1];
}

function header(headers: SignedRequestParts["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** The path exactly as sent: the signer encodes it again, as the client's signer did. */
function rawPath(url: string): string {
  const end = url.search(/[?#]/);
  return (end < 0 ? url : url.slice(0, end)) || "/";
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, "");
}

/** SHA-256 (and HMAC-SHA256 with a secret) in the signer's checksum interface, from node:crypto. */
export class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key: BinaryLike | undefined = secret === undefined || typeof secret === "string" ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}
