import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import type { Environment } from "../stacks/environments";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../ops/offline/synthesize";
import { PROJECT_ROOT } from "../stacks/stack-config";
import { customerIdProblem } from "./app/customers";
import { inventoryTablesOf } from "./app/seed/inventory-tables";
import { readSeed, seedInventory, DEFAULT_SEED_FILE, type Seed } from "./app/seed/seed";
import { AwsEndpoint } from "./endpoint/endpoint";
import { buildLocalGraph, type LocalGraph } from "./graph/graph";
import { LocalIam } from "./iam/authorizer";
import { pollerDenials } from "./iam/pollers";
import { Activity } from "./kernel/activity";
import { AwsError } from "./kernel/aws-error";
import { Clock } from "./kernel/clock";
import { requirePortsFree } from "./kernel/port-check";
import { acquireRunLock } from "./kernel/run-lock";
import { CredentialIssuer, type LocalCredentials } from "./kernel/credentials";
import { DeliveryRouter } from "./kernel/delivery";
import { LogStore } from "./kernel/logs";
import { FaultInjector } from "./faults/fault-injector";
import type { FaultPlan } from "./faults/fault-plan";
import { Outbox } from "./kernel/outbox";
import { activityLine } from "./activity-line";
import { operatorRoleArn, publishOperatorAccess, withdrawOperatorAccess } from "./operator/access";
import { OPERATIONS, SERVICES } from "./registry";
import type { CloudContext, ServiceModule } from "./service-module";
import type { AlarmState } from "./services/cloudwatch/alarms";
import { apigateway } from "./services/apigateway";
import type { LocalApiAccess } from "./services/apigateway/access";
import { cloudwatch } from "./services/cloudwatch";
import { dynamodb as dynamodbService } from "./services/dynamodb";
import { prepareSigningKeys } from "./services/cognito/issuer";
import { startDynamoDBLocal, type DynamoDBLocal } from "./services/dynamodb/local";
import type { LocalTables } from "./services/dynamodb/tables";
import { ecs } from "./services/ecs";
import { events as eventsService } from "./services/events";
import type { EventBridgeService, PutEventsEntry } from "./services/events/service";
import { lambda as lambdaService } from "./services/lambda";
import type { LambdaService } from "./services/lambda/service";
import { pipes } from "./services/pipes";
import { sms } from "./services/sms";
import type { SmsService } from "./services/sms/service";
import { sns as snsService } from "./services/sns";
import type { SnsService } from "./services/sns/service";
import { sqs as sqsService } from "./services/sqs";
import type { SqsService } from "./services/sqs/service";
import { states as statesService } from "./services/states";
import type { StepFunctionsService } from "./services/states/service";
import { xray as xrayService } from "./services/xray";
import type { XRayService } from "./services/xray/service";

export interface LocalCloudOptions {
  readonly env: Environment;
  /** The API's port; 0 picks a free one. */
  readonly port: number;
  /**
   * The AWS endpoint's port (every service's API, for the functions, the worker and the operator's tools); 0 picks a
   * free one. @default 0 (the `local` command's default is 4566, LocalStack's, where operators look for it)
   */
  readonly awsPort?: number;
  /** Multiplies every configured wait (visibility timeouts, batching windows, retry intervals). @default 1 */
  readonly timeScale?: number;
  /** The catalog seed file: each SKU's stock and prices. @default localcloud/app/seed/default.json */
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


/** What the cloud stops on stop (or when its start fails), in the reverse of the order it was added. */
class StopSteps {
  private steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const steps = this.steps.reverse();
    this.steps = [];
    for (const step of steps) {
      try {
        await step();
      } catch {
        // Stopping goes on: every process and port must be released even when one step fails.
      }
    }
  }
}

/** The services the registry lists, as built for this run. */
class RunningServices {
  private readonly running = new Map<ServiceModule<unknown>, unknown>();

  add<S>(module: ServiceModule<S>, service: S): void {
    this.running.set(module as ServiceModule<unknown>, service);
  }

  get<S>(module: ServiceModule<S>): S {
    if (!this.running.has(module as ServiceModule<unknown>)) throw new Error(`The local cloud has not built ${module.name} yet: a service may use only those before it in the registry.`);
    return this.running.get(module as ServiceModule<unknown>) as S;
  }
}

