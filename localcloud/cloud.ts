import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Environment } from "../stacks/environments";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../ops/offline/synthesize";
import { REPO_ROOT } from "../ops/repo-root";
import { Activity } from "./kernel/activity";
import { queueAlarmStates, type AlarmState } from "./services/cloudwatch/alarms";
import { LocalRestApi } from "./services/apigateway/rest-api";
import { AwsError } from "./kernel/aws-error";
import { Clock } from "./kernel/clock";
import { CredentialIssuer, type LocalCredentials } from "./kernel/credentials";
import { DeliveryRouter } from "./kernel/delivery";
import { startDynamoDBLocal, type DynamoDBLocal } from "./services/dynamodb/local";
import { openStreamReader } from "./services/dynamodb/streams";
import { createTables, type LocalTables } from "./services/dynamodb/tables";
import { buildLocalImage } from "./services/ecs/image";
import { LocalService } from "./services/ecs/service";
import { AwsEndpoint } from "./endpoint/endpoint";
import { EventBridgeService, type EventEnvelope, type PutEventsEntry } from "./services/events/service";
import { buildLocalGraph, GraphError, type FunctionSpec, type LocalGraph } from "./graph/graph";
import { FaultInjector } from "./faults/fault-injector";
import type { FaultPlan } from "./faults/fault-plan";
import { LocalIam } from "./iam/authorizer";
import { requiredPermissions } from "./iam/operations";
import { pollerDenials } from "./iam/pollers";
import type { LogSink } from "./services/lambda/environment";
import { LambdaService } from "./services/lambda/service";
import { LogStore } from "./kernel/logs";
import { activityLine } from "./kernel/activity-line";
import { LocalApiAccess } from "./services/apigateway/access";
import { localTokenEndpoint } from "./services/apigateway/token-endpoint";
import { SqsEventSource } from "./services/lambda/sqs-event-source";
import { emailSendingFromGraph, originationIdentitiesFromGraph } from "./graph/messaging";
import { Outbox } from "./kernel/outbox";
import { LocalPipe } from "./services/pipes/pipe";
import { readSeed, seedStock, DEFAULT_SEED_FILE, type Seed } from "./app/seed/seed";
import { SesService } from "./services/ses/service";
import { SmsService } from "./services/sms/service";
import { SnsService } from "./services/sns/service";
import { SqsService } from "./services/sqs/service";
import { StepFunctionsService } from "./services/states/service";
import { LocalXRay } from "./services/xray/local-xray";

export interface LocalCloudOptions {
  readonly env: Environment;
  /** The API's port; 0 picks a free one. */
  readonly port: number;
  /** Multiplies every configured wait (visibility timeouts, batching windows, retry intervals). @default 1 */
  readonly timeScale?: number;
  /** The stock seed file. @default localcloud/app/seed/default.json */
  readonly seedFile?: string;
  /** The repository (Pulumi.yaml, stacks, handlers). @default the repository root */
  readonly root?: string;
  /** Environments per function without a reserved concurrency. @default 4 */
  readonly localConcurrency?: number;
  /** Stacks already synthesized (tests synthesize once); synthesized here otherwise. */
  readonly stacks?: readonly ResolvedStack[];
  /** Transforms the program's resources before they are recorded (tests remove a grant this way). */
  readonly program?: () => unknown;
  /** Verify every request's signature and decide it with IAM from the graph. @default true */
  readonly iam?: boolean;
  /**
   * A DynamoDB Local already running (tests share one per run) instead of a JVM of the cloud's own. The cloud creates
   * the graph's tables in it (their physical names, unique per stack) and deletes them on stop, leaving it running.
   * @default a DynamoDB Local started with the cloud and stopped with it
   */
  readonly dynamodb?: DynamoDBLocal;
  /**
   * Start each function's first environment with the cloud, so an archive that does not load fails at start; otherwise
   * a function starts on its first invocation, a cold start as Lambda has it. @default true
   */
  readonly warm?: boolean;
  /**
   * Faults to inject from the start (`--faults <file>`): errors, latency, crashes and throttles per function, duplicate
   * deliveries per queue, SES and SMS throttling, stopped tasks. Scenarios may put a plan in force later
   * (`cloud.faults.use`). @default none
   */
  readonly faults?: FaultPlan;
}

