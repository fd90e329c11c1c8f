import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { AwsError } from "../kernel/aws-error";
import type { EndpointOperation } from "./operation";
import { buffer } from "node:stream/consumers";
import { closeServer } from "../kernel/http-server";
import { refuseUnknownMembers } from "./input-members";

/** Who signed a request, and what it carried besides its body. */
export interface RequestContext {
  /** The access key id of the request's SigV4 signature (`Credential=<key>/...`), when it was signed. */
  readonly accessKeyId?: string;
  /** The principal that key belongs to: a role ARN, or the access key itself when the local cloud did not issue it. */
  readonly principal: string;
  /** `X-Amzn-Trace-Id`, which the X-Ray SDK adds to the calls it captures. */
  readonly traceHeader?: string;
  /** Aborts when the client goes away or the local cloud stops (long polls end). */
  readonly signal: AbortSignal;
  readonly headers: http.IncomingHttpHeaders;
}

/** An AWS JSON protocol service: `X-Amz-Target: <prefix>.<Action>`, a JSON body in, a JSON body out. */
export interface JsonService {
  /** `application/x-amz-json-1.0` or `-1.1`, as the service's SDK client expects. */
  readonly contentType: string;
  call(action: string, input: Record<string, unknown>, context: RequestContext): Promise<Record<string, unknown>>;
}

/** An AWS query protocol service (SNS): a form body with `Action`, an XML answer. */
export interface QueryService {
  /** The XML namespace of the API (`http://sns.amazonaws.com/doc/2010-03-31/`). */
  readonly xmlns: string;
  call(action: string, params: Readonly<Record<string, string>>, context: RequestContext): Promise<string>;
}

/** A REST-JSON service (SES v2): routed by method and path. */
export interface RestService {
  matches(method: string, path: string): boolean;
  call(method: string, path: string, body: unknown, context: RequestContext): Promise<{ status: number; body: unknown }>;
}

/**
 * Checks a request before it is served (IAM: its signature, then its permissions); throws the AwsError the service
 * answers with.
 */
export type RequestGuard = (request: { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer }, operation: EndpointOperation) => Promise<void>;

/** Where a request's signing key leads. */
export type PrincipalResolver = (accessKeyId: string | undefined) => string;

/**
 * The local cloud's AWS endpoint: one HTTP server that handlers and the worker reach through the SDK's own endpoint
 * settings (`AWS_ENDPOINT_URL`) and queue URLs, answering each service in its own wire protocol. DynamoDB requests pass
 * through, unchanged, to DynamoDB Local.
 */
export class AwsEndpoint {
  private server?: http.Server;
  private readonly closing = new AbortController();
  private readonly json = new Map<string, JsonService>();
  private readonly query = new Map<string, QueryService>();
  private readonly rest: RestService[] = [];
  private dynamodb?: { host: string; port: number };
  private guard?: RequestGuard;
  /** Requests answered, by service prefix and action, for reports. */
  readonly calls = new Map<string, number>();

  constructor(private readonly principalOf: PrincipalResolver) {}

  /** Serves `X-Amz-Target: <prefix>.<Action>` (`AmazonSQS`, `AWSEvents`, `AWSStepFunctions`...). */
  serveJson(targetPrefix: string, service: JsonService): void {
    this.json.set(targetPrefix, service);
  }

  /** Serves a query protocol API, told apart by its `Version` (`2010-03-31` for SNS). */
  serveQuery(version: string, service: QueryService): void {
    this.query.set(version, service);
  }

  serveRest(service: RestService): void {
    this.rest.push(service);
  }

  /** Checks every request before serving it (the local cloud's IAM). */
  guardWith(guard: RequestGuard): void {
    this.guard = guard;
  }

