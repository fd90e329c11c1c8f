import type { Activity } from "./kernel/activity";
import type { Clock } from "./kernel/clock";
import type { CredentialIssuer } from "./kernel/credentials";
import type { Delivery, Receiver } from "./kernel/delivery";
import type { LogStore } from "./kernel/logs";
import type { Outbox } from "./kernel/outbox";
import type { AwsEndpoint, JsonService, QueryService, RawRestService, RestService } from "./endpoint/endpoint";
import type { LocalGraph } from "./graph/graph";
import type { LocalIam } from "./iam/authorizer";
import type { OperationTable } from "./iam/operations";
import type { ServiceIam } from "./iam/service-iam";
import type { DynamoDBLocal } from "./services/dynamodb/local";
import type { FaultInjector } from "./faults/fault-injector";

/**
 * What the local cloud gives each service it builds: the graph, the kernel (clock, activity, logs, credentials,
 * delivery), the endpoint and IAM, and the services built before it.
 */
export interface CloudContext {
  readonly env: string;
  /** The repository (Pulumi.yaml, stacks, handlers, Dockerfiles). */
  readonly root: string;
  /** `.orderflow/local/<env>/`: logs, traces, outboxes. */
  readonly outputDir: string;
  readonly graph: LocalGraph;
  /** Each stack's outputs (the contract values the app's clients are paired with). */
  readonly stackOutputs: readonly Readonly<Record<string, unknown>>[];
  readonly clock: Clock;
  readonly activity: Activity;
  readonly logs: LogStore;
  /** Where the messages SES and SMS accept land (`<outputDir>/outbox/`). */
  readonly outbox: Outbox;
  /** Sessions for roles: a function's or a task's credentials. */
  readonly credentials: CredentialIssuer;
  readonly endpoint: AwsEndpoint;
  /** `http://127.0.0.1:<port>`: where every SDK client of a function or task is pointed (`AWS_ENDPOINT_URL`). */
  readonly endpointUrl: string;
  /** The local IAM, unless the cloud runs without it. */
  readonly iam?: LocalIam;
  /** What each endpoint operation needs from IAM, from the registry. */
  readonly operations: OperationTable;
  /** Delivers to any ARN whose service receives deliveries. */
  readonly delivery: Delivery;
  /** The running DynamoDB Local, and whether it is the cloud's own (else shared: the cloud's tables go on stop). */
  readonly dynamodb: DynamoDBLocal;
  readonly dynamodbShared: boolean;
  /** Environments per function without reserved concurrency. */
  readonly localConcurrency: number;
  /** Start each function's first environment at start rather than on its first invocation. */
  readonly warm: boolean;
  /** The first REST API's port (0: a free one). */
  readonly port: number;
  /** The fault plan in force (`--faults`, a scenario's): what Lambda, SQS, SES, SMS and ECS inject, and counts. */
  readonly faults: FaultInjector;
  /** The pollers (event source mappings, pipes) IAM refuses to run, by component; filled before services start. */
  readonly refusedPollers: ReadonlySet<string>;
  /** The application's own rules the services apply (not AWS's): which customer ids a token may carry. */
  readonly app: { readonly customerIdProblem: (customer: string) => string | undefined };
  /** A service built before this one (the registry's order). */
  service<S>(module: ServiceModule<S>): S;
}

/**
 * What a service serves on the AWS endpoint: its API's identity, and the handler of its requests (made from the
 * service, and from the cloud when the API reads more of the graph than the service keeps).
 */
export type ServedApi<S> =
  | { readonly protocol: "json"; readonly targetPrefixes: readonly string[]; serve?(service: S, cloud: CloudContext): JsonService }
  | { readonly protocol: "query"; readonly version: string; serve(service: S, cloud: CloudContext): QueryService }
  | { readonly protocol: "rest"; readonly pathPrefix: string; serve(service: S, cloud: CloudContext): RestService | RawRestService };

/** Undoes what a step started. */
export type Stopper = () => unknown;

/**
 * One AWS service of the local cloud, as the registry lists it (`services/<service>/index.ts`): what it serves, what it
 * receives from other services, what IAM actions its operations are, and how it is built, started and stopped. The
 * cloud builds the services in the registry's order (a service may use those before it), seeds the app's data, starts
 * them in the same order, and stops them in the reverse order.
 */
export interface ServiceModule<S> {
  /** Its name in ARNs (`arn:aws:<name>:...`, where deliveries to it are routed) and in the activity log. */
  readonly name: string;
  /** Its mark in the activity log's lines. */
  readonly icon: string;
  /** What it serves on the AWS endpoint; without `serve` the API is known (IAM, errors) but answered by nobody. */
  readonly api?: ServedApi<S>;
  /** Its IAM actions and refusals. */
  readonly iam?: ServiceIam;
  /** How it receives what other services deliver to its resources (EventBridge targets, SNS subscriptions...). */
  receives?(service: S): Receiver;
  /** Builds the service from the graph; it may serve requests from now on, but polls and listens only once started. */
  build(cloud: CloudContext): S | Promise<S>;
  /** Starts what polls or listens (after the app's data is seeded); returns how to stop it, first on stop. */
  start?(service: S, cloud: CloudContext): void | Stopper | Promise<void | Stopper>;
  /** Stops what build made. */
  stop?(service: S): unknown;
}

/** A module typed for its service (the registry's entries keep their own types; this only helps inference). */
export function serviceModule<S>(module: ServiceModule<S>): ServiceModule<S> {
  return module;
}
