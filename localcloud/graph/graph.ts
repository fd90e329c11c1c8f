import type { RecordedResource } from "../../ops/engine/recording-monitor";
import type { CloudIdentity } from "../../ops/engine/fake-outputs";

/**
 * The local cloud's view of an environment: every resource it serves, read from the resolved graph that the offline
 * preview synthesizes (the same registrations `pulumi up` would send). Nothing here is typed a second time: names,
 * ARNs, environments, timeouts, patterns and templates are the values the stacks registered. Defaults are AWS's own,
 * applied where the program left an input unset (each one cites where AWS documents it).
 */
export interface LocalGraph {
  readonly env: string;
  readonly cloud: Required<CloudIdentity>;
  readonly functions: readonly FunctionSpec[];
  readonly queues: readonly QueueSpec[];
  readonly tables: readonly TableSpec[];
  readonly eventSourceMappings: readonly EventSourceMappingSpec[];
  readonly buses: readonly BusSpec[];
  readonly rules: readonly RuleSpec[];
  readonly topics: readonly TopicSpec[];
  readonly subscriptions: readonly SubscriptionSpec[];
  readonly pipes: readonly PipeSpec[];
  readonly stateMachines: readonly StateMachineSpec[];
  readonly restApis: readonly RestApiSpec[];
  readonly containerServices: readonly ContainerServiceSpec[];
  readonly alarms: readonly AlarmSpec[];
  /** Every recorded resource, by stack, for what a service reads beyond its own specs (IAM, diagrams). */
  readonly resources: readonly StackResources[];
}

export interface StackResources {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
}

/** Where a spec came from: its stack, the component that created it (its name in the program) and its URN. */
export interface Origin {
  readonly stack: string;
  /** The owning component's name (`createShipment`), or the resource's own name when it has no component parent. */
  readonly component: string;
  readonly urn: string;
}

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

export interface QueueSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  /** The URL the graph holds (`https://sqs.<region>.amazonaws.com/...`); the local cloud serves its own. */
  readonly url: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly messageRetentionSeconds: number;
  readonly delaySeconds: number;
  readonly receiveWaitTimeSeconds: number;
  readonly maximumMessageSize: number;
  readonly redrive?: { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number };
  /** The queue policy document, when a QueuePolicy names this queue. */
  readonly policy?: unknown;
  readonly kmsMasterKeyId?: string;
}

export interface TableSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  /** The graph's stream ARN (DynamoDB Local makes its own). */
  readonly streamArn?: string;
  readonly resource: RecordedResource;
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

export interface BusSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly policy?: unknown;
}

export interface RuleSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly pattern: Record<string, unknown>;
  readonly enabled: boolean;
  readonly targets: readonly RuleTargetSpec[];
}

export interface RuleTargetSpec extends Origin {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly inputPaths?: Readonly<Record<string, string>>; readonly inputTemplate: string };
  /** RetryPolicy: AWS's defaults are 185 attempts and 24 hours. */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn?: string;
  readonly roleArn?: string;
  readonly messageGroupId?: string;
}

export interface TopicSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  readonly policy?: unknown;
  readonly kmsMasterKeyId?: string;
}

export interface SubscriptionSpec extends Origin {
  readonly arn: string;
  readonly topicArn: string;
  readonly protocol: string;
  readonly endpoint: string;
  readonly rawMessageDelivery: boolean;
  readonly filterPolicy?: string;
  readonly filterPolicyScope: "MessageAttributes" | "MessageBody";
  readonly deadLetterArn?: string;
}

export interface PipeSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly sourceArn: string;
  readonly source: {
    readonly batchSize: number;
    readonly maximumBatchingWindowSeconds: number;
    readonly startingPosition: string;
    /** -1 retries forever (Pipes' default for streams). */
    readonly maximumRetryAttempts: number;
    /** -1 keeps records until they expire from the stream. */
    readonly maximumRecordAgeSeconds: number;
    readonly bisectOnFailure: boolean;
    readonly deadLetterArn?: string;
  };
  readonly filters: readonly string[];
  readonly enrichmentArn?: string;
  readonly enrichmentInputTemplate?: string;
  readonly targetArn: string;
  readonly targetInputTemplate?: string;
  readonly stateMachineInvocationType?: "FIRE_AND_FORGET" | "REQUEST_RESPONSE";
}

