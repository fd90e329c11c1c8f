import type { LocalGraph } from "../graph/graph";

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
};

/** The IAM service whose error shapes answer an operation (`sqs`, `sns`, `dynamodb`, `ses`...). */
export function serviceOf(operation: EndpointOperation): string {
  if (operation.protocol === "json") return JSON_SERVICES[operation.targetPrefix] ?? operation.targetPrefix.toLowerCase();
  if (operation.protocol === "query") return "sns";
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
export function requiredPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud" | "queues" | "buses" | "tables">): RequiredPermission[] | undefined {
  const { partition, region, account } = graph.cloud;
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  if (operation.protocol === "query") {
    const action = operation.params.Action;
    // PublishBatch is authorized as sns:Publish (SNS API reference, PublishBatch).
    const iamAction = action === "PublishBatch" ? "Publish" : action;
    const topic = operation.params.TopicArn ?? operation.params.TargetArn;
    return action && topic ? [{ action: `sns:${iamAction}`, resource: topic }] : undefined;
  }
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
      return [{ action: `events:${name}`, resource: busArn(input.EventBusName ?? input.Name) }];
    }
    case "states": {
      const resource = str(input.stateMachineArn) ?? str(input.executionArn);
      return resource ? [{ action: `states:${name}`, resource }] : undefined;
    }
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

function unique(list: RequiredPermission[]): RequiredPermission[] {
  const seen = new Set<string>();
  return list.filter((p) => {
    const key = `${p.action} ${p.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