/** The running local cloud of one environment. */
export class LocalCloud {
  /** `http://127.0.0.1:<port>/<stage>` of each REST API, by component name. */
  readonly apiUrls: Readonly<Record<string, string>>;
  /** DynamoDB Local's share of the start-up, in milliseconds. */
  readonly dynamoDbStartupMs: number;
  readonly sqs: SqsService;
  readonly lambda: LambdaService;
  readonly events: EventBridgeService;
  readonly sns: SnsService;
  readonly states: StepFunctionsService;
  readonly tables: LocalTables;
  /** The local X-Ray: the daemon's segments and the services' own, by trace; `writeTraces()` puts them on disk. */
  readonly xray: XRayService;
  /** The local End User Messaging SMS service: its opt-out lists (`texts.optOut(number)`). */
  readonly texts: SmsService;

  private constructor(
    private readonly services: RunningServices,
    private readonly stopSteps: StopSteps,
    private readonly context: CloudContext,
    readonly stacks: readonly ResolvedStack[],
    /** The operator's session (administrator access) for scenarios and tools that call the local endpoint. */
    readonly operator: LocalCredentials,
    /** The catalog (stock and prices per SKU) the cloud was seeded with. */
    readonly seed: Seed,
    /** How long start() took, in milliseconds. */
    readonly startupMs: number,
  ) {
    this.sqs = services.get(sqsService);
    this.lambda = services.get(lambdaService);
    this.events = services.get(eventsService);
    this.sns = services.get(snsService);
    this.states = services.get(statesService);
    this.tables = services.get(dynamodbService).tables;
    this.xray = services.get(xrayService);
    this.texts = services.get(sms);
    this.apiUrls = Object.fromEntries(services.get(apigateway).apis.map((a) => [a.spec.component, a.url]));
    this.dynamoDbStartupMs = context.dynamodb.startupMs;
  }

  /**
   * Synthesizes the environment (unless given its stacks) while DynamoDB Local starts, reads the graph, builds the
   * services the registry lists, seeds the app's catalog and stock, and starts them. Anything that fails to start stops what had
   * started, then rejects.
   */
  static async start(options: LocalCloudOptions): Promise<LocalCloud> {
    const started = Date.now();
    const root = options.root ?? PROJECT_ROOT;
    // A second run fails here, at once and before it touches anything: its port first, then the environment's files,
    // which belong to the run that holds the lock (released last when this run stops).
    await requirePortsFree([
      { port: options.port, what: "the API" },
      { port: options.awsPort ?? 0, what: "the AWS endpoint", flag: "--aws-port" },
    ]);
    const seed = readSeed(options.seedFile ?? DEFAULT_SEED_FILE);
    const lock = acquireRunLock(path.join(root, ".orderflow", "local", options.env), options.port);
    const stopSteps = new StopSteps();
    stopSteps.add(() => lock.release());
    let outputDir: string, stacks: readonly ResolvedStack[], dynamodb: DynamoDBLocal;
    // The user pool's signing keys (one pool in every environment), made in the background while the JVM starts.
    const signingKeys = prepareSigningKeys(2);
    try {
      outputDir = emptyOutputDir(root, options.env);
      ({ stacks, dynamodb } = await synthesizeWhileDynamoDbStarts(options, root));
      await signingKeys;
    } catch (error) {
      await stopSteps.run();
      throw error;
    }
    if (!options.dynamodb) stopSteps.add(() => dynamodb.stop());
    try {
      const graph = await buildLocalGraph(options.env, stacks[0].cloud, stacks.map((s) => ({ stack: s.stack, resources: s.resolved.resources })));
      const { context, operator, services, refusedPollers } = await openKernel({ options, root, outputDir, graph, stacks, dynamodb }, stopSteps);
      await buildServices(context, services, stopSteps);
      await seedInventoryTables(context, services.get(dynamodbService).client, inventoryTablesOf(stacks), seed);
      if (context.iam) for (const component of await pollerDenials(context.iam, graph)) refusedPollers.add(component);
      await startServices(context, services, stopSteps);
      openOperatorAccess(context, operator, stopSteps);
      return new LocalCloud(services, stopSteps, context, stacks, operator, seed, Date.now() - started);
    } catch (error) {
      await stopSteps.run();
      throw error;
    }
  }

  /** A service of the registry, as running in this cloud. */
  service<S>(module: ServiceModule<S>): S {
    return this.services.get(module);
  }

  get graph(): LocalGraph {
    return this.context.graph;
  }

  /** The fault injection: the plan in force (`use`, `clear`), its seed, and the faults injected so far by kind. */
  get faults(): FaultInjector {
    return this.context.faults;
  }