/** The running local cloud of one environment. */
export class LocalCloud {
  readonly activity: Activity;
  /** Where logs, traces and outboxes go: `.orderflow/local/<env>/`. */
  readonly outputDir: string;
  /** `http://127.0.0.1:<port>/<stage>` of each REST API, by component name. */
  readonly apiUrls: Readonly<Record<string, string>>;
  /** How long start() took, in milliseconds, and DynamoDB Local's share of it. */
  readonly startupMs: number;
  readonly dynamoDbStartupMs: number;

  private constructor(
    readonly graph: LocalGraph,
    readonly stacks: readonly ResolvedStack[],
    readonly clock: Clock,
    readonly endpointUrl: string,
    readonly dynamodb: DynamoDBLocal,
    readonly tables: LocalTables,
    readonly sqs: SqsService,
    readonly lambda: LambdaService,
    readonly events: EventBridgeService,
    readonly sns: SnsService,
    readonly states: StepFunctionsService,
    /** The local IAM, unless started with `iam: false`. */
    readonly iam: LocalIam | undefined,
    /** The operator's session (administrator access) for scenarios and tools that call the local endpoint. */
    readonly operator: LocalCredentials,
    private readonly parts: { endpoint: AwsEndpoint; apis: LocalRestApi[]; sources: SqsEventSource[]; pipes: LocalPipe[]; services: LocalService[]; access: LocalApiAccess },
    private readonly logStore: LogStore,
    /** The stock the cloud was seeded with. */
    readonly seed: Seed,
    activity: Activity,
    outputDir: string,
    startupMs: number,
  ) {
    this.activity = activity;
    this.outputDir = outputDir;
    this.apiUrls = Object.fromEntries(parts.apis.map((a) => [a.spec.component, a.url]));
    this.startupMs = startupMs;
    this.dynamoDbStartupMs = dynamodb.startupMs;
  }

  /**
   * Synthesizes the environment (unless given its stacks), starts DynamoDB Local and every service the graph holds,
   * seeds the stock, and serves the API. Anything that fails to start stops what had started, then rejects.
   */
  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    const started = Date.now();
    const root = options.root ?? REPO_ROOT;
    const clock = new Clock(options.timeScale ?? 1);
    const seed = readSeed(options.seedFile ?? DEFAULT_SEED_FILE);
    const outputDir = path.join(root, ".orderflow", "local", options.env);
    rmSync(path.join(outputDir, "logs"), { recursive: true, force: true });
    mkdirSync(path.join(outputDir, "logs"), { recursive: true });

