import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { startDynamoDBLocal, type DynamoDBLocal } from "../../localcloud/services/dynamodb/local";

// One DynamoDB Local per mocha run: started by the first test file that needs it (a JVM start is about a second) and
// stopped by the root hook in tests/setup.ts. Files share it, each with its own tables, deleted when the file ends.

let shared: Promise<DynamoDBLocal> | undefined;

/** The run's DynamoDB Local, started on first use. */
export function sharedDynamoDBLocal(): Promise<DynamoDBLocal> {
  shared ??= startDynamoDBLocal();
  return shared;
}

/** Stops the run's DynamoDB Local if a test started it (the root afterAll hook). */
export async function stopSharedDynamoDBLocal(): Promise<void> {
  const running = shared;
  shared = undefined;
  await (await running?.catch(() => undefined))?.stop();
}

/** SDK clients on DynamoDB Local; credentials and region as a handler under test has them (any work: -sharedDb). */
export function localClients(endpoint: string): { client: DynamoDBClient; db: DynamoDBDocumentClient } {
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "fake", secretAccessKey: "fake" } });
  return { client, db: DynamoDBDocumentClient.from(client) };
}

/** The part of the run's DynamoDB Local a test file uses. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** A document client, for seeding and reading back. */
  readonly db: DynamoDBDocumentClient;
}

/**
 * Mocha hooks for a test file: the given tables (name → string partition key) created in the run's DynamoDB Local
 * before its tests and deleted after, and AWS_ENDPOINT_URL_DYNAMODB pointing every SDK client at it meanwhile.
 */
export function useDynamoDBLocal(tables: Readonly<Record<string, string>>): { readonly current: LocalDynamo } {
  const holder: { current: LocalDynamo } = { current: undefined as unknown as LocalDynamo };
  let previous: string | undefined;
  before(async function () {
    this.timeout(90_000); // the first file pays for the JVM's start, slower on a loaded machine
    const { endpoint } = await sharedDynamoDBLocal();
    holder.current = { endpoint, ...localClients(endpoint) };
    for (const [name, key] of Object.entries(tables)) {
      await holder.current.client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: key, KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    }
    previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  });
  after(async () => {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    if (!holder.current) return;
    await deleteTables(holder.current.client, Object.keys(tables));
    holder.current.client.destroy();
  });
  return holder;
}

/** Deletes tables of the shared DynamoDB Local (gone already is fine), so the next file can reuse their names. */
export async function deleteTables(client: DynamoDBClient, names: Iterable<string>): Promise<void> {
  for (const name of names) {
    try {
      await client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
