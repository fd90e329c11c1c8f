import type { LocalGraph } from "../graph/graph";
import { lambdaRoute } from "../services/lambda/api";

/** A request the endpoint received, in the terms of its wire protocol. */
export type EndpointOperation =
  | { readonly protocol: "json"; readonly targetPrefix: string; readonly operation: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly protocol: "query"; readonly params: Readonly<Record<string, string>> }
  | { readonly protocol: "rest"; readonly method: string; readonly path: string; readonly body: unknown };

/** One action on one resource that IAM authorizes for a request. */
export interface RequiredPermission {
  readonly action: string;
  readonly resource: string;
}

/** The IAM service prefix of each JSON protocol's `X-Amz-Target` prefix. */
const JSON_SERVICES: Readonly<Record<string, string>> = {
  AmazonSQS: "sqs",
  AWSEvents: "events",
  AWSStepFunctions: "states",
  DynamoDB_20120810: "dynamodb",
  DynamoDBStreams_20120810: "dynamodb",
  PinpointSMSVoiceV2: "sms-voice",
  Logs_20140328: "logs",
  GraniteServiceVersion20100801: "cloudwatch",
};

/** The IAM service prefix of each query protocol API, by its `Version`. */
const QUERY_SERVICES: Readonly<Record<string, string>> = {
  "2010-03-31": "sns",
  "2011-06-15": "sts",
  "2010-08-01": "cloudwatch",
};

/** The IAM service whose error shapes answer an operation (`sqs`, `sns`, `dynamodb`, `ses`...). */
export function serviceOf(operation: EndpointOperation): string {
  if (operation.protocol === "json") return JSON_SERVICES[operation.targetPrefix] ?? operation.targetPrefix.toLowerCase();
  if (operation.protocol === "query") return QUERY_SERVICES[operation.params.Version ?? ""] ?? "unknown";
  if (operation.path.startsWith("/2015-03-31/")) return "lambda";
  return operation.path.startsWith("/v2/email/") ? "ses" : "unknown";
}

