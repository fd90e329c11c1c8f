import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  type Projection,
  type StreamViewType,
} from "@aws-sdk/client-dynamodb";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";

// The graph's tables, created in DynamoDB Local as the AWS provider would create them: the same physical name (the
// one the functions get in their environment), keys, indexes, stream and TTL. Capacity is not reproduced: every
// table is on-demand, and DynamoDB Local ignores throughput anyway
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.UsageNotes.html#DynamoDBLocal.Differences).

/** The Pulumi type token of a DynamoDB table. */
export const TABLE_TYPE = "aws:dynamodb/table:Table";

/** One table of the graph, as DynamoDB Local is asked to create it. */
export interface TableDefinition {
  /** The graph resource's URN and logical name, to name it in errors. */
  readonly urn: string;
  readonly logicalName: string;
  /** The physical name (`outputs.name`), the same locally as in the graph. */
  readonly tableName: string;
  /** The table's ARN in the graph. */
  readonly graphArn: string;
  /** The stream's ARN in the graph (the offline engine's fake one), when the table has a stream. */
  readonly graphStreamArn?: string;
  /** The CreateTable request. */
  readonly create: CreateTableCommandInput;
  /** The TTL attribute, when the table has TTL enabled (an UpdateTimeToLive after CreateTable). */
  readonly timeToLiveAttribute?: string;
}

/** A table created in DynamoDB Local. */
export interface LocalTable extends TableDefinition {
  /** DynamoDB Local's ARN of the table (`arn:aws:dynamodb:ddblocal:000000000000:table/<name>`). */
  readonly localArn: string;
  /** DynamoDB Local's ARN of the table's stream, which its DynamoDB Streams API reads; differs from the graph's. */
  readonly localStreamArn?: string;
  readonly streamViewType?: StreamViewType;
}

/** The graph's tables, created locally. */
export interface LocalTables {
  readonly tables: readonly LocalTable[];
  /** The graph's table ARNs and stream ARNs, each to its local counterpart. */
  readonly arns: ReadonlyMap<string, string>;
  /** The local ARN for a graph table or stream ARN; throws naming the ARN when the graph has no such table. */
  localArn(graphArn: string): string;
}

/** A graph table that cannot be created locally; the message names the resource and what is wrong. */
export class LocalTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalTableError";
  }
}

type Outputs = Record<string, unknown>;

/** The CreateTable requests for every `aws:dynamodb/table:Table` among the resources (other types are skipped). */
export function tableDefinitions(resources: Iterable<RecordedResource>): TableDefinition[] {
  const definitions: TableDefinition[] = [];
  // DynamoDB Local's table names are case-insensitive, unlike DynamoDB's: two names differing in case collide.
  const byName = new Map<string, TableDefinition>();
  for (const resource of resources) {
    if (resource.type !== TABLE_TYPE) continue;
    const definition = tableDefinition(resource);
    const clash = byName.get(definition.tableName.toLowerCase());
    if (clash) {
      throw new LocalTableError(
        `Tables ${clash.urn} and ${definition.urn} are both named "${definition.tableName}" (DynamoDB Local ignores case); one database cannot hold both.`,
      );
    }
    byName.set(definition.tableName.toLowerCase(), definition);
    definitions.push(definition);
  }
  return definitions;
}

/** One table's CreateTable request, read from the resource's outputs (inputs plus what the engine computed). */
export function tableDefinition(resource: RecordedResource): TableDefinition {
  const o = resource.outputs;
  const what = `Table ${resource.urn}`;
  const tableName = requiredString(o, "name", what);
  const hashKey = requiredString(o, "hashKey", what);
  const rangeKey = optionalString(o, "rangeKey", what);
  const keySchema: KeySchemaElement[] = [{ AttributeName: hashKey, KeyType: "HASH" }];
  if (rangeKey) keySchema.push({ AttributeName: rangeKey, KeyType: "RANGE" });

  const create: CreateTableCommandInput = {
    TableName: tableName,
    KeySchema: keySchema,
    AttributeDefinitions: list(o, "attributes", what).map((a, i) => attributeDefinition(a, `${what}: attributes[${i}]`)),
    BillingMode: "PAY_PER_REQUEST",
  };
  const globalIndexes = list(o, "globalSecondaryIndexes", what).map((index, i) =>
    globalSecondaryIndex(index, `${what}: globalSecondaryIndexes[${i}]`),
  );
  if (globalIndexes.length > 0) create.GlobalSecondaryIndexes = globalIndexes;
  const localIndexes = list(o, "localSecondaryIndexes", what).map((index, i) =>
    localSecondaryIndex(index, hashKey, `${what}: localSecondaryIndexes[${i}]`),
  );
  if (localIndexes.length > 0) create.LocalSecondaryIndexes = localIndexes;

  let graphStreamArn: string | undefined;
  if (o.streamEnabled === true) {
    const viewType = requiredString(o, "streamViewType", `${what} has streamEnabled, so it`);
    create.StreamSpecification = { StreamEnabled: true, StreamViewType: viewType as StreamViewType };
    graphStreamArn = requiredString(o, "streamArn", what);
  }
  const ttl = o.ttl as { enabled?: unknown; attributeName?: unknown } | undefined;
  const timeToLiveAttribute = ttl?.enabled === true ? requiredString(ttl as Outputs, "attributeName", `${what}: ttl`) : undefined;

  return {
    urn: resource.urn,
    logicalName: resource.name,
    tableName,
    graphArn: requiredString(o, "arn", what),
    ...(graphStreamArn ? { graphStreamArn } : {}),
    create,
    ...(timeToLiveAttribute ? { timeToLiveAttribute } : {}),
  };
}

