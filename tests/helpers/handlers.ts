import type { APIGatewayProxyEvent, Context, SQSEvent, SQSRecord } from "aws-lambda";
import * as path from "node:path";

const HANDLERS_ROOT = path.resolve(__dirname, "..", "..", "handlers");

/** The environment every handler test runs in: a region, fake credentials, Powertools configured, no X-Ray sends. */
export const BASE_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "fake",
  AWS_SECRET_ACCESS_KEY: "fake",
  AWS_LAMBDA_FUNCTION_NAME: "test-function",
  POWERTOOLS_SERVICE_NAME: "orderflow-test",
  POWERTOOLS_METRICS_NAMESPACE: "orderflow",
  POWERTOOLS_LOG_LEVEL: "DEBUG",
  POWERTOOLS_TRACE_ENABLED: "false",
  AWS_XRAY_CONTEXT_MISSING: "IGNORE_ERROR",
};

// The values variables had before the handler tests changed them, to put back afterwards.
const originals = new Map<string, string | undefined>();

function setEnvironment(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (!originals.has(k)) originals.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

/**
 * Mocha hooks for a handler test file: BASE_ENVIRONMENT while its tests run (the SDK reads region and credentials
 * at the first call, not at load), and every variable the file set, through here or `loadHandler`, restored after.
 */
export function useHandlerEnvironment(): void {
  useEnvironment(BASE_ENVIRONMENT);
}

/** Mocha hooks: these variables while the suite's tests run, and every variable it set restored after. */
export function useEnvironment(env: Record<string, string | undefined>): void {
  before(() => setEnvironment(env));
  after(() => {
    for (const [k, v] of originals) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    originals.clear();
  });
}

/**
 * Loads a handler module afresh under `env` (on top of BASE_ENVIRONMENT): handlers read their environment and build
 * their clients at module load, as in a cold start, so each load sees the variables given here. The variables stay
 * set until the file's `useHandlerEnvironment` hooks restore them.
 */
export function loadHandler<M = { handler: (event: unknown, context: Context) => Promise<unknown> }>(
  file: string,
  env: Record<string, string | undefined> = {},
): M {
  for (const id of Object.keys(require.cache)) {
    if (id.startsWith(HANDLERS_ROOT + path.sep)) delete require.cache[id];
  }
  setEnvironment({ ...BASE_ENVIRONMENT, ...env });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(HANDLERS_ROOT, file)) as M;
}

/** A Lambda context with a generous remaining time. */
export function lambdaContext(name = "test-function"): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB: "256",
    awsRequestId: `req-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: "stream",
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A REST API (proxy integration) event. */
export function apiEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: "GET",
    isBase64Encoded: false,
    path: "/orders",
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: "/orders",
    requestContext: { requestId: "api-request-1", path: "/dev/orders" } as APIGatewayProxyEvent["requestContext"],
    ...overrides,
  };
}

/** An EventBridge event as the bus delivers it, by JSON, to a queue (or SNS with raw delivery). */
export function busEvent(detailType: string, source: string, detail: unknown, id = `evt-${Math.random().toString(16).slice(2)}`) {
  return { version: "0", id, "detail-type": detailType, source, account: "123456789012", time: "2026-11-26T12:00:00Z", region: "us-east-1", resources: [], detail };
}

/** An SQS batch whose bodies are the given texts (or values, as JSON). */
export function sqsEvent(bodies: readonly unknown[]): SQSEvent {
  return {
    Records: bodies.map(
      (body, i): SQSRecord => ({
        messageId: `msg-${i}`,
        receiptHandle: `rh-${i}`,
        body: typeof body === "string" ? body : JSON.stringify(body),
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: "0", SenderId: "x", ApproximateFirstReceiveTimestamp: "0" },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:queue",
        awsRegion: "us-east-1",
      }),
    ),
  };
}

/** The JSON lines a function writes to stdout and stderr while `run` runs (logs and EMF metrics), parsed; nothing reaches the terminal. */
export async function captureOutput<T>(run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = ((chunk: string | Uint8Array) => {
    for (const line of chunk.toString().split("\n")) {
      if (!line.trim()) continue;
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ text: line });
      }
    }
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return { result: await run(), lines };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
}

/** The log lines with this message. */
export function logsWith(lines: readonly Record<string, unknown>[], message: string): Record<string, unknown>[] {
  return lines.filter((line) => line.message === message);
}

/** The EMF blobs' values of a metric, one per flush that carried it. */
export function metricValues(lines: readonly Record<string, unknown>[], name: string): unknown[] {
  return lines.filter((line) => line._aws !== undefined && name in line).map((line) => line[name]);
}
