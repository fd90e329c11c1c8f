import { json, num, obj, str, stringRecord, type GraphResources, type Origin } from "../../graph/resources";
import { GraphError } from "../../graph/errors";

export interface FunctionSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  /** `index.handler`: the file (without extension) and the export. */
  readonly handler: string;
  /** The deployed archive's directory: what Lambda would unpack into /var/task. */
  readonly codeDir: string;
  readonly runtime: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly reservedConcurrency?: number;
  readonly roleArn: string;
  readonly tracing: "Active" | "PassThrough";
  readonly logFormat: "JSON" | "Text";
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
  readonly logGroup: string;
  readonly asyncInvoke: AsyncInvokeSpec;
}

export interface AsyncInvokeSpec {
  /** Retries of a failed asynchronous invocation (0–2). AWS default 2. */
  readonly maximumRetryAttempts: number;
  /** Seconds an event may wait in the asynchronous queue (60–21600). AWS default 21600. */
  readonly maximumEventAgeSeconds: number;
  readonly onFailure?: string;
  readonly onSuccess?: string;
}

export interface EventSourceMappingSpec extends Origin {
  readonly uuid: string;
  readonly functionArn: string;
  readonly sourceArn: string;
  readonly sourceKind: "sqs" | "dynamodb";
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency: the most batches in flight at once (SQS only); unset lets pollers scale. */
  readonly maximumConcurrency?: number;
  /** FilterCriteria patterns, parsed. */
  readonly filters: readonly unknown[];
  readonly reportBatchItemFailures: boolean;
  readonly startingPosition?: string;
}

/**
 * The graph's functions, with their asynchronous invocation settings (FunctionEventInvokeConfig names the function by
 * name). Async because a function's code arrives as a Pulumi archive whose path is a promise.
 */
export async function readFunctions(graph: GraphResources): Promise<FunctionSpec[]> {
  const { of, origin, out } = graph;
  const invokeConfigs = new Map(of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig").map(({ r }) => [String(r.inputs.functionName), r.inputs]));
  const functions: FunctionSpec[] = [];
  for (const { stack, r } of of("aws:lambda/function:Function")) {
    const i = r.inputs;
    const name = String(out(r).name);
    const code = i.code as { path?: unknown } | undefined;
    const codeDir = str(await code?.path);
    if (!codeDir) throw new GraphError(`Function ${name} (${r.urn}) has no file archive as its code; the local cloud runs a function from its deployed archive.`);
    const config = obj(invokeConfigs.get(name));
    const destinations = obj(config.destinationConfig);
    const logging = obj(i.loggingConfig);
    functions.push({
      ...origin(stack, r),
      name,
      arn: String(out(r).arn),
      handler: str(i.handler) ?? "index.handler",
      codeDir,
      runtime: str(i.runtime) ?? "nodejs22.x",
      environment: stringRecord(obj(i.environment).variables),
      // Lambda's defaults: 3 s and 128 MB (CreateFunction API reference).
      timeoutSeconds: num(i.timeout) ?? 3,
      memoryMb: num(i.memorySize) ?? 128,
      reservedConcurrency: num(i.reservedConcurrentExecutions) !== undefined && num(i.reservedConcurrentExecutions)! >= 0 ? num(i.reservedConcurrentExecutions) : undefined,
      roleArn: String(i.role),
      tracing: obj(i.tracingConfig).mode === "Active" ? "Active" : "PassThrough",
      logFormat: logging.logFormat === "JSON" ? "JSON" : "Text",
      applicationLogLevel: str(logging.applicationLogLevel),
      systemLogLevel: str(logging.systemLogLevel),
      logGroup: str(logging.logGroup) ?? `/aws/lambda/${name}`,
      asyncInvoke: {
        // Asynchronous invocation defaults: 2 retries, 6 hours (Lambda developer guide, "Asynchronous invocation").
        maximumRetryAttempts: num(config.maximumRetryAttempts) ?? 2,
        maximumEventAgeSeconds: num(config.maximumEventAgeSeconds) ?? 21600,
        onFailure: str(obj(destinations.onFailure).destination),
        onSuccess: str(obj(destinations.onSuccess).destination),
      },
    });
  }
  return functions;
}

/** The graph's event source mappings, each naming a function of the graph by name or ARN. */
export function readEventSourceMappings(graph: GraphResources, functions: readonly FunctionSpec[]): EventSourceMappingSpec[] {
  const { of, origin, out } = graph;
  const functionByNameOrArn = (ref: string): FunctionSpec | undefined =>
    functions.find((f) => f.name === ref || f.arn === ref || ref.startsWith(`${f.arn}:`));
  return of("aws:lambda/eventSourceMapping:EventSourceMapping").map(({ stack, r }) => {
    const i = r.inputs;
    const fn = functionByNameOrArn(String(i.functionName));
    if (!fn) throw new GraphError(`Event source mapping ${r.name} names function ${String(i.functionName)}, which is not in the environment.`);
    const sourceArn = String(i.eventSourceArn);
    const sourceKind = sourceArn.startsWith("arn:aws:sqs:") ? "sqs" : sourceArn.includes(":dynamodb:") ? "dynamodb" : undefined;
    if (!sourceKind) throw new GraphError(`Event source mapping ${r.name} reads ${sourceArn}: the local cloud serves SQS and DynamoDB stream sources only.`);
    const filters = (obj(i.filterCriteria).filters as { pattern?: string }[] | undefined) ?? [];
    return {
      ...origin(stack, r),
      uuid: String(out(r).uuid),
      functionArn: fn.arn,
      sourceArn,
      sourceKind,
      enabled: i.enabled !== false,
      // BatchSize defaults: 10 for SQS, 100 for streams (CreateEventSourceMapping API reference).
      batchSize: num(i.batchSize) ?? (sourceKind === "sqs" ? 10 : 100),
      maximumBatchingWindowSeconds: num(i.maximumBatchingWindowInSeconds) ?? 0,
      ...(num(obj(i.scalingConfig).maximumConcurrency) !== undefined ? { maximumConcurrency: num(obj(i.scalingConfig).maximumConcurrency) } : {}),
      filters: filters.map((f) => json(f.pattern)),
      reportBatchItemFailures: Array.isArray(i.functionResponseTypes) && i.functionResponseTypes.includes("ReportBatchItemFailures"),
      ...(str(i.startingPosition) ? { startingPosition: str(i.startingPosition) } : {}),
    };
  });
}
