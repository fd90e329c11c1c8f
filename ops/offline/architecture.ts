import type { RecordedResource } from "../engine/run-program";

/** The resources of one stack, as the diagram reads them. */
export interface StackResources {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
}

interface Node {
  readonly id: string;
  readonly label: string;
  readonly shape: "function" | "service" | "queue" | "topic" | "bus" | "rule" | "pipe" | "saga" | "table" | "api" | "step";
  readonly stack: string;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/**
 * How each kind of node is drawn and named. Labels start with the kind (`table: orders`, `API: orders`, `bus: orders`),
 * so that nodes of one name but different kinds can be told apart, and the legend says what each kind is in AWS.
 */
const KINDS: Record<Node["shape"], { readonly word: string; readonly aws: string; readonly shape: (label: string) => string }> = {
  api: { word: "API", aws: "API Gateway REST API", shape: (l) => `["${l}"]` },
  function: { word: "function", aws: "Lambda function", shape: (l) => `(["${l}"])` },
  table: { word: "table", aws: "DynamoDB table", shape: (l) => `[("${l}")]` },
  bus: { word: "bus", aws: "EventBridge event bus", shape: (l) => `(("${l}"))` },
  rule: { word: "rule", aws: "EventBridge rule", shape: (l) => `{{"${l}"}}` },
  queue: { word: "queue", aws: "SQS queue", shape: (l) => `[["${l}"]]` },
  topic: { word: "topic", aws: "SNS topic", shape: (l) => `>"${l}"]` },
  pipe: { word: "pipe", aws: "EventBridge Pipe", shape: (l) => `[/"${l}"/]` },
  saga: { word: "saga", aws: "Step Functions state machine", shape: (l) => `[["${l}"]]` },
  step: { word: "step", aws: "task state of the saga", shape: (l) => `("${l}")` },
  service: { word: "container", aws: "ECS Fargate service", shape: (l) => `[["${l}"]]` },
};

/**
 * The architecture of an environment as a Mermaid flowchart, read from the synthesized resources alone: producers and
 * the bus, rules and their targets, topics and their subscriptions, queues and their consumers, pipes' sources,
 * enrichments and targets, the saga's steps and the functions they invoke, and the API's routes.
 */
export function architectureDiagram(stacks: readonly StackResources[]): string {
  const nodes = new Map<string, Node>();
  const edges: Edge[] = [];
  const byArn = new Map<string, string>();
  const all = stacks.flatMap((s) => s.resources.map((r) => ({ stack: s.stack, r })));
  const byUrn = new Map(all.map((a) => [a.r.urn, a.r]));

  const add = (r: RecordedResource, stack: string, shape: Node["shape"], label = r.name): string => {
    const id = nodeId(stack, r.name);
    nodes.set(id, { id, label, shape, stack });
    for (const key of ["arn", "url", "name"]) {
      const v = r.outputs[key];
      if (typeof v === "string") byArn.set(v, id);
    }
    return id;
  };
  const SHAPE_OF: Record<string, Node["shape"]> = {
    "aws:lambda/function:Function": "function",
    "awsx:ecs:FargateService": "service",
    "aws:sqs/queue:Queue": "queue",
    "aws:sns/topic:Topic": "topic",
    "aws:cloudwatch/eventBus:EventBus": "bus",
    "aws:cloudwatch/eventRule:EventRule": "rule",
    "aws:pipes/pipe:Pipe": "pipe",
    "aws:sfn/stateMachine:StateMachine": "saga",
    "aws:dynamodb/table:Table": "table",
    "aws:apigateway/restApi:RestApi": "api",
  };
  // Nodes first, so that edges can resolve ARNs of resources in any stack.
  for (const { stack, r } of all) {
    const shape = SHAPE_OF[r.type];
    if (!shape || isAlarmOrDeadLetter(r)) continue;
    add(r, stack, shape, shape === "rule" ? ruleName(r) : componentName(r, byUrn));
    if (shape === "table" && typeof r.outputs.streamArn === "string") byArn.set(r.outputs.streamArn, nodeId(stack, r.name));
  }
  const resolve = (value: unknown): string | undefined => {
    if (typeof value !== "string") return undefined;
    return byArn.get(value) ?? byArn.get(value.replace(/:\*$/, "")) ?? byArn.get(value.split(":").pop() ?? "");
  };
  const link = (from: string | undefined, to: string | undefined, label?: string) => {
    if (from && to) edges.push({ from, to, ...(label ? { label } : {}) });
  };

  for (const { stack, r } of all) {
    switch (r.type) {
      case "aws:cloudwatch/eventRule:EventRule": {
        const rule = nodeId(stack, r.name);
        link(resolve(r.inputs.eventBusName), rule, patternLabel(r.inputs.eventPattern));
        break;
      }
      case "aws:cloudwatch/eventTarget:EventTarget":
        link(resolve(r.inputs.rule), resolve(r.inputs.arn));
        break;
      case "aws:sns/topicSubscription:TopicSubscription":
        link(resolve(r.inputs.topic ?? r.inputs.topicArn), resolve(r.inputs.endpoint), filterLabel(r.inputs.filterPolicy));
        break;
      case "aws:lambda/eventSourceMapping:EventSourceMapping":
        link(resolve(r.inputs.eventSourceArn), resolve(r.inputs.functionName));
        break;
      case "aws:pipes/pipe:Pipe": {
        const pipe = nodeId(stack, r.name);
        link(resolve(r.inputs.source), pipe, "stream");
        link(pipe, resolve(r.inputs.enrichment), "enrich");
        link(pipe, resolve(r.inputs.target));
        break;
      }
      case "aws:sfn/stateMachine:StateMachine":
        sagaSteps(stack, r);
        break;
      case "aws:apigateway/integration:Integration": {
        const fnArn = /functions\/(.+)\/invocations/.exec(String(r.inputs.uri ?? ""))?.[1];
        const api = all.find((a) => a.stack === stack && a.r.type === "aws:apigateway/restApi:RestApi");
        const method = all.find((a) => a.r.type === "aws:apigateway/method:Method" && r.name === `${a.r.name}Integration`);
        const resource = all.find((a) => a.r.type === "aws:apigateway/resource:Resource" && a.r.id === method?.r.inputs.resourceId);
        link(api ? nodeId(stack, api.r.name) : undefined, resolve(fnArn), method ? `${method.r.inputs.httpMethod} ${resource ? pathOf(resource.r, all) : ""}`.trim() : undefined);
        break;
      }
      case "aws:iam/rolePolicy:RolePolicy":
        producerEdges(stack, r);
        break;
      case "awsx:ecs:FargateService":
        for (const container of Object.values(((r.inputs.taskDefinitionArgs as { containers?: Record<string, { environment?: { value?: string }[] }> })?.containers) ?? {})) {
          for (const variable of container.environment ?? []) {
            const source = resolve(variable.value);
            if (source && nodes.get(source)?.shape === "queue") link(source, nodeId(stack, r.name));
          }
        }
        break;
    }
  }

  function sagaSteps(stack: string, r: RecordedResource) {
    const saga = nodeId(stack, r.name);
    let definition: { States?: Record<string, { Type: string; Parameters?: Record<string, unknown>; Resource?: string }> };
    try {
      definition = JSON.parse(String(r.inputs.definition));
    } catch {
      return;
    }
    for (const [name, state] of Object.entries(definition.States ?? {})) {
      const fn = resolve(state.Parameters?.FunctionName);
      if (state.Type === "Task" && fn) {
        const step = `${saga}_${sanitize(name)}`;
        nodes.set(step, { id: step, label: name, shape: "step", stack });
        link(saga, step);
        link(step, fn);
      }
      const entries = state.Parameters?.Entries as { EventBusName?: string; DetailType?: string }[] | undefined;
      if (state.Resource === "arn:aws:states:::events:putEvents" && entries) {
        for (const e of entries) link(saga, resolve(e.EventBusName), e.DetailType);
      }
    }
  }

  // What a role may do makes its owner (the function or container service it serves) an edge: events:PutEvents on a
  // bus and sqs:SendMessage on a work queue make it a producer; DynamoDB actions on a table show what data it owns.
  // (Dead-letter queues are not nodes, so a function's own DLQ draws no edge.)
  function producerEdges(stack: string, r: RecordedResource) {
    let doc: { Statement?: { Action?: string | string[]; Resource?: string | string[] }[] };
    try {
      doc = JSON.parse(String(r.inputs.policy));
    } catch {
      return;
    }
    const owner = ownerOfRole(stack, String(r.inputs.role));
    if (!owner) return;
    for (const statement of doc.Statement ?? []) {
      const actions = ([] as string[]).concat(statement.Action ?? []);
      const verb = actions.includes("events:PutEvents")
        ? "PutEvents"
        : actions.includes("sqs:SendMessage")
          ? "SendMessage"
          : actions.some((a) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(a))
            ? "writes"
            : actions.some((a) => /^dynamodb:(GetItem|Query|Scan|BatchGetItem)$/.test(a))
              ? "reads"
              : undefined;
      if (!verb) continue;
      for (const resource of ([] as string[]).concat(statement.Resource ?? [])) {
        const target = resolve(resource);
        // A table's grant also names its indexes (`<arn>/index/*`); one edge per table is enough.
        if (target && !resource.endsWith("/index/*")) link(owner, target, verb);
      }
    }
  }

  function ownerOfRole(stack: string, roleName: string): string | undefined {
    const roleArn = roleArnOf(roleName);
    const fn = all.find((a) => a.stack === stack && a.r.type === "aws:lambda/function:Function" && a.r.inputs.role === roleArn);
    if (fn) return nodeId(stack, fn.r.name);
    const service = all.find(
      (a) =>
        a.stack === stack &&
        a.r.type === "awsx:ecs:FargateService" &&
        (a.r.inputs.taskDefinitionArgs as { taskRole?: { roleArn?: string } } | undefined)?.taskRole?.roleArn === roleArn,
    );
    return service ? nodeId(stack, service.r.name) : undefined;
  }

  function roleArnOf(roleName: string): unknown {
    return all.find((a) => a.r.type === "aws:iam/role:Role" && a.r.outputs.name === roleName)?.r.outputs.arn;
  }

  return render([...nodes.values()], edges);
}

function render(nodes: readonly Node[], edges: readonly Edge[]): string {
  const linked = new Set(edges.flatMap((e) => [e.from, e.to]));
  const lines = ["flowchart LR"];
  const byStack = new Map<string, Node[]>();
  for (const node of nodes) {
    if (!linked.has(node.id)) continue;
    byStack.set(node.stack, [...(byStack.get(node.stack) ?? []), node]);
  }
  for (const [stack, members] of byStack) {
    lines.push(`  subgraph ${sanitize(stack)}["${stack}"]`);
    for (const n of members) lines.push(`    ${n.id}${KINDS[n.shape].shape(`${KINDS[n.shape].word}: ${n.label}`)}`);
    lines.push("  end");
  }
  // The legend: one sample of each kind drawn above, with what it is in AWS.
  const drawn = new Set([...byStack.values()].flat().map((n) => n.shape));
  const kinds = (Object.keys(KINDS) as Node["shape"][]).filter((k) => drawn.has(k));
  if (kinds.length > 0) {
    lines.push(`  subgraph legend["Legend"]`);
    for (const k of kinds) lines.push(`    legend_${k}${KINDS[k].shape(`${KINDS[k].word}: ${KINDS[k].aws}`)}`);
    lines.push("  end");
  }
  const seen = new Set<string>();
  for (const e of edges) {
    const line = `  ${e.from} -->${e.label ? `|"${e.label.replace(/"/g, "'")}"|` : ""} ${e.to}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return `${lines.join("\n")}\n`;
}