/**
 * What IAM authorizes a request as: the action (the service prefix and the API operation, as the Service
 * Authorization Reference lists them) and the resource ARN read from the request's parameters (a queue URL's queue, a
 * table name's table or index, a bus name's bus). Batch and transaction operations need the permission of each item's
 * operation on each table. Undefined for a request the local cloud cannot map: the caller refuses it rather than
 * letting it through.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
export function requiredPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues" | "buses" | "tables" | "rules" | "functions">): RequiredPermission[] | undefined {
  const { partition, region, account } = graph.cloud;
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  if (operation.protocol === "query" && operation.params.Version === "2011-06-15") {
    // GetCallerIdentity needs no permission: an explicit deny cannot refuse it (STS API reference). Nothing else of STS
    // is served; the service refuses other actions itself.
    return operation.params.Action === "GetCallerIdentity" ? [] : undefined;
  }
  if (operation.protocol === "query" && operation.params.Version === "2010-08-01") {
    return operation.params.Action === "DescribeAlarms" ? [{ action: "cloudwatch:DescribeAlarms", resource: arn("cloudwatch", "alarm:*") }] : undefined;
  }
  if (operation.protocol === "query") {
    const listed = SNS_UNSCOPED[operation.params.Action ?? ""];
    if (listed) return [{ action: `sns:${operation.params.Action}`, resource: "*" }];
    const action = operation.params.Action;
    // PublishBatch is authorized as sns:Publish (SNS API reference, PublishBatch).
    const iamAction = action === "PublishBatch" ? "Publish" : action;
    // A subscription is authorized on its topic: the subscription's ARN is the topic's with the subscription id added.
    const subscription = operation.params.SubscriptionArn;
    const topic = operation.params.TopicArn ?? operation.params.TargetArn ?? (subscription ? subscription.slice(0, subscription.lastIndexOf(":")) : undefined);
    return action && topic ? [{ action: `sns:${iamAction}`, resource: topic }] : undefined;
  }
  if (operation.protocol === "rest" && operation.path.startsWith("/2015-03-31/")) return lambdaPermissions(operation.method, operation.path, (name) => graph.functions.find((f) => f.name === name || f.arn === name)?.arn ?? (name.startsWith("arn:") ? name : arn("lambda", `function:${name}`)));
  if (operation.protocol === "rest") {
    // SES v2 SendEmail: ses:SendEmail on the sending identity and on the configuration set it names.
    // https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
    if (operation.method === "POST" && operation.path === "/v2/email/outbound-emails") {
      const body = (operation.body ?? {}) as { FromEmailAddress?: string; FromEmailAddressIdentityArn?: string; ConfigurationSetName?: string };
      const from = body.FromEmailAddress?.replace(/^.*<([^>]+)>.*$/, "$1");
      const identity = body.FromEmailAddressIdentityArn ?? (from ? arn("ses", `identity/${from.split("@").pop()}`) : undefined);
      if (!identity) return undefined;
      return [
        { action: "ses:SendEmail", resource: identity },
        ...(body.ConfigurationSetName ? [{ action: "ses:SendEmail", resource: arn("ses", `configuration-set/${body.ConfigurationSetName}`) }] : []),
      ];
    }
    return undefined;
  }

  const service = JSON_SERVICES[operation.targetPrefix];
  const input = operation.input;
  const name = operation.operation;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  switch (service) {
    case "sqs": {
      if (name === "ListQueues") return [{ action: "sqs:ListQueues", resource: "*" }];
      const queueArn = (ref: string) => graph.queues.find((q) => q.arn === ref)?.arn ?? ref;
      if (name === "StartMessageMoveTask" || name === "ListMessageMoveTasks") {
        // A redrive reads the dead-letter queue (the source) and sends to the destination when one is named.
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html
        const source = str(input.SourceArn);
        if (!source) return undefined;
        const destination = str(input.DestinationArn);
        return [{ action: `sqs:${name}`, resource: queueArn(source) }, ...(name === "StartMessageMoveTask" && destination ? [{ action: "sqs:SendMessage", resource: queueArn(destination) }] : [])];
      }
      if (name === "CancelMessageMoveTask") {
        // The task handle names its source queue (base64 JSON `{"taskId", "sourceArn"}`, as SQS makes them).
        const source = sourceOfTaskHandle(str(input.TaskHandle));
        return source ? [{ action: "sqs:CancelMessageMoveTask", resource: queueArn(source) }] : undefined;
      }
      const queueName = str(input.QueueName) ?? str(input.QueueUrl)?.split("/").pop();
      if (!queueName) return undefined;
      // The batch operations are authorized as their single counterparts (SQS developer guide, "Amazon SQS API permissions").
      const action = name.replace(/Batch$/, "");
      return [{ action: `sqs:${action}`, resource: graph.queues.find((q) => q.name === queueName)?.arn ?? arn("sqs", queueName) }];
    }
    case "events": {
      const busArn = (ref: unknown) => {
        const text = str(ref) ?? "default";
        return text.startsWith("arn:") ? text : (graph.buses.find((b) => b.name === text)?.arn ?? arn("events", `event-bus/${text}`));
      };
      if (name === "PutEvents") {
        const entries = (input.Entries as { EventBusName?: unknown }[] | undefined) ?? [];
        return unique(entries.map((e) => ({ action: "events:PutEvents", resource: busArn(e.EventBusName) })));
      }
      // Listing buses and rules and testing a pattern name no resource.
      if (name === "ListEventBuses" || name === "ListRules" || name === "TestEventPattern") return [{ action: `events:${name}`, resource: "*" }];
      if (name === "DescribeRule" || name === "ListTargetsByRule") {
        const ruleName = str(input.Name) ?? str(input.Rule);
        if (!ruleName) return undefined;
        const bus = busArn(input.EventBusName);
        const rule = graph.rules.find((r) => (r.name === ruleName || r.arn === ruleName) && (r.busName === bus || bus.endsWith(`/${r.busName}`)));
        const busName = bus.split("/").pop();
        return [{ action: `events:${name}`, resource: rule?.arn ?? (ruleName.startsWith("arn:") ? ruleName : arn("events", busName === "default" ? `rule/${ruleName}` : `rule/${busName}/${ruleName}`)) }];
      }
      return [{ action: `events:${name}`, resource: busArn(input.EventBusName ?? input.Name) }];
    }
    case "states": {
      if (name === "ListStateMachines") return [{ action: "states:ListStateMachines", resource: "*" }];
      const resource = str(input.stateMachineArn) ?? str(input.executionArn);
      return resource ? [{ action: `states:${name}`, resource }] : undefined;
    }
    case "logs": {
      // Log group actions are authorized on `arn:...:log-group:<name>:*`, GetLogEvents on the stream; listing the
      // groups names no resource.
      // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
      if (name === "DescribeLogGroups") return [{ action: "logs:DescribeLogGroups", resource: "*" }];
      const group = str(input.logGroupName) ?? str(input.logGroupIdentifier)?.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "");
      if (!group) return undefined;
      if (name === "GetLogEvents") return [{ action: "logs:GetLogEvents", resource: arn("logs", `log-group:${group}:log-stream:${str(input.logStreamName) ?? "*"}`) }];
      return [{ action: `logs:${name}`, resource: arn("logs", `log-group:${group}:*`) }];
    }
    case "cloudwatch":
      return name === "DescribeAlarms" ? [{ action: "cloudwatch:DescribeAlarms", resource: arn("cloudwatch", "alarm:*") }] : undefined;
    case "dynamodb":
      return dynamoDbPermissions(name, input, (table) => (table.startsWith("arn:") ? table : (graph.tables.find((t) => t.name === table)?.arn ?? arn("dynamodb", `table/${table}`))));
    case "sms-voice": {
      // SendTextMessage is authorized on the origination identity: a phone number, pool or sender ID (by id or ARN).
      const origin = str(input.OriginationIdentity);
      if (name !== "SendTextMessage" || !origin) return undefined;
      const kind = origin.startsWith("pool-") ? "pool" : origin.startsWith("senderid-") ? "sender-id" : "phone-number";
      return [{ action: "sms-voice:SendTextMessage", resource: origin.startsWith("arn:") ? origin : arn("sms-voice", `${kind}/${origin}`) }];
    }
    default:
      return undefined;
  }
}

/**
 * DynamoDB's permissions: the operation on the table (or the index a Query or Scan reads); BatchGetItem and
 * BatchWriteItem on every table they name; a transaction needs each item's own action on its table (GetItem for
 * TransactGetItems; PutItem, UpdateItem, DeleteItem or ConditionCheckItem for TransactWriteItems).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
 */
