import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { jsonAuthErrors } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { dynamoDbPermissionsOf } from "./permissions";
import { createTables, type LocalTables } from "./tables";

/** The graph's tables in DynamoDB Local, and clients of it for the cloud's own reads (seeding, pipes' streams). */
export interface DynamoDbService {
  readonly tables: LocalTables;
  readonly client: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /** Whether DynamoDB Local is shared (tests run one per run): its tables are deleted when the cloud stops. */
  readonly shared: boolean;
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * DynamoDB and DynamoDB Streams: AWS's DynamoDB Local answers them, the endpoint passing their requests through
 * unchanged; the cloud creates the graph's tables in it (their physical names, unique per stack).
 */
export const dynamodb = serviceModule<DynamoDbService>({
  name: "dynamodb",
  icon: "▤",
  api: { protocol: "json", targetPrefixes: ["DynamoDB_20120810", "DynamoDBStreams_20120810"] },
  iam: { prefix: "dynamodb", permissions: dynamoDbPermissionsOf, errors: jsonAuthErrors() },
  build: async (cloud) => {
    cloud.endpoint.forwardDynamoDb("127.0.0.1", cloud.dynamodb.port);
    const region = cloud.graph.cloud.region;
    const client = new DynamoDBClient({ endpoint: cloud.dynamodb.endpoint, region, credentials: LOCAL_CREDENTIALS });
    const tables = await createTables(client, cloud.graph.tables.map((t) => t.resource));
    const streams = new DynamoDBStreamsClient({ endpoint: cloud.dynamodb.endpoint, region, credentials: LOCAL_CREDENTIALS });
    // A DynamoDB Local the cloud did not start outlives it: the tables go instead, after everything that used them.
    return { tables, client, streams, shared: cloud.dynamodbShared };
  },
  stop: (service) =>
    service.shared ? Promise.all(service.tables.tables.map((t) => service.client.send(new DeleteTableCommand({ TableName: t.tableName })))) : undefined,
});