function nodeId(stack: string, name: string): string {
  return `${sanitize(stack)}__${sanitize(name)}`;
}

function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

// A child named `<component><Role>` is labelled by its component's name (the `placeOrder` function, not
// `placeOrderFunction`), which is the name people wrote in the stack.
function componentName(r: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
  const parent = r.parent === undefined ? undefined : byUrn.get(r.parent);
  return parent && !parent.type.startsWith("pulumi:") && r.name.startsWith(parent.name) ? parent.name : r.name;
}

// Rules are named `<bus>-<rule>Rule` by the EventBus component: the rule's own name is the middle part.
function ruleName(r: RecordedResource): string {
  return r.name.replace(/^[^-]+-/, "").replace(/Rule$/, "");
}

function isAlarmOrDeadLetter(r: RecordedResource): boolean {
  const tags = (r.inputs.tags ?? {}) as Record<string, unknown>;
  return tags["orderflow:role"] === "dead-letter-queue";
}

function patternLabel(pattern: unknown): string | undefined {
  try {
    const p = JSON.parse(String(pattern)) as Record<string, unknown>;
    const types = [p["detail-type"], ...(((p.$or as Record<string, unknown>[]) ?? []).map((o) => o["detail-type"]))].flat().filter(Boolean);
    return types.length > 0 ? types.join(", ") : undefined;
  } catch {
    return undefined;
  }
}

function filterLabel(policy: unknown): string | undefined {
  if (typeof policy !== "string") return undefined;
  try {
    const p = JSON.parse(policy) as Record<string, unknown>;
    return Object.values(p).flat().join(", ") || undefined;
  } catch {
    return undefined;
  }
}

function pathOf(resource: RecordedResource, all: readonly { r: RecordedResource }[]): string {
  const parentId = resource.inputs.parentId;
  const parent = all.find((a) => a.r.type === "aws:apigateway/resource:Resource" && a.r.id === parentId);
  return `${parent ? pathOf(parent.r, all) : ""}/${String(resource.inputs.pathPart)}`;
}