    // DynamoDB Local's JVM starts while the environment is synthesized: the two longest steps overlap.
    const given = options.dynamodb;
    const dynamodbStarting = given ? Promise.resolve(given) : startDynamoDBLocal();
    dynamodbStarting.catch(() => undefined);
    let stacks: readonly ResolvedStack[];
    try {
      stacks = options.stacks ?? (await synthesizeResolvedEnvironment({ env: options.env, root, ...(options.program ? { program: options.program } : {}) }));
    } catch (error) {
      if (!given) await (await dynamodbStarting.catch(() => undefined))?.stop();
      throw error;
    }
    const dynamodb = await dynamodbStarting;
    const cleanup: (() => Promise<unknown> | unknown)[] = given ? [] : [() => dynamodb.stop()];
    try {
      // The X-Ray daemon on a free port; it stops last, writing the traces of everything that ran.
      rmSync(path.join(outputDir, "traces"), { recursive: true, force: true });
      const xray = await LocalXRay.start(path.join(outputDir, "traces"));
      cleanup.push(() => xray.stop());
      const graph = await buildLocalGraph(options.env, stacks[0].cloud, stacks.map((s) => ({ stack: s.stack, resources: s.resolved.resources })));
      const activity = new Activity();
      const faults = faultInjectorFor(graph, options.faults);
      const logs = new LogStore(path.join(outputDir, "logs"));
      // Everything the services did, one line each: what `orderflow local` prints while serving.
      const activityLog = logs.writer("activity");
      activity.subscribe((r) => activityLog(activityLine(r)));
      const credentials = new CredentialIssuer();
      const endpoint = new AwsEndpoint((key) => credentials.byAccessKey(key)?.roleArn ?? key ?? "anonymous");
      const operator = credentials.forRole(`arn:${graph.cloud.partition}:iam::${graph.cloud.account}:role/orderflow-local-operator`);
      const iam = options.iam === false ? undefined : new LocalIam(graph, credentials, activity, root, operator.roleArn);
      if (iam) endpoint.guardWith((request, operation) => iam.authorizeRequest(request, operation));
      cleanup.push(() => endpoint.close());
      const endpointUrl = await endpoint.listen();
      endpoint.forwardDynamoDb("127.0.0.1", dynamodb.port);
      const region = graph.cloud.region;
      const dynamoClient = new DynamoDBClient({ endpoint: dynamodb.endpoint, region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      const tables = await createTables(dynamoClient, graph.tables.map((t) => t.resource));
      // A DynamoDB Local the cloud did not start outlives it: the tables go instead, after everything that used them.
      if (given) cleanup.push(() => Promise.all(tables.tables.map((t) => dynamoClient.send(new DeleteTableCommand({ TableName: t.tableName })))));

      const sqs = new SqsService(graph.queues, endpointUrl, clock, { activity, faults });
      cleanup.push(() => sqs.close());
      // Every value the graph gives a function or a task that is a queue's URL becomes the local one.
      const localValues = (values: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, sqs.localUrlFor(v) ?? v]));

      // Lambda's destinations and these services' targets refer to each other: declared here, made once Lambda is.
      /* eslint-disable prefer-const */
      let events!: EventBridgeService;
      let sns!: SnsService;
      let states!: StepFunctionsService;
      /* eslint-enable prefer-const */
      const lambda: LambdaService = new LambdaService(graph.functions, {
        clock,
        activity,
        faults,
        localConcurrency: options.localConcurrency ?? 4,
        variablesOf: (spec) => lambdaVariables(spec, localValues(spec.environment), credentials.forRole(spec.roleArn), region, endpointUrl, xray.port),
        xray,
        logOf: (spec) => functionLog(logs.writer(spec.component), spec),
        destinations: async (arn, record, traceId) => {
          // Lambda sends an invocation record to a destination with the function's execution role.
          const functionArn = String((JSON.parse(record) as { requestContext?: { functionArn?: string } }).requestContext?.functionArn ?? "");
          const principal = graph.functions.find((f) => functionArn === f.arn || functionArn.startsWith(`${f.arn}:`))?.roleArn ?? "lambda.amazonaws.com";
          const failure = await router.deliver(arn, record, { traceId, source: "lambda destination", principal });
          if (failure) throw new AwsError(failure.code, failure.message);
        },
        ...(iam
          ? { authorizeInvoke: (arn, caller, o) => iam.assertAllowed({ principal: caller.principal, action: "lambda:InvokeFunction", resource: arn, ...(caller.sourceArn ? { sourceArn: caller.sourceArn } : {}), ...(o.source ? { via: o.source } : {}), ...(o.traceId ? { traceId: o.traceId } : {}) }) }
          : {}),
      });
      cleanup.push(() => lambda.stop());
      const router = new DeliveryRouter({
        sqs: (arn, payload, o) => void sqs.send(arn, { body: payload, ...(o.traceId ? { traceHeader: o.traceId } : {}), ...(o.messageAttributes ? { messageAttributes: o.messageAttributes } : {}), ...(o.messageGroupId ? { messageGroupId: o.messageGroupId } : {}), senderId: o.principal }),
        sns: (arn, payload, o) => void sns.publish(arn, { message: payload, ...(o.traceId ? { traceId: o.traceId } : {}), source: o.source }),
        lambda: (arn, payload, o) => void lambda.invokeAsync(arn, JSON.parse(payload), { traceId: o.traceId, source: o.source }),
        states: (arn, payload, o) => void states.start(arn, payload, { traceId: o.traceId, source: o.source }),
        events: (arn, payload, o) => {
          // A bus target receives the event itself, put on the other bus.
          const event = JSON.parse(payload) as EventEnvelope;
          const result = events.put({ Source: event.source, DetailType: event["detail-type"], Detail: JSON.stringify(event.detail), Resources: event.resources, Time: event.time, EventBusName: arn }, o.traceId, o.source);
          if ("ErrorCode" in result) throw new AwsError(result.ErrorCode, result.ErrorMessage);
        },
      }, iam ? (arn, o) => iam.authorizeDelivery(arn, o) : undefined);
      events = new EventBridgeService(graph.buses, graph.rules, graph.cloud, router, clock, activity, xray);
      cleanup.push(() => events.stop());
      sns = new SnsService(graph.topics, graph.subscriptions, router, clock, activity, endpointUrl, xray);
      cleanup.push(() => sns.stop());
      states = new StepFunctionsService(graph.stateMachines, lambda, async (entries, traceId, source, roleArn) => {
        // The state machine's role calls PutEvents: every bus it names must allow it.
        for (const p of requiredPermissions({ protocol: "json", targetPrefix: "AWSEvents", operation: "PutEvents", input: { Entries: entries } }, graph) ?? []) {
          await iam?.assertAllowed({ principal: roleArn, action: p.action, resource: p.resource, via: source, ...(traceId ? { traceId } : {}) });
        }
        const results = entries.map((e) => events.put(e, traceId, source));
        return { Entries: results, FailedEntryCount: results.filter((r) => "ErrorCode" in r).length };
      }, clock, activity, xray);
      cleanup.push(() => states.stop());

      endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal, signal: ctx.signal, ...(ctx.traceHeader ? { traceHeader: ctx.traceHeader } : {}) }) });
      endpoint.serveJson("AWSEvents", events);
      endpoint.serveQuery("2010-03-31", sns);
      // SES v2 and End User Messaging SMS: what the notification functions send lands in the outbox.
      const outbox = new Outbox(path.join(outputDir, "outbox"));
      const graphResources = graph.resources.flatMap((r) => r.resources);
      const email = emailSendingFromGraph(graphResources);
      endpoint.serveRest(new SesService(email.identities, email.configurationSets, outbox, activity, region, faults));
      const texts = new SmsService(originationIdentitiesFromGraph(graphResources), outbox, activity, graph.cloud, faults);
      endpoint.serveJson("PinpointSMSVoiceV2", texts);

      const seeded = await seedStock(dynamoClient, stockTableOf(stacks), seed);
      activity.record({ service: "dynamodb", kind: "seed", name: "stock", detail: `${seeded} SKU(s) seeded` });
      if (options.warm !== false) await lambda.warmAll();

      const sources = graph.eventSourceMappings.map((esm) => {
        if (esm.sourceKind !== "sqs") throw new GraphError(`Event source mapping ${esm.component} reads a ${esm.sourceKind} stream: the local cloud serves stream sources through pipes only.`);
        return new SqsEventSource(esm, sqs.queue(esm.sourceArn), lambda.function(esm.functionArn), clock, activity, region);
      });
      const streams = new DynamoDBStreamsClient({ endpoint: dynamodb.endpoint, region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
      const pipes = await Promise.all(
        graph.pipes.map(async (spec) => {
          const reader = await openStreamReader({
            client: streams,
            streamArn: tables.localArn(spec.sourceArn),
            startingPosition: spec.source.startingPosition === "TRIM_HORIZON" ? "TRIM_HORIZON" : "LATEST",
            batchSize: spec.source.batchSize,
            pollIntervalMs: 50,
            eventSourceArn: spec.sourceArn,
            awsRegion: region,
          });
          // The pipe's role starts the state machine.
          const startTarget = async (arn: string, input: string, o: { traceId?: string; source: string }) => {
            await iam?.assertAllowed({ principal: spec.roleArn, action: "states:StartExecution", resource: arn, sourceArn: spec.arn, via: o.source, ...(o.traceId ? { traceId: o.traceId } : {}) });
            states.start(arn, input, o);
          };
          return new LocalPipe(spec, reader, lambda, startTarget, router, clock, activity);
        }),
      );
      const services = await Promise.all(
        graph.containerServices.map(async (spec) => {
          if (!spec.image) throw new GraphError(`Service ${spec.component} has no image built from a Dockerfile; the local cloud runs its program from that build.`);
          const image = await buildLocalImage(root, spec.image.context, spec.image.dockerfile, path.join(root, ".orderflow", "cache", "images", spec.component));
          const creds = credentials.forRole(spec.taskRoleArn);
          const environment = {
            ...localValues(spec.container.environment),
            AWS_REGION: region,
            AWS_DEFAULT_REGION: region,
            AWS_ACCESS_KEY_ID: creds.accessKeyId,
            AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
            AWS_SESSION_TOKEN: creds.sessionToken,
            AWS_ENDPOINT_URL: endpointUrl,
            // The task's X-Ray daemon sidecar is the local daemon.
            AWS_XRAY_DAEMON_ADDRESS: xray.address,
          };
          return new LocalService(spec, image, environment, activity, logs.writer(spec.component), clock, faults);
        }),
      );
      // Tokens and API keys: issuers with keys made for this run, the APIs' authorizers and usage plans, and the
      // local-only token endpoint on the first API's port (what `orderflow local token` calls).
      const access = LocalApiAccess.fromGraph(graph, stacks.map((s) => s.resolved.outputs));
      const apis: LocalRestApi[] = graph.restApis.map(
        (spec, i) =>
          new LocalRestApi(spec, lambda, activity, graph.cloud.account, logs.writer(`${spec.component}-access`), {
            access: access.forApi(spec.id),
            xray,
            ...(i === 0 ? { control: localTokenEndpoint(access, options.env, () => apis[0].url) } : {}),
          }),
      );
      // A poller whose role may not read its source does not run, as AWS refuses to create (or start) it.
      const refused = iam ? await pollerDenials(iam, graph) : new Set<string>();
      for (const source of sources) if (!refused.has(source.spec.component)) source.start();
      cleanup.push(() => Promise.all(sources.map((s) => s.stop())));
      for (const pipe of pipes) if (!refused.has(pipe.spec.component)) pipe.start();
      cleanup.push(() => Promise.all(pipes.map((p) => p.stop())));
      for (const service of services) service.start();
      cleanup.push(() => Promise.all(services.map((s) => s.stop(Math.max(2000, clock.ms(s.spec.container.stopTimeoutSeconds))))));
      cleanup.push(() => Promise.all(apis.map((a) => a.close())));
      for (const [i, api] of apis.entries()) await api.listen(i === 0 ? options.port : 0);

      const cloud = new LocalCloud(graph, stacks, clock, endpointUrl, dynamodb, tables, sqs, lambda, events, sns, states, iam, operator, { endpoint, apis, sources, pipes, services, access }, logs, seed, activity, outputDir, Date.now() - started);
      cloud.cleanup = cleanup;
      cloud.xray = xray;
      // Traces are written when a scenario ends, when the cloud stops, and every few seconds while it serves.
      const writing = setInterval(() => xray.write(), 5000);
      writing.unref();
      cleanup.push(() => clearInterval(writing));
      cloud.outbox = outbox;
      cloud.texts = texts;
      cloud.faults = faults;
      return cloud;
    } catch (error) {
      await runCleanup(cleanup);
      throw error;
    }
  }

  private cleanup: (() => Promise<unknown> | unknown)[] = [];
  /** The fault injection: the plan in force (`use`, `clear`), its seed, and the faults injected so far by kind. */
  faults!: FaultInjector;
  /** Every email and text the local SES and SMS services accepted; each is also a file in `<outputDir>/outbox/`. */
  outbox!: Outbox;
  /** The local X-Ray: the daemon's segments and the services' own, by trace; `writeTraces()` puts them on disk. */
  xray!: LocalXRay;
  /** The local End User Messaging SMS service: its opt-out lists (`texts.optOut(number)`). */
  texts!: SmsService;

  /** The token issuers, authorizers and API keys of this run (scenarios mint tokens here; `local token` asks over HTTP). */
  get access(): LocalApiAccess {
    return this.parts.access;
  }

  /** The API's base URL (the first REST API's stage). */
  get apiUrl(): string {
    return Object.values(this.apiUrls)[0] ?? "";
  }

  /** What each part did so far: invocations, cold starts, throttles and errors per function; dead-lettered messages; API answers. */
  stats() {
    return {
      functions: Object.fromEntries(this.lambda.all.map((f) => [f.spec.component, { invocations: f.invocations, coldStarts: f.coldStarts, throttles: f.throttles, errors: f.errors }])),
      deadLettered: Object.fromEntries(this.sqs.queues.filter((q) => q.deadLettered > 0).map((q) => [q.spec.component, q.deadLettered])),
      api: Object.fromEntries(this.parts.apis.map((a) => [a.spec.component, Object.fromEntries(a.statuses)])),
      pipes: Object.fromEntries(this.parts.pipes.map((p) => [p.spec.component, { delivered: p.delivered, filtered: p.filtered, deadLettered: p.deadLettered }])),
      executions: this.states.executions.length,
      serviceCrashes: Object.fromEntries(this.parts.services.map((s) => [s.spec.component, s.crashes])),
      serviceReplacements: Object.fromEntries(this.parts.services.map((s) => [s.spec.component, s.replacements])),
      faultsInjected: Object.fromEntries(this.faults.injected),
      endpointCalls: Object.fromEntries(this.parts.endpoint.calls),
    };
  }

  /** Recent log lines of a function or service, by component name. */
  logs(component: string): readonly string[] {
    return this.logStore.lines(component);
  }

  /** The condition of every queue alarm now (dead-letter queues above 0 are in ALARM). */
  alarms(): AlarmState[] {
    return queueAlarmStates(this.graph.alarms, this.sqs);
  }

  /** Puts an entry on a bus through the same path as PutEvents (scenarios, tools). */
  putEvent(entry: PutEventsEntry): string {
    const result = this.events.put(entry, undefined, "orderflow local");
    if ("ErrorCode" in result) throw new AwsError(result.ErrorCode, result.ErrorMessage);
    return result.EventId;
  }

  /** Writes the traces recorded so far: `traces/<traceId>.json`, `traces/<orderId>.mmd`, `service-map.mmd`. */
  writeTraces(): void {
    this.xray.write();
  }

  /** Stops everything it started, in reverse order; leaves no process running and no port bound. */
  async stop(): Promise<void> {
    await runCleanup(this.cleanup);
    this.cleanup = [];
  }
}

