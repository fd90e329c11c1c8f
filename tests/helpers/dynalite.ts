import { CreateTableCommand, DynamoDBClient, type KeySchemaElement } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { AddressInfo } from "node:net";

// dynalite is untyped; this is the part of its API the tests use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  address(): AddressInfo;
  close(callback: () => void): void;
};

/** A real DynamoDB implementation (dynalite, in memory) on a loopback port, for one test file. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint: string;
  /** A document client on it, for seeding and reading back. */
  readonly db: DynamoDBDocumentClient;
  /** Creates a table keyed on one string attribute (tables are ACTIVE at once). */
  createTable(name: string, key: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", (error) => (error ? reject(error) : resolve())));
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "fake", secretAccessKey: "fake" } });
  return {
    endpoint,
    db: DynamoDBDocumentClient.from(client),
    async createTable(name, key) {
      const keySchema: KeySchemaElement[] = [{ AttributeName: key, KeyType: "HASH" }];
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: keySchema,
          AttributeDefinitions: [{ AttributeName: key, AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
    },
    async stop() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(resolve));
    },
  };
}

/**
 * Mocha hooks for a test file: dynalite started before its tests with the given tables (name → key attribute),
 * AWS_ENDPOINT_URL_DYNAMODB pointing every SDK client at it while the file runs, and both undone after.
 */
export function useDynalite(tables: Readonly<Record<string, string>>): { readonly current: LocalDynamo } {
  const holder: { current: LocalDynamo } = { current: undefined as unknown as LocalDynamo };
  let previous: string | undefined;
  before(async () => {
    holder.current = await startDynalite();
    for (const [name, key] of Object.entries(tables)) await holder.current.createTable(name, key);
    previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = holder.current.endpoint;
  });
  after(async () => {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    await holder.current?.stop();
  });
  return holder;
}
