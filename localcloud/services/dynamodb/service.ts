import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { LocalTables } from "./tables";

/** The graph's tables in DynamoDB Local, and clients of it for the cloud's own reads (seeding, pipes' streams). */
export interface DynamoDbService {
  readonly tables: LocalTables;
  readonly client: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /** Whether DynamoDB Local is shared (tests run one per run): its tables are deleted when the cloud stops. */
  readonly shared: boolean;
}