async function runCleanup(steps: (() => Promise<unknown> | unknown)[]): Promise<void> {
  for (const step of [...steps].reverse()) {
    try {
      await step();
    } catch {
      // Stopping goes on: every process and port must be released even when one step fails.
    }
  }
}

/** The cloud's fault injection, knowing the graph's names, with the plan given at start in force (checked first). */
function faultInjectorFor(graph: LocalGraph, plan: FaultPlan | undefined): FaultInjector {
  const faults = new FaultInjector({
    functions: graph.functions.map((f) => f.component),
    queues: graph.queues.map((q) => q.component),
    services: graph.containerServices.map((s) => s.component),
  });
  if (plan) faults.use(plan);
  return faults;
}

/** The stock table's name, from the inventory stack's outputs (its contract). */
function stockTableOf(stacks: readonly ResolvedStack[]): string {
  const inventory = stacks.find((s) => s.kind === "inventory");
  const name = inventory?.resolved.outputs.stockTableName;
  if (typeof name !== "string") throw new GraphError("The inventory stack exports no stockTableName: the local cloud seeds stock into that table.");
  return name;
}

/**
 * A function's runtime environment: its own variables (queue URLs made local) and those Lambda sets for the Node.js
 * runtime (Lambda developer guide, "Defined runtime environment variables"), with the session of its role and the
 * local endpoint for every AWS SDK client (`AWS_ENDPOINT_URL`).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
function lambdaVariables(spec: FunctionSpec, variables: Record<string, string>, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, region: string, endpointUrl: string, xrayPort: number): Record<string, string> {
  return {
    ...variables,
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: spec.codeDir,
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    // Lambda's daemon listens on 2000 in the sandbox; the local one on a free port, so clouds can run side by side.
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${xrayPort}`,
    _AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1",
    _AWS_XRAY_DAEMON_PORT: String(xrayPort),
    // With the JSON log format Lambda sets the log level variables (INFO unless the function says otherwise), and
    // Powertools' logger reads AWS_LAMBDA_LOG_LEVEL before POWERTOOLS_LOG_LEVEL.
    ...(spec.logFormat === "JSON" ? { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: spec.applicationLogLevel ?? "INFO" } : {}),
    AWS_ENDPOINT_URL: endpointUrl,
  };
}

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/**
 * A function's log file: what the runtime prints, filtered as Lambda filters JSON logs by the application log level
 * (a line whose `level` is below it is dropped), and the platform's START/END/REPORT lines.
 */
function functionLog(write: (line: string) => void, spec: FunctionSpec): LogSink {
  const threshold = spec.logFormat === "JSON" ? LEVELS.indexOf((spec.applicationLogLevel ?? "INFO").toUpperCase()) : -1;
  return (line) => {
    if (threshold > 0 && line.startsWith("{")) {
      try {
        const level = String((JSON.parse(line) as { level?: unknown }).level ?? "").toUpperCase();
        if (LEVELS.includes(level) && LEVELS.indexOf(level) < threshold) return;
      } catch {
        // Not JSON after all: kept as written.
      }
    }
    write(line);
  };
}