export interface StateMachineSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly type: "STANDARD" | "EXPRESS";
  readonly definition: string;
  readonly roleArn: string;
  readonly tracing: boolean;
}

export interface RestApiSpec extends Origin {
  readonly id: string;
  readonly name: string;
  readonly stageName: string;
  readonly executionArn: string;
  readonly tracing: boolean;
  /** Stage-wide throttling from the method settings on `*\/*`; unset means the account's (10,000 rps, 5,000 burst). */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly routes: readonly RouteSpec[];
  /** Gateway responses by type (`BAD_REQUEST_BODY`...). */
  readonly gatewayResponses: Readonly<Record<string, { readonly statusCode?: string; readonly templates: Readonly<Record<string, string>>; readonly headers: Readonly<Record<string, string>> }>>;
}

export interface RouteSpec {
  readonly httpMethod: string;
  /** The resource path with its parameters, `/orders/{id}`. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly authorization: string;
  readonly authorizerId?: string;
  readonly authorizationScopes?: readonly string[];
  readonly apiKeyRequired: boolean;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** `method.request.path.id` → required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** The request model's JSON schema (draft 4), by content type. */
  readonly requestSchemas: Readonly<Record<string, unknown>>;
  readonly integration: { readonly type: string; readonly functionArn?: string; readonly timeoutMs: number };
}

export interface ContainerServiceSpec extends Origin {
  readonly name: string;
  readonly cluster: string;
  readonly desiredCount: number;
  readonly taskRoleArn: string;
  /** The application container (the one not named after a sidecar). */
  readonly container: { readonly name: string; readonly environment: Readonly<Record<string, string>>; readonly stopTimeoutSeconds: number };
  /** How the image is built: the Dockerfile and its context, relative to the repository root. */
  readonly image?: { readonly context: string; readonly dockerfile: string };
  /** Where the application container logs (its `awslogs` driver's group and stream prefix), when it says. */
  readonly logs?: { readonly group: string; readonly streamPrefix?: string };
}

export interface AlarmSpec extends Origin {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic?: string;
  readonly comparisonOperator: string;
  readonly threshold: number;
}

/** Graph values the local cloud cannot use (a missing archive, an unknown reference); the message names the resource. */
export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphError";
  }
}

type Inputs = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const obj = (v: unknown): Inputs => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Inputs) : {});
const json = (v: unknown): unknown => {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};
const stringRecord = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(obj(v)).filter(([, x]) => typeof x === "string") as [string, string][]);

/**
 * Builds the local graph from the stacks' resolved runs (`SynthesizedStack.resolved` of ops/offline/synthesize.ts).
 * Async because a function's code arrives as a Pulumi archive whose path is a promise.
 */
