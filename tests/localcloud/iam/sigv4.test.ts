import { strict as assert } from "node:assert";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256, verifySignature, type SignedRequestParts } from "../../../localcloud/iam/sigv4";

const KEY = { accessKeyId: "ASIALOCALTESTKEY0001", secretAccessKey: "s3cr3t/with+chars=", sessionToken: "token-1" };

/** Captures what the SDK really sends, and answers each service with an empty success. */
async function capture(send: (endpoint: string) => Promise<unknown>): Promise<SignedRequestParts> {
  let captured: SignedRequestParts | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      captured = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) };
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(req.url?.startsWith("/v2/") ? JSON.stringify({ MessageId: "m" }) : JSON.stringify({ MessageId: "m", MD5OfMessageBody: "1a79a4d60de6718e8e5b326e338ae533" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await send(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).catch(() => undefined);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.ok(captured, "the client sent nothing");
  return captured;
}

const issued = (id: string) => (id === KEY.accessKeyId ? { secretAccessKey: KEY.secretAccessKey, sessionToken: KEY.sessionToken } : undefined);

describe("local cloud IAM: SigV4 verification", () => {
  let sqs: SignedRequestParts;
  let dynamodb: SignedRequestParts;
  let ses: SignedRequestParts;

  before(async () => {
    sqs = await capture((endpoint) =>
      new SQSClient({ endpoint, region: "us-east-1", credentials: KEY }).send(new SendMessageCommand({ QueueUrl: `${endpoint}/123456789012/orders`, MessageBody: "example" })),
    );
    dynamodb = await capture((endpoint) =>
      new DynamoDBClient({ endpoint, region: "us-east-1", credentials: KEY }).send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "a b/ü" } } })),
    );
    ses = await capture((endpoint) =>
      new SESv2Client({ endpoint, region: "us-east-1", credentials: KEY }).send(
        new SendEmailCommand({ FromEmailAddress: "shop@example.com", Destination: { ToAddresses: ["a@example.com"] }, Content: { Simple: { Subject: { Data: "s" }, Body: { Text: { Data: "b" } } } } }),
      ),
    );
  });

  it("accepts what the AWS SDK signed with the issued secret (JSON, and REST with a path)", async () => {
    for (const request of [sqs, dynamodb, ses]) {
      const result = await verifySignature(request, issued);
      assert.ok(!("kind" in result), `refused ${request.url}: ${JSON.stringify(result)}`);
      assert.equal(result.accessKeyId, KEY.accessKeyId);
    }
    const verified = await verifySignature(dynamodb, issued);
    assert.deepEqual(verified, { accessKeyId: KEY.accessKeyId, region: "us-east-1", service: "dynamodb" });
  });

  it("refuses a request signed with another secret, or whose body changed after signing", async () => {
    const otherSecret = await verifySignature(sqs, () => ({ secretAccessKey: "another", sessionToken: KEY.sessionToken }));
    assert.equal((otherSecret as { kind: string }).kind, "mismatch");
    const tampered = await verifySignature({ ...dynamodb, body: Buffer.from(dynamodb.body.toString().replace("orders", "stock")) }, issued);
    assert.equal((tampered as { kind: string }).kind, "mismatch");
    assert.match((tampered as { message: string }).message, /x-amz-content-sha256' header does not match/);
    const retargeted = await verifySignature({ ...dynamodb, headers: { ...dynamodb.headers, "x-amz-target": "DynamoDB_20120810.DeleteItem" } }, issued);
    assert.equal((retargeted as { kind: string }).kind, "mismatch");
    assert.match((retargeted as { message: string }).message, /does not match the signature you provided/);
  });

  /** A JSON-protocol request signed by AWS's own signer, with the headers given and the options given. */
  async function signed(headers: Record<string, string>, body: string, options: { unsignableHeaders?: Set<string> } = {}): Promise<SignedRequestParts> {
    const signer = new SignatureV4({ credentials: KEY, region: "us-east-1", service: "sqs", sha256: NodeSha256 });
    const request = await signer.sign(
      { method: "POST", protocol: "http:", hostname: "127.0.0.1", port: 4566, path: "/", query: {}, headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage", ...headers }, body },
      options,
    );
    const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    return { method: "POST", url: "/", headers: { host: "127.0.0.1:4566", ...lower }, body: Buffer.from(body) };
  }
  const ORIGINAL = JSON.stringify({ QueueUrl: "http://127.0.0.1:4566/123456789012/orders", MessageBody: "ship order 1" });

  it("hashes the body as received: UNSIGNED-PAYLOAD does not leave the body unchecked, and a swapped body is refused", async () => {
    const unsigned = await signed({ host: "127.0.0.1:4566", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, ORIGINAL);
    const swapped = await verifySignature({ ...unsigned, body: Buffer.from(ORIGINAL.replace("orders", "labels")) }, issued);
    assert.equal((swapped as { kind: string }).kind, "mismatch", JSON.stringify(swapped));
    assert.match((swapped as { message: string }).message, /UNSIGNED-PAYLOAD is accepted by Amazon S3 only/);
    const asSigned = await verifySignature(unsigned, issued);
    assert.equal((asSigned as { kind: string }).kind, "mismatch", "UNSIGNED-PAYLOAD is refused even with the body it came with");
    const hashed = await signed({ host: "127.0.0.1:4566" }, ORIGINAL);
    assert.ok(!("kind" in (await verifySignature(hashed, issued))), "the same request with its payload signed passes");
  });

  it("requires host and x-amz-date among the signed headers, as AWS does", async () => {
    // Signed without a host header (added after signing, as a proxy might): the signature would fit any host.
    const noHost = await verifySignature(await signed({}, ORIGINAL), issued);
    assert.equal((noHost as { kind: string }).kind, "incomplete", JSON.stringify(noHost));
    assert.equal((noHost as { message: string }).message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    const noDate = await verifySignature(await signed({ host: "127.0.0.1:4566" }, ORIGINAL, { unsignableHeaders: new Set(["x-amz-date"]) }), issued);
    assert.equal((noDate as { kind: string }).kind, "incomplete", JSON.stringify(noDate));
    assert.match((noDate as { message: string }).message, /'X-Amz-Date' must be a 'SignedHeader'/);
  });

  it("refuses a key or session token it did not issue, an unsigned request, and a stale signature", async () => {
    assert.equal(((await verifySignature(sqs, () => undefined)) as { kind: string }).kind, "unknown-key");
    const wrongToken = await verifySignature({ ...sqs, headers: { ...sqs.headers, "x-amz-security-token": "forged" } }, issued);
    assert.equal((wrongToken as { kind: string }).kind, "unknown-key");
    const { authorization: _, ...unsigned } = sqs.headers;
    assert.equal(((await verifySignature({ ...sqs, headers: unsigned }, issued)) as { kind: string }).kind, "missing");
    const later = new Date(Date.now() + 16 * 60 * 1000);
    const stale = await verifySignature(sqs, issued, later);
    assert.match((stale as { message: string }).message, /Signature expired/);
  });
});