  /** Passes DynamoDB and DynamoDB Streams requests through to DynamoDB Local. */
  forwardDynamoDb(host: string, port: number): void {
    this.dynamodb = { host, port };
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<string> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    // Long polls hold a request for up to 20 s; keep-alive sockets are closed on stop.
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await closeServer(this.server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const body = await buffer(req);
    const disconnected = new AbortController();
    res.on("close", () => disconnected.abort());
    const context: RequestContext = {
      ...authOf(req, this.principalOf),
      ...(typeof req.headers["x-amzn-trace-id"] === "string" ? { traceHeader: req.headers["x-amzn-trace-id"] } : {}),
      signal: AbortSignal.any([disconnected.signal, this.closing.signal]),
      headers: req.headers,
    };
    const target = req.headers["x-amz-target"];
    const raw = { method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers, body };
    try {
      if (typeof target === "string") {
        const [prefix, action] = target.split(".");
        const parsedInput = body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
        await refuseUnknownMembers(prefix, action, parsedInput);
        if (this.guard) await this.guard(raw, { protocol: "json", targetPrefix: prefix, operation: action, input: parsedInput });
        if (this.dynamodb && (prefix.startsWith("DynamoDB_") || prefix.startsWith("DynamoDBStreams_"))) {
          this.count(prefix, action);
          return await this.forward(req, res, body);
        }
        const service = this.json.get(prefix);
        if (!service) throw new AwsError("UnknownOperationException", `The local cloud does not serve ${target}.`);
        this.count(prefix, action);
        const input = body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
        const output = await service.call(action, input, context);
        return send(res, 200, service.contentType, JSON.stringify(output), requestId);
      }
      const contentType = String(req.headers["content-type"] ?? "");
      if (contentType.startsWith("application/x-www-form-urlencoded")) {
        const params = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
        const service = this.query.get(params.Version ?? "");
        if (!service || !params.Action) throw new AwsError("InvalidAction", `The local cloud does not serve the query action ${params.Action ?? "(none)"} of API version ${params.Version ?? "(none)"}.`);
        this.count(service.xmlns, params.Action);
        try {
          if (this.guard) await this.guard(raw, { protocol: "query", params });
          const xml = await service.call(params.Action, params, context);
          return send(res, 200, "text/xml", xml, requestId);
        } catch (error) {
          if (!(error instanceof AwsError)) throw error;
          return send(res, error.status, "text/xml", queryError(service.xmlns, error, requestId), requestId);
        }
      }
      const url = new URL(req.url ?? "/", "http://local");
      const rest = this.rest.find((s) => s.matches(req.method ?? "GET", url.pathname));
      if (rest) {
        this.count("rest", `${req.method} ${url.pathname}`);
        const parsed = body.length > 0 ? (JSON.parse(body.toString("utf8")) as unknown) : undefined;
        if (this.guard) await this.guard(raw, { protocol: "rest", method: req.method ?? "GET", path: url.pathname, body: parsed });
        const answer = await rest.call(req.method ?? "GET", url.pathname, parsed, context);
        return send(res, answer.status, "application/json", JSON.stringify(answer.body ?? {}), requestId);
      }
      throw new AwsError("UnknownOperationException", `The local cloud does not serve ${req.method} ${url.pathname}.`, 404);
    } catch (error) {
      const aws =
        error instanceof AwsError
          ? error
          : error instanceof SyntaxError
            ? new AwsError("SerializationException", `The request body is not valid JSON: ${error.message}`)
            : new AwsError("InternalFailure", error instanceof Error ? error.message : String(error), 500);
      const headers: Record<string, string> = { "x-amzn-ErrorType": aws.code };
      if (aws.queryCode) headers["x-amzn-query-error"] = `${aws.queryCode};${aws.fault}`;
      const contentType = typeof target === "string" ? (this.json.get(target.split(".")[0])?.contentType ?? "application/x-amz-json-1.0") : "application/json";
      return send(res, aws.status, contentType, JSON.stringify({ __type: aws.code, message: aws.message, ...aws.fields }), requestId, headers);
    }
  }

  private count(prefix: string, action: string): void {
    const key = `${prefix}.${action}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const target = this.dynamodb!;
    return new Promise((resolve) => {
      const upstream = http.request(
        { host: target.host, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: `${target.host}:${target.port}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
          answer.on("end", () => resolve());
        },
      );
      upstream.on("error", (error) => {
        send(res, 500, "application/x-amz-json-1.0", JSON.stringify({ __type: "InternalServerError", message: `DynamoDB Local did not answer: ${error.message}` }), randomUUID());
        resolve();
      });
      upstream.end(body);
    });
  }
}

/** The access key id in a SigV4 `Authorization` header, and the principal it leads to. */
function authOf(req: http.IncomingMessage, principalOf: PrincipalResolver): { accessKeyId?: string; principal: string } {
  const header = String(req.headers.authorization ?? "");
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(header)?.[1];
  return { ...(accessKeyId ? { accessKeyId } : {}), principal: principalOf(accessKeyId) };
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, requestId: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "x-amzn-RequestId": requestId, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** An error in the query protocol's XML shape (`<ErrorResponse><Error><Type/><Code/><Message/></Error>...`). */
function queryError(xmlns: string, error: AwsError, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}