/**
 * Creates the graph's tables in DynamoDB Local (on-demand, TTL enabled where the graph enables it) and returns them
 * with their local ARNs. A table that exists already, or that DynamoDB Local refuses, fails naming the graph resource.
 */
export async function createTables(client: DynamoDBClient, resources: Iterable<RecordedResource>): Promise<LocalTables> {
  const tables = await Promise.all(tableDefinitions(resources).map((definition) => createTable(client, definition)));
  const arns = new Map<string, string>();
  for (const table of tables) {
    arns.set(table.graphArn, table.localArn);
    if (table.graphStreamArn && table.localStreamArn) arns.set(table.graphStreamArn, table.localStreamArn);
  }
  return {
    tables,
    arns,
    localArn(graphArn) {
      const local = arns.get(graphArn);
      if (local === undefined) throw new LocalTableError(`No table of the graph has the ARN ${graphArn}, so it has no local counterpart.`);
      return local;
    },
  };
}

async function createTable(client: DynamoDBClient, definition: TableDefinition): Promise<LocalTable> {
  try {
    await client.send(new CreateTableCommand(definition.create));
    if (definition.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: definition.tableName,
          TimeToLiveSpecification: { Enabled: true, AttributeName: definition.timeToLiveAttribute },
        }),
      );
    }
    // DynamoDB Local creates tables ACTIVE at once (the differences page), so no waiter is needed.
    const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.tableName }));
    if (!Table?.TableArn) throw new Error("DescribeTable returned no TableArn");
    if (definition.create.StreamSpecification && !Table.LatestStreamArn) throw new Error("DescribeTable returned no LatestStreamArn");
    return {
      ...definition,
      localArn: Table.TableArn,
      ...(Table.LatestStreamArn ? { localStreamArn: Table.LatestStreamArn } : {}),
      ...(Table.StreamSpecification?.StreamViewType ? { streamViewType: Table.StreamSpecification.StreamViewType } : {}),
    };
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new LocalTableError(`Creating table "${definition.tableName}" (${definition.urn}) in DynamoDB Local failed: ${detail}`);
  }
}

function attributeDefinition(value: unknown, what: string): AttributeDefinition {
  const a = record(value, what);
  return { AttributeName: requiredString(a, "name", what), AttributeType: requiredString(a, "type", what) as AttributeDefinition["AttributeType"] };
}

// The provider's v7 index has `keySchemas` (several attributes per key, DynamoDB's multi-attribute keys); older
// programs set `hashKey`/`rangeKey`, which v7 still accepts.
function globalSecondaryIndex(value: unknown, what: string): GlobalSecondaryIndex {
  const index = record(value, what);
  const schemas = list(index, "keySchemas", what).map((s, i) => {
    const schema = record(s, `${what}.keySchemas[${i}]`);
    return {
      AttributeName: requiredString(schema, "attributeName", `${what}.keySchemas[${i}]`),
      KeyType: requiredString(schema, "keyType", `${what}.keySchemas[${i}]`) as KeySchemaElement["KeyType"],
    };
  });
  let keySchema: KeySchemaElement[] = schemas;
  if (schemas.length === 0) {
    keySchema = [{ AttributeName: requiredString(index, "hashKey", what), KeyType: "HASH" }];
    const range = optionalString(index, "rangeKey", what);
    if (range) keySchema.push({ AttributeName: range, KeyType: "RANGE" });
  }
  return { IndexName: requiredString(index, "name", what), KeySchema: keySchema, Projection: projection(index, what) };
}

function localSecondaryIndex(value: unknown, hashKey: string, what: string): LocalSecondaryIndex {
  const index = record(value, what);
  return {
    IndexName: requiredString(index, "name", what),
    KeySchema: [
      { AttributeName: hashKey, KeyType: "HASH" },
      { AttributeName: requiredString(index, "rangeKey", what), KeyType: "RANGE" },
    ],
    Projection: projection(index, what),
  };
}

function projection(index: Outputs, what: string): Projection {
  const type = requiredString(index, "projectionType", what) as Projection["ProjectionType"];
  const nonKey = list(index, "nonKeyAttributes", what).map((a, i) => {
    if (typeof a !== "string") throw new LocalTableError(`${what}.nonKeyAttributes[${i}] must be a string, but it is ${JSON.stringify(a)}.`);
    return a;
  });
  return nonKey.length > 0 ? { ProjectionType: type, NonKeyAttributes: nonKey } : { ProjectionType: type };
}

function record(value: unknown, what: string): Outputs {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LocalTableError(`${what} must be an object, but it is ${JSON.stringify(value)}.`);
  }
  return value as Outputs;
}

function list(o: Outputs, key: string, what: string): unknown[] {
  const value = o[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new LocalTableError(`${what}: \`${key}\` must be a list, but it is ${JSON.stringify(value)}.`);
  return value;
}

function requiredString(o: Outputs, key: string, what: string): string {
  const value = o[key];
  if (typeof value !== "string" || value === "") {
    throw new LocalTableError(`${what} needs \`${key}\`, but it is ${value === undefined ? "missing (unknown before deployment?)" : JSON.stringify(value)}.`);
  }
  return value;
}

function optionalString(o: Outputs, key: string, what: string): string | undefined {
  const value = o[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new LocalTableError(`${what}: \`${key}\` must be a string, but it is ${JSON.stringify(value)}.`);
  return value;
}