  get clock(): Clock {
    return this.context.clock;
  }

  get activity(): Activity {
    return this.context.activity;
  }

  /** Where logs, traces and outboxes go: `.orderflow/local/<env>/`. */
  get outputDir(): string {
    return this.context.outputDir;
  }

  get endpointUrl(): string {
    return this.context.endpointUrl;
  }

  get dynamodb(): DynamoDBLocal {
    return this.context.dynamodb;
  }

  /** The local IAM, unless started with `iam: false`. */
  get iam(): LocalIam | undefined {
    return this.context.iam;
  }

  /** Every email and text the local SES and SMS services accepted; each is also a file in `<outputDir>/outbox/`. */
  get outbox(): Outbox {
    return this.context.outbox;
  }

  /** The token issuers, authorizers and API keys of this run (scenarios mint tokens here; `local token` asks over HTTP). */
  get access(): LocalApiAccess {
    return this.services.get(apigateway).access;
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
      api: Object.fromEntries(this.services.get(apigateway).apis.map((a) => [a.spec.component, Object.fromEntries(a.statuses)])),
      pipes: Object.fromEntries(this.services.get(pipes).pipes.map((p) => [p.spec.component, { delivered: p.delivered, filtered: p.filtered, deadLettered: p.deadLettered }])),
      executions: this.states.executions.length,
      serviceCrashes: Object.fromEntries(this.services.get(ecs).services.map((s) => [s.spec.component, s.crashes])),
      serviceReplacements: Object.fromEntries(this.services.get(ecs).services.map((s) => [s.spec.component, s.replacements])),
      faultsInjected: Object.fromEntries(this.faults.injected),
      endpointCalls: Object.fromEntries(this.context.endpoint.calls),
    };
  }

  /** Recent log lines of a function or service, by component name. */
  logs(component: string): readonly string[] {
    return this.context.logs.lines(component);
  }

  /** The condition of every queue alarm now (dead-letter queues above 0 are in ALARM). */
  alarms(): AlarmState[] {
    return this.services.get(cloudwatch).alarms();
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
    await this.stopSteps.run();
  }
}

/** `.orderflow/local/<env>/`, its logs of an earlier run removed. */
function emptyOutputDir(root: string, env: string): string {
  const outputDir = path.join(root, ".orderflow", "local", env);
  rmSync(path.join(outputDir, "logs"), { recursive: true, force: true });
  mkdirSync(path.join(outputDir, "logs"), { recursive: true });
  return outputDir;
}

/** The environment's stacks, synthesized while DynamoDB Local's JVM starts: the two longest steps overlap. */
async function synthesizeWhileDynamoDbStarts(options: LocalCloudOptions, root: string): Promise<{ stacks: readonly ResolvedStack[]; dynamodb: DynamoDBLocal }> {
  const given = options.dynamodb;
  const dynamodbStarting = given ? Promise.resolve(given) : startDynamoDBLocal();
  dynamodbStarting.catch(() => undefined);
  try {
    const stacks = options.stacks ?? (await synthesizeResolvedEnvironment({ env: options.env, root, ...(options.program ? { program: options.program } : {}) }));
    return { stacks, dynamodb: await dynamodbStarting };
  } catch (error) {
    if (!given) await (await dynamodbStarting.catch(() => undefined))?.stop();
    throw error;
  }
}

/**
 * What every service uses: the clock, the activity (each record also a line of the activity log), the logs, the
 * credentials, the outbox, IAM, delivery between services, and the AWS endpoint, listening.
 */