function dynamoDbPermissions(name: string, input: Readonly<Record<string, unknown>>, tableArn: (table: string) => string): RequiredPermission[] | undefined {
  const action = `dynamodb:${name}`;
  if (name === "BatchGetItem" || name === "BatchWriteItem") {
    return Object.keys((input.RequestItems as object | undefined) ?? {}).map((table) => ({ action, resource: tableArn(table) }));
  }
  if (name === "TransactWriteItems" || name === "TransactGetItems") {
    const items = (input.TransactItems as Record<string, { TableName?: string }>[] | undefined) ?? [];
    const perItem = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem", Get: "GetItem" } as Record<string, string>;
    return unique(
      items.flatMap((item) => Object.entries(item).map(([kind, spec]) => ({ action: `dynamodb:${perItem[kind] ?? kind}`, resource: tableArn(String(spec.TableName)) }))),
    );
  }
  if (name === "ListTables") return [{ action, resource: "*" }];
  if (typeof input.StreamArn === "string") return [{ action, resource: input.StreamArn }];
  if (typeof input.TableName !== "string") return undefined;
  const table = tableArn(input.TableName);
  return [{ action, resource: typeof input.IndexName === "string" ? `${table}/index/${input.IndexName}` : table }];
}

/** SNS actions that name no topic: authorized on `*`. */
const SNS_UNSCOPED: Readonly<Record<string, true>> = { ListTopics: true, ListSubscriptions: true };

/**
 * Lambda's permissions, by the operation its path names: the function's ARN for GetFunction, GetFunctionConfiguration
 * and Invoke (lambda:InvokeFunction), `*` for the list operations.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
 */
function lambdaPermissions(method: string, path: string, functionArn: (name: string) => string): RequiredPermission[] | undefined {
  const route = lambdaRoute(method, path);
  if (!route) return undefined;
  if (route.operation === "ListFunctions" || route.operation === "ListEventSourceMappings") return [{ action: `lambda:${route.operation}`, resource: "*" }];
  const name = route.functionName!.replace(/:(\$LATEST|\d+)$/, "");
  const action = route.operation === "Invoke" ? "lambda:InvokeFunction" : `lambda:${route.operation}`;
  return [{ action, resource: functionArn(name) }];
}

/** The source queue a message move task's handle names. */
function sourceOfTaskHandle(handle: string | undefined): string | undefined {
  if (!handle) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(handle, "base64").toString("utf8")) as { sourceArn?: unknown };
    return typeof parsed.sourceArn === "string" ? parsed.sourceArn : undefined;
  } catch {
    return undefined;
  }
}

function unique(list: RequiredPermission[]): RequiredPermission[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.action} ${p.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
