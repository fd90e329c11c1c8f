import { createHash } from "node:crypto";
import { AwsError } from "../../kernel/aws-error";
import type { RawRestService, RestAnswer, RestRequest } from "../../endpoint/endpoint";
import type { EventSourceMappingSpec, FunctionSpec } from "./spec";
import { epochSeconds, page } from "../../endpoint/pagination";
import type { LambdaService } from "./service";

/** Lambda's request paths (API version 2015-03-31), each with the operation it names. */
const ROUTES: readonly { readonly method: string; readonly pattern: RegExp; readonly operation: string }[] = [
  { method: "GET", pattern: /^\/2015-03-31\/functions\/?$/, operation: "ListFunctions" },
  { method: "GET", pattern: /^\/2015-03-31\/functions\/([^/]+)\/configuration\/?$/, operation: "GetFunctionConfiguration" },
  { method: "POST", pattern: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, operation: "Invoke" },
  { method: "GET", pattern: /^\/2015-03-31\/functions\/([^/]+)\/?$/, operation: "GetFunction" },
  { method: "GET", pattern: /^\/2015-03-31\/event-source-mappings\/?$/, operation: "ListEventSourceMappings" },
];

/** The Lambda operation a method and path name, and the function name in the path (URI-decoded), if any. */
export function lambdaRoute(method: string, path: string): { operation: string; functionName?: string } | undefined {
  for (const route of ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match) return { operation: route.operation, ...(match[1] ? { functionName: decodeURIComponent(match[1]) } : {}) };
  }
  return undefined;
}

/** Lambda keeps the last 4 KB of an invocation's log for `LogType: Tail` (Invoke API reference, LogResult). */
const TAIL_BYTES = 4096;
/** Invoke's payload limits: 6 MB synchronous, 1 MB asynchronous (Lambda quotas). */
const SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/**
 * The Lambda API an operator uses (REST-JSON, `/2015-03-31/...`) over the local functions: list them, read a function's
 * configuration as deployed (its own variables, not the session the local cloud gives it), invoke one
 * (RequestResponse, Event, DryRun; `LogType: Tail` returns the end of its log), and list the event source mappings.
 * Errors carry `x-amzn-ErrorType` and `{"Type", "Message"}`, as Lambda's do.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 */
export class LambdaApi implements RawRestService {
  readonly raw = true;

  constructor(
    private readonly lambda: LambdaService,
    private readonly mappings: readonly EventSourceMappingSpec[],
    private readonly cloud: { readonly partition: string; readonly region: string; readonly account: string },
    /** When the functions were "deployed": the local cloud's start. */
    private readonly deployedAt: Date,
  ) {}

  matches(method: string, path: string): boolean {
    return lambdaRoute(method, path) !== undefined;
  }

  async call(request: RestRequest): Promise<RestAnswer> {
    try {
      return await this.route(request);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      return { status: error.status, headers: { "x-amzn-ErrorType": error.code }, body: JSON.stringify({ Type: error.fault === "Sender" ? "User" : "Service", Message: error.message, message: error.message }) };
    }
  }

