import type { CloudIdentity } from "../../ops/engine/fake-outputs";
import { readRestApis, type RestApiSpec } from "../services/apigateway/spec";
import { readAlarms, type AlarmSpec } from "../services/cloudwatch/spec";
import { readTables, type TableSpec } from "../services/dynamodb/spec";
import { readContainerServices, type ContainerServiceSpec } from "../services/ecs/spec";
import { readBuses, readRules, type BusSpec, type RuleSpec } from "../services/events/spec";
import { readEventSourceMappings, readFunctions, type EventSourceMappingSpec, type FunctionSpec } from "../services/lambda/spec";
import { readPipes, type PipeSpec } from "../services/pipes/spec";
import { readSubscriptions, readTopics, type SubscriptionSpec, type TopicSpec } from "../services/sns/spec";
import { readQueues, type QueueSpec } from "../services/sqs/spec";
import { readStateMachines, type StateMachineSpec } from "../services/states/spec";
import { GraphResources, type StackResources } from "./resources";

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

/**
 * Builds the local graph from the stacks' resolved runs (`SynthesizedStack.resolved` of ops/offline/synthesize.ts): each
 * service's spec.ts reads its own resources through the common reading (GraphResources).
 */
export async function buildLocalGraph(env: string, cloud: CloudIdentity, stacks: readonly StackResources[]): Promise<LocalGraph> {
  const graph = new GraphResources(stacks);
  const functions = await readFunctions(graph);
  return {
    env,
    cloud: { partition: "aws", ...cloud },
    functions,
    queues: readQueues(graph),
    tables: readTables(graph),
    eventSourceMappings: readEventSourceMappings(graph, functions),
    buses: readBuses(graph),
    rules: readRules(graph),
    topics: readTopics(graph),
    subscriptions: readSubscriptions(graph),
    pipes: readPipes(graph),
    stateMachines: readStateMachines(graph),
    restApis: readRestApis(graph),
    containerServices: readContainerServices(graph),
    alarms: readAlarms(graph),
    resources: stacks,
  };
}