async function openKernel(
  run: { options: LocalCloudOptions; root: string; outputDir: string; graph: LocalGraph; stacks: readonly ResolvedStack[]; dynamodb: DynamoDBLocal },
  stopSteps: StopSteps,
): Promise<{ context: CloudContext; operator: LocalCredentials; services: RunningServices; refusedPollers: Set<string> }> {
  const { options, root, graph } = run;
  const activity = new Activity();
  const logs = new LogStore(path.join(run.outputDir, "logs"), undefined, (usage) => activity.meter(usage));
  const activityLog = logs.writer("activity", { local: true });
  activity.subscribe((r) => activityLog(activityLine(r)));
  const credentials = new CredentialIssuer();
  const operator = credentials.forRole(operatorRoleArn(graph.cloud));
  const iam = options.iam === false ? undefined : new LocalIam(graph, OPERATIONS, credentials, activity, root, operator.roleArn);
  const endpoint = new AwsEndpoint((key) => credentials.byAccessKey(key)?.roleArn ?? key ?? "anonymous");
  if (iam) endpoint.guardWith((request, operation) => iam.authorizeRequest(request, operation));
  stopSteps.add(() => endpoint.close());
  const endpointUrl = await endpoint.listen(options.awsPort ?? 0);
  const services = new RunningServices();
  // A poller whose role may not read its source does not run, as AWS refuses to create (or start) it.
  const refusedPollers = new Set<string>();
  const context: CloudContext = {
    env: options.env,
    root,
    outputDir: run.outputDir,
    graph,
    stackOutputs: run.stacks.map((s) => s.resolved.outputs),
    clock: new Clock(options.timeScale ?? 1),
    activity,
    logs,
    // SES v2 and End User Messaging SMS: what the notification functions send lands in the outbox.
    outbox: new Outbox(path.join(run.outputDir, "outbox")),
    credentials,
    endpoint,
    endpointUrl,
    ...(iam ? { iam } : {}),
    operations: OPERATIONS,
    delivery: new DeliveryRouter({}, iam ? (arn, o) => iam.authorizeDelivery(arn, o) : undefined),
    dynamodb: run.dynamodb,
    dynamodbShared: options.dynamodb !== undefined,
    localConcurrency: options.localConcurrency ?? 4,
    warm: options.warm !== false,
    port: options.port,
    faults: faultInjectorFor(graph, options.faults),
    refusedPollers,
    app: { customerIdProblem },
    service: (module) => services.get(module),
  };
  return { context, operator, services, refusedPollers };
}

/**
 * The operator's way in: the operator's calls show in the activity (as CloudTrail would record them), and the endpoint
 * and the operator's session are published for `orderflow local env` in a file only the user can read, removed at stop.
 */
function openOperatorAccess(context: CloudContext, operator: LocalCredentials, stopSteps: StopSteps): void {
  context.endpoint.onAnswered((call) => {
    if (call.principal !== operator.roleArn) return;
    context.activity.record({ service: "local", kind: "operator", name: "operator", detail: `${call.operation}: ${call.status}${call.error ? ` ${call.error}` : ""}`, error: call.status >= 400 });
  });
  const { graph, outputDir } = context;
  publishOperatorAccess(outputDir, {
    env: context.env,
    pid: process.pid,
    endpointUrl: context.endpointUrl,
    region: graph.cloud.region,
    accessKeyId: operator.accessKeyId,
    secretAccessKey: operator.secretAccessKey,
    sessionToken: operator.sessionToken,
    roleArn: operator.roleArn,
  });
  stopSteps.add(() => withdrawOperatorAccess(outputDir));
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

/** Builds each service of the registry, in its order: serves its API on the endpoint, routes deliveries to it. */
async function buildServices(context: CloudContext, services: RunningServices, stopSteps: StopSteps): Promise<void> {
  const router = context.delivery as DeliveryRouter;
  for (const module of SERVICES) {
    const service = await module.build(context);
    services.add(module, service);
    if (module.stop) stopSteps.add(() => module.stop!(service));
    const api = module.api;
    if (api?.protocol === "json" && api.serve) for (const prefix of api.targetPrefixes) context.endpoint.serveJson(prefix, api.serve(service, context));
    if (api?.protocol === "query") context.endpoint.serveQuery(api.version, api.serve(service, context));
    if (api?.protocol === "rest") {
      const served = api.serve(service, context);
      if ("raw" in served) context.endpoint.serveRawRest(served);
      else context.endpoint.serveRest(served);
    }
    if (module.receives) router.receive(module.name, module.receives(service));
  }
}

/** The app's catalog and stock, seeded into inventory's tables before anything polls a table's stream. */
async function seedInventoryTables(context: CloudContext, client: DynamoDBClient, tables: { stock: string; catalog: string }, seed: Seed): Promise<void> {
  const seeded = await seedInventory(client, tables, seed);
  context.activity.record({ service: "dynamodb", kind: "seed", name: "catalog", detail: `${seeded} SKU(s) seeded: stock and prices` });
}

/** Starts what polls or listens, in the registry's order; what each started stops before the services themselves. */
async function startServices(context: CloudContext, services: RunningServices, stopSteps: StopSteps): Promise<void> {
  for (const module of SERVICES) {
    const stop = await module.start?.(services.get(module), context);
    if (stop) stopSteps.add(stop);
  }
}