export async function buildLocalGraph(env: string, cloud: CloudIdentity, stacks: readonly StackResources[]): Promise<LocalGraph> {
  const all = stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.stack, r })));
  const byUrn = new Map(all.map(({ r }) => [r.urn, r]));
  const of = (type: string) => all.filter(({ r }) => r.type === type);
  const origin = (stack: string, r: RecordedResource): Origin => ({ stack, component: componentName(r, byUrn), urn: r.urn });
  const out = (r: RecordedResource) => r.outputs as Inputs;
  const fullCloud = { partition: "aws", ...cloud };

  // Functions, with their asynchronous invocation settings (FunctionEventInvokeConfig names the function by name).
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
  const functionByNameOrArn = (ref: string): FunctionSpec | undefined =>
    functions.find((f) => f.name === ref || f.arn === ref || ref.startsWith(`${f.arn}:`));

  // Queues, with the policy their QueuePolicy attaches (keyed by the queue URL).
  const queuePolicies = new Map(of("aws:sqs/queuePolicy:QueuePolicy").map(({ r }) => [String(r.inputs.queueUrl), json(r.inputs.policy)]));
  const queues: QueueSpec[] = of("aws:sqs/queue:Queue").map(({ stack, r }) => {
    const i = r.inputs;
    const redrive = json(i.redrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined;
    const url = String(out(r).url);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn: String(out(r).arn),
      url,
      fifo: i.fifoQueue === true,
      contentBasedDeduplication: i.contentBasedDeduplication === true,
      // SQS's defaults (CreateQueue API reference): visibility 30 s, retention 4 days, no delay, short polling, 256 KiB.
      visibilityTimeoutSeconds: num(i.visibilityTimeoutSeconds) ?? 30,
      messageRetentionSeconds: num(i.messageRetentionSeconds) ?? 345600,
      delaySeconds: num(i.delaySeconds) ?? 0,
      receiveWaitTimeSeconds: num(i.receiveWaitTimeSeconds) ?? 0,
      maximumMessageSize: num(i.maxMessageSize) ?? 262144,
      ...(redrive && typeof redrive === "object" && redrive.deadLetterTargetArn
        ? { redrive: { deadLetterTargetArn: redrive.deadLetterTargetArn, maxReceiveCount: Number(redrive.maxReceiveCount ?? 10) } }
        : {}),
      ...(queuePolicies.has(url) ? { policy: queuePolicies.get(url) } : {}),
      ...(str(i.kmsMasterKeyId) ? { kmsMasterKeyId: str(i.kmsMasterKeyId) } : {}),
    };
  });

  const tables: TableSpec[] = of("aws:dynamodb/table:Table").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    arn: String(out(r).arn),
    ...(str(out(r).streamArn) ? { streamArn: str(out(r).streamArn) } : {}),
    resource: r,
  }));

  const eventSourceMappings: EventSourceMappingSpec[] = of("aws:lambda/eventSourceMapping:EventSourceMapping").map(({ stack, r }) => {
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

  const busPolicies = new Map(of("aws:cloudwatch/eventBusPolicy:EventBusPolicy").map(({ r }) => [String(r.inputs.eventBusName ?? "default"), json(r.inputs.policy)]));
  const buses: BusSpec[] = of("aws:cloudwatch/eventBus:EventBus").map(({ stack, r }) => {
    const name = String(out(r).name);
    return { ...origin(stack, r), name, arn: String(out(r).arn), ...(busPolicies.has(name) ? { policy: busPolicies.get(name) } : {}) };
  });

  const targetsByRule = new Map<string, RuleTargetSpec[]>();
  for (const { stack, r } of of("aws:cloudwatch/eventTarget:EventTarget")) {
    const i = r.inputs;
    const key = `${String(i.eventBusName ?? "default")}/${String(i.rule)}`;
    const retry = obj(i.retryPolicy);
    const transformer = obj(i.inputTransformer);
    const list = targetsByRule.get(key) ?? [];
    list.push({
      ...origin(stack, r),
      id: String(out(r).targetId ?? i.targetId),
      arn: String(i.arn),
      ...(str(i.input) ? { input: str(i.input) } : {}),
      ...(str(i.inputPath) ? { inputPath: str(i.inputPath) } : {}),
      ...(str(transformer.inputTemplate)
        ? { inputTransformer: { inputPaths: stringRecord(transformer.inputPaths), inputTemplate: String(transformer.inputTemplate) } }
        : {}),
      // EventBridge's retry defaults: 185 attempts over 24 hours (PutTargets API reference, RetryPolicy).
      maximumRetryAttempts: num(retry.maximumRetryAttempts) ?? 185,
      maximumEventAgeSeconds: num(retry.maximumEventAgeInSeconds) ?? 86400,
      ...(str(obj(i.deadLetterConfig).arn) ? { deadLetterArn: str(obj(i.deadLetterConfig).arn) } : {}),
      ...(str(i.roleArn) ? { roleArn: str(i.roleArn) } : {}),
      ...(str(obj(i.sqsTarget).messageGroupId) ? { messageGroupId: str(obj(i.sqsTarget).messageGroupId) } : {}),
    });
    targetsByRule.set(key, list);
  }
  const rules: RuleSpec[] = of("aws:cloudwatch/eventRule:EventRule").map(({ stack, r }) => {
    const i = r.inputs;
    const name = String(out(r).name);
    const busName = String(i.eventBusName ?? "default");
    const pattern = json(i.eventPattern);
    if (pattern === null || typeof pattern !== "object") throw new GraphError(`Rule ${name} has no event pattern; the local cloud serves pattern rules only (not schedules).`);
    return {
      ...origin(stack, r),
      name,
      arn: String(out(r).arn),
      busName,
      pattern: pattern as Record<string, unknown>,
      enabled: i.state === undefined ? i.isEnabled !== false : i.state === "ENABLED",
      targets: targetsByRule.get(`${busName}/${name}`) ?? [],
    };
  });

  const topicPolicies = new Map(of("aws:sns/topicPolicy:TopicPolicy").map(({ r }) => [String(r.inputs.arn), json(r.inputs.policy)]));
  const topics: TopicSpec[] = of("aws:sns/topic:Topic").map(({ stack, r }) => {
    const arn = String(out(r).arn);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn,
      fifo: r.inputs.fifoTopic === true,
      ...(topicPolicies.has(arn) ? { policy: topicPolicies.get(arn) } : {}),
      ...(str(r.inputs.kmsMasterKeyId) ? { kmsMasterKeyId: str(r.inputs.kmsMasterKeyId) } : {}),
    };
  });
  const subscriptions: SubscriptionSpec[] = of("aws:sns/topicSubscription:TopicSubscription").map(({ stack, r }) => {
    const i = r.inputs;
    const redrive = json(i.redrivePolicy) as { deadLetterTargetArn?: string } | undefined;
    return {
      ...origin(stack, r),
      arn: String(out(r).arn),
      topicArn: String(i.topic ?? i.topicArn),
      protocol: String(i.protocol),
      endpoint: String(i.endpoint),
      rawMessageDelivery: i.rawMessageDelivery === true,
      ...(str(i.filterPolicy) ? { filterPolicy: str(i.filterPolicy) } : {}),
      filterPolicyScope: i.filterPolicyScope === "MessageBody" ? "MessageBody" : "MessageAttributes",
      ...(redrive && typeof redrive === "object" && redrive.deadLetterTargetArn ? { deadLetterArn: redrive.deadLetterTargetArn } : {}),
    };
  });

  const pipes: PipeSpec[] = of("aws:pipes/pipe:Pipe").map(({ stack, r }) => {
    const i = r.inputs;
    const sourceParameters = obj(i.sourceParameters);
    const stream = obj(sourceParameters.dynamodbStreamParameters);
    const targetParameters = obj(i.targetParameters);
    const filters = (obj(sourceParameters.filterCriteria).filters as { pattern?: string }[] | undefined) ?? [];
    const sourceArn = String(i.source);
    if (!sourceArn.includes(":dynamodb:")) throw new GraphError(`Pipe ${String(out(r).name)} reads ${sourceArn}: the local cloud serves DynamoDB stream sources for pipes.`);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn: String(out(r).arn),
      roleArn: String(i.roleArn),
      sourceArn,
      source: {
        // Pipes' DynamoDB stream defaults (PipeSourceDynamoDBStreamParameters): batch 100, no window, retries and
        // record age unlimited (-1).
        batchSize: num(stream.batchSize) ?? 100,
        maximumBatchingWindowSeconds: num(stream.maximumBatchingWindowInSeconds) ?? 0,
        startingPosition: str(stream.startingPosition) ?? "LATEST",
        maximumRetryAttempts: num(stream.maximumRetryAttempts) ?? -1,
        maximumRecordAgeSeconds: num(stream.maximumRecordAgeInSeconds) ?? -1,
        bisectOnFailure: stream.onPartialBatchItemFailure === "AUTOMATIC_BISECT",
        ...(str(obj(stream.deadLetterConfig).arn) ? { deadLetterArn: str(obj(stream.deadLetterConfig).arn) } : {}),
      },
      filters: filters.map((f) => String(f.pattern)),
      ...(str(i.enrichment) ? { enrichmentArn: str(i.enrichment) } : {}),
      ...(str(obj(i.enrichmentParameters).inputTemplate) ? { enrichmentInputTemplate: str(obj(i.enrichmentParameters).inputTemplate) } : {}),
      targetArn: String(i.target),
      ...(str(targetParameters.inputTemplate) ? { targetInputTemplate: str(targetParameters.inputTemplate) } : {}),
      ...(str(obj(targetParameters.stepFunctionStateMachineParameters).invocationType)
        ? { stateMachineInvocationType: str(obj(targetParameters.stepFunctionStateMachineParameters).invocationType) as "FIRE_AND_FORGET" | "REQUEST_RESPONSE" }
        : {}),
    };
  });

  const stateMachines: StateMachineSpec[] = of("aws:sfn/stateMachine:StateMachine").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    arn: String(out(r).arn),
    type: r.inputs.type === "EXPRESS" ? "EXPRESS" : "STANDARD",
    definition: String(r.inputs.definition),
    roleArn: String(r.inputs.roleArn),
    tracing: obj(r.inputs.tracingConfiguration).enabled === true,
  }));

  const restApis = of("aws:apigateway/restApi:RestApi").map(({ stack, r }) => restApiSpec(stack, r, all, origin));

  const containerServices: ContainerServiceSpec[] = of("awsx:ecs:FargateService").map(({ stack, r }) => {
    const i = r.inputs;
    const task = obj(i.taskDefinitionArgs);
    const containers = obj(task.containers);
    const sidecar = (c: Inputs) => String(c.image ?? "").includes("xray") || String(c.image ?? "").includes("otel");
    const entry = Object.entries(containers).find(([, c]) => !sidecar(obj(c)));
    if (!entry) throw new GraphError(`Service ${String(i.name)} has no application container.`);
    const [containerName, container] = entry as [string, Inputs];
    const image = all.find(({ r: x }) => x.type === "awsx:ecr:Image" && x.parent === r.parent);
    const logOptions = stringRecord(obj(obj(container.logConfiguration).options));
    return {
      ...origin(stack, r),
      name: String(i.name ?? r.name),
      cluster: String(i.cluster),
      desiredCount: num(i.desiredCount) ?? 1,
      taskRoleArn: String(obj(task.taskRole).roleArn),
      container: {
        name: containerName,
        environment: Object.fromEntries(((container.environment as { name: string; value: string }[] | undefined) ?? []).map((e) => [e.name, e.value])),
        stopTimeoutSeconds: num(container.stopTimeout) ?? 30,
      },
      ...(image ? { image: { context: String(image.r.inputs.context ?? "."), dockerfile: String(image.r.inputs.dockerfile ?? "Dockerfile") } } : {}),
      ...(logOptions["awslogs-group"] ? { logs: { group: logOptions["awslogs-group"], ...(logOptions["awslogs-stream-prefix"] ? { streamPrefix: logOptions["awslogs-stream-prefix"] } : {}) } } : {}),
    };
  });

  const alarms: AlarmSpec[] = of("aws:cloudwatch/metricAlarm:MetricAlarm").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    namespace: String(r.inputs.namespace ?? ""),
    metricName: String(r.inputs.metricName ?? ""),
    dimensions: stringRecord(r.inputs.dimensions),
    ...(str(r.inputs.statistic) ? { statistic: str(r.inputs.statistic) } : {}),
    comparisonOperator: String(r.inputs.comparisonOperator ?? ""),
    threshold: num(r.inputs.threshold) ?? 0,
  }));

  return {
    env,
    cloud: fullCloud,
    functions,
    queues,
    tables,
    eventSourceMappings,
    buses,
    rules,
    topics,
    subscriptions,
    pipes,
    stateMachines,
    restApis,
    containerServices,
    alarms,
    resources: stacks,
  };
}