  private async route(request: RestRequest): Promise<RestAnswer> {
    const route = lambdaRoute(request.method, request.path);
    if (!route) throw new AwsError("UnknownOperationException", `The local cloud does not serve Lambda ${request.method} ${request.path}.`, 404);
    switch (route.operation) {
      case "ListFunctions": {
        const specs = this.lambda.all.map((f) => f.spec);
        const { items, next } = page(specs, { max: request.query.get("MaxItems") ?? undefined, token: request.query.get("Marker") ?? undefined, limit: 10000, defaultMax: 50, error: invalidParameter });
        return ok({ Functions: items.map((s) => this.configuration(s)), ...(next ? { NextMarker: next } : {}) });
      }
      case "GetFunction": {
        const spec = this.functionOf(route.functionName!, request.query.get("Qualifier"));
        return ok({
          Configuration: this.configuration(spec),
          // The code is the archive the local cloud runs: a directory on this machine, not a presigned S3 URL.
          Code: { RepositoryType: "S3", Location: `file://${spec.codeDir}` },
          ...(spec.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: spec.reservedConcurrency } } : {}),
        });
      }
      case "GetFunctionConfiguration":
        return ok(this.configuration(this.functionOf(route.functionName!, request.query.get("Qualifier"))));
      case "Invoke":
        return this.invoke(route.functionName!, request);
      case "ListEventSourceMappings": {
        const source = request.query.get("EventSourceArn");
        const fn = request.query.get("FunctionName");
        const functionArn = fn ? this.functionOf(fn, null).arn : undefined;
        const selected = this.mappings.filter((m) => (!source || m.sourceArn === source) && (!functionArn || m.functionArn === functionArn || m.functionArn.startsWith(`${functionArn}:`)));
        const { items, next } = page(selected, { max: request.query.get("MaxItems") ?? undefined, token: request.query.get("Marker") ?? undefined, limit: 10000, defaultMax: 100, error: invalidParameter });
        return ok({ EventSourceMappings: items.map((m) => this.mapping(m)), ...(next ? { NextMarker: next } : {}) });
      }
      default:
        throw new AwsError("UnknownOperationException", `The local cloud does not serve Lambda ${route.operation}.`, 404);
    }
  }

  private async invoke(functionName: string, request: RestRequest): Promise<RestAnswer> {
    const spec = this.functionOf(functionName, request.query.get("Qualifier"));
    const type = header(request, "x-amz-invocation-type") ?? "RequestResponse";
    if (!["RequestResponse", "Event", "DryRun"].includes(type)) {
      throw new AwsError("InvalidParameterValueException", `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
    }
    const logType = header(request, "x-amz-log-type") ?? "None";
    if (!["None", "Tail"].includes(logType)) throw new AwsError("InvalidParameterValueException", `1 validation error detected: Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]`);
    const limit = type === "Event" ? ASYNC_PAYLOAD_BYTES : SYNC_PAYLOAD_BYTES;
    if (request.body.length > limit) throw new AwsError("RequestTooLargeException", `${request.body.length} byte payload is too large for the ${type} invocation type (limit ${limit} bytes)`, 413);
    let event: unknown = {};
    if (request.body.length > 0) {
      try {
        event = JSON.parse(request.body.toString("utf8"));
      } catch {
        throw new AwsError("InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: Unexpected character", 400);
      }
    }
    // The endpoint's IAM has decided lambda:InvokeFunction already: DryRun answers that it would be allowed.
    if (type === "DryRun") return { status: 204, body: "" };
    const source = `Invoke by ${request.principal}`;
    if (type === "Event") {
      this.lambda.invokeAsync(spec.arn, event, { source, ...(request.traceHeader ? { traceId: request.traceHeader } : {}) });
      return { status: 202, body: "" };
    }
    const result = await this.lambda.invoke(spec.arn, event, { source, tail: logType === "Tail", ...(request.traceHeader ? { traceId: request.traceHeader } : {}) });
    return {
      status: 200,
      headers: {
        "X-Amz-Executed-Version": "$LATEST",
        ...(result.functionError ? { "X-Amz-Function-Error": result.functionError } : {}),
        ...(logType === "Tail" ? { "X-Amz-Log-Result": tailOf(result.log ?? "") } : {}),
      },
      body: result.payload === undefined ? "null" : JSON.stringify(result.payload),
    };
  }

  /** A function by name, ARN or partial ARN, with an optional qualifier (only `$LATEST` exists locally). */
  private functionOf(reference: string, qualifier: string | null): FunctionSpec {
    const [ref, inlineQualifier] = splitQualifier(reference);
    const version = qualifier ?? inlineQualifier;
    const fn = this.lambda.all.find((f) => f.spec.name === ref || f.spec.arn === ref || f.spec.arn.endsWith(`:function:${ref.replace(/^function:/, "")}`));
    const arn = fn?.spec.arn ?? (ref.startsWith("arn:") ? ref : `arn:${this.cloud.partition}:lambda:${this.cloud.region}:${this.cloud.account}:function:${ref.replace(/^function:/, "")}`);
    if (!fn || (version !== undefined && version !== null && version !== "$LATEST")) throw new AwsError("ResourceNotFoundException", `Function not found: ${arn}${version ? `:${version}` : ""}`, 404);
    return fn.spec;
  }

  /** FunctionConfiguration: the function as the graph deploys it. */
  private configuration(spec: FunctionSpec): Record<string, unknown> {
    return {
      FunctionName: spec.name,
      FunctionArn: spec.arn,
      Runtime: spec.runtime,
      Role: spec.roleArn,
      Handler: spec.handler,
      Timeout: spec.timeoutSeconds,
      MemorySize: spec.memoryMb,
      // Lambda's own format for this one timestamp (`2026-12-07T13:00:00.000+0000`).
      LastModified: this.deployedAt.toISOString().replace("Z", "+0000"),
      CodeSha256: createHash("sha256").update(spec.codeDir).digest("base64"),
      Version: "$LATEST",
      Environment: { Variables: spec.environment },
      TracingConfig: { Mode: spec.tracing },
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      LoggingConfig: {
        LogFormat: spec.logFormat,
        ...(spec.applicationLogLevel ? { ApplicationLogLevel: spec.applicationLogLevel } : {}),
        ...(spec.systemLogLevel ? { SystemLogLevel: spec.systemLogLevel } : {}),
        LogGroup: spec.logGroup,
      },
    };
  }

  private mapping(m: EventSourceMappingSpec): Record<string, unknown> {
    return {
      UUID: m.uuid,
      EventSourceArn: m.sourceArn,
      FunctionArn: m.functionArn,
      BatchSize: m.batchSize,
      MaximumBatchingWindowInSeconds: m.maximumBatchingWindowSeconds,
      ...(m.startingPosition ? { StartingPosition: m.startingPosition } : {}),
      ...(m.filters.length > 0 ? { FilterCriteria: { Filters: m.filters.map((f) => (typeof f === "string" ? { Pattern: f } : f)) } } : {}),
      ...(m.maximumConcurrency !== undefined ? { ScalingConfig: { MaximumConcurrency: m.maximumConcurrency } } : {}),
      FunctionResponseTypes: m.reportBatchItemFailures ? ["ReportBatchItemFailures"] : [],
      State: m.enabled ? "Enabled" : "Disabled",
      StateTransitionReason: "USER_INITIATED",
      LastModified: epochSeconds(this.deployedAt),
    };
  }
}

function ok(body: unknown): RestAnswer {
  return { status: 200, body: JSON.stringify(body) };
}

function header(request: RestRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `my-function:$LATEST` or `arn:...:function:my-function:$LATEST` → the function and its qualifier. */
function splitQualifier(reference: string): [string, string | undefined] {
  const arn = /^(arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+)(?::(.+))?$/.exec(reference);
  if (arn) return [arn[1], arn[2]];
  const partial = /^([^:]+):([^:]+)$/.exec(reference);
  return partial && partial[1] !== "function" ? [partial[1], partial[2]] : [reference, undefined];
}

/** The last 4 KB of an invocation's log, base64-encoded (X-Amz-Log-Result). */
function tailOf(log: string): string {
  const bytes = Buffer.from(log, "utf8");
  return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString("base64");
}

function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterValueException", message);
}