/** The name of the component that created a resource: the last part of its parent's URN, unless that is the stack. */
function componentName(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
  const parent = r.parent ? byUrn.get(r.parent) : undefined;
  if (!parent || parent.type === "pulumi:pulumi:Stack") return r.name;
  return parent.name;
}

function restApiSpec(
  stack: string,
  api: RecordedResource,
  all: readonly { stack: string; r: RecordedResource }[],
  origin: (stack: string, r: RecordedResource) => Origin,
): RestApiSpec {
  const apiId = String(api.id);
  const mine = all.filter(({ r }) => r.type.startsWith("aws:apigateway/") && (r.inputs.restApi === apiId || r.inputs.restApiId === apiId)).map(({ r }) => r);
  const ofType = (type: string) => mine.filter((r) => r.type === type);
  const rootId = String(api.outputs.rootResourceId);
  const resources = new Map(ofType("aws:apigateway/resource:Resource").map((r) => [String(r.id), r]));
  const pathOf = (id: string): string => {
    if (id === rootId) return "";
    const res = resources.get(id);
    if (!res) throw new GraphError(`API ${api.name} has a method on resource ${id}, which is not among its resources.`);
    return `${pathOf(String(res.inputs.parentId))}/${String(res.inputs.pathPart)}`;
  };
  const models = new Map(ofType("aws:apigateway/model:Model").map((r) => [String(r.inputs.name), json(r.inputs.schema)]));
  const validators = new Map(ofType("aws:apigateway/requestValidator:RequestValidator").map((r) => [String(r.id), r.inputs]));
  const integrations = ofType("aws:apigateway/integration:Integration");
  const routes: RouteSpec[] = ofType("aws:apigateway/method:Method").map((m) => {
    const i = m.inputs;
    const resourceId = String(i.resourceId);
    const integration = integrations.find((x) => String(x.inputs.resourceId) === resourceId && x.inputs.httpMethod === i.httpMethod);
    const uri = String(integration?.inputs.uri ?? "");
    const functionArn = /functions\/(arn:[^/]+)\/invocations$/.exec(uri)?.[1];
    const validator = obj(validators.get(String(i.requestValidatorId)));
    const requestModels = stringRecord(i.requestModels);
    return {
      httpMethod: String(i.httpMethod),
      resourcePath: pathOf(resourceId) || "/",
      resourceId,
      authorization: String(i.authorization ?? "NONE"),
      ...(str(i.authorizerId) ? { authorizerId: str(i.authorizerId) } : {}),
      ...(Array.isArray(i.authorizationScopes) ? { authorizationScopes: i.authorizationScopes as string[] } : {}),
      apiKeyRequired: i.apiKeyRequired === true,
      validateBody: validator.validateRequestBody === true,
      validateParameters: validator.validateRequestParameters === true,
      requestParameters: Object.fromEntries(Object.entries(obj(i.requestParameters)).map(([k, v]) => [k, v === true])),
      requestSchemas: Object.fromEntries(Object.entries(requestModels).map(([type, model]) => [type, models.get(model)])),
      integration: {
        type: String(integration?.inputs.type ?? "MOCK"),
        ...(functionArn ? { functionArn } : {}),
        // API Gateway's integration timeout defaults to 29 s (PutIntegration API reference).
        timeoutMs: num(integration?.inputs.timeoutMilliseconds) ?? 29000,
      },
    };
  });
  const stage = ofType("aws:apigateway/stage:Stage")[0];
  if (!stage) throw new GraphError(`API ${api.name} has no stage; the local cloud serves a deployed stage.`);
  const stageName = String(stage.inputs.stageName);
  const wide = ofType("aws:apigateway/methodSettings:MethodSettings").find((s) => s.inputs.methodPath === "*/*" && s.inputs.stageName === stageName);
  const settings = obj(wide?.inputs.settings);
  const rate = num(settings.throttlingRateLimit);
  const burst = num(settings.throttlingBurstLimit);
  const gatewayResponses = Object.fromEntries(
    ofType("aws:apigateway/response:Response").map((r) => [
      String(r.inputs.responseType),
      {
        ...(str(r.inputs.statusCode) ? { statusCode: str(r.inputs.statusCode) } : {}),
        templates: stringRecord(r.inputs.responseTemplates),
        headers: stringRecord(r.inputs.responseParameters),
      },
    ]),
  );
  const apiStack = all.find(({ r }) => r === api)?.stack ?? stack;
  return {
    ...origin(apiStack, api),
    id: apiId,
    name: api.name,
    stageName,
    executionArn: String(api.outputs.executionArn),
    tracing: stage.inputs.xrayTracingEnabled === true,
    ...(rate !== undefined && burst !== undefined ? { throttle: { rateLimit: rate, burstLimit: burst } } : {}),
    routes,
    gatewayResponses,
  };
}
