import { strict as assert } from "node:assert";
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { AwsEndpoint } from "../../../../localcloud/endpoint/endpoint";
import { ConsumedCapacityMeter } from "../../../../localcloud/services/dynamodb/consumed-capacity";
import { addUsage } from "../../../../localcloud/kernel/usage";
import { sharedDynamoDBLocal } from "../../../helpers/dynamodb-local";

// The endpoint asks DynamoDB Local for the capacity every data-plane request consumed, reports it as request units,
// and answers the caller as if it had not asked. The units are DynamoDB's own, by item size and consistency:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
describe("DynamoDB through the endpoint: consumed capacity is metered", function () {
  this.timeout(90_000);
  const table = "consumed-capacity-test";
  const usage: Record<string, number> = {};
  let endpoint: AwsEndpoint;
  let client: DynamoDBClient;

  before(async () => {
    const local = await sharedDynamoDBLocal();
    endpoint = new AwsEndpoint(() => "tester");
    endpoint.forwardDynamoDb("127.0.0.1", Number(new URL(local.endpoint).port), new ConsumedCapacityMeter((u) => addUsage(usage, u)));
    const url = await endpoint.listen();
    client = new DynamoDBClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    await client.send(new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], BillingMode: "PAY_PER_REQUEST" }));
  });
  after(async () => {
    await client.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    client.destroy();
    await endpoint.close();
  });
  beforeEach(() => {
    for (const key of Object.keys(usage)) delete usage[key];
  });

  it("a 3 KB write is 3 write request units; the caller who did not ask gets no ConsumedCapacity", async () => {
    const answer = await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: "three" }, body: { S: "x".repeat(3 * 1024 - 100) } } }));
    assert.deepEqual(usage, { "dynamodb.writeRequestUnits": 3 });
    assert.equal(answer.ConsumedCapacity, undefined);
  });

  it("an 8 KB item read strongly consistently is 2 read request units, eventually consistently 1 (the pricing page's example)", async () => {
    await client.send(new PutItemCommand({ TableName: table, Item: { id: { S: "eight" }, body: { S: "y".repeat(8 * 1024 - 200) } } }));
    for (const key of Object.keys(usage)) delete usage[key];
    await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: "eight" } }, ConsistentRead: true }));
    assert.deepEqual(usage, { "dynamodb.readRequestUnits": 2 });
    const asked = await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: "eight" } }, ReturnConsumedCapacity: "TOTAL" }));
    assert.deepEqual(usage, { "dynamodb.readRequestUnits": 3 });
    assert.equal(asked.ConsumedCapacity?.CapacityUnits, 1, "a caller who asked keeps the answer");
  });

  it("a write whose condition fails still consumes a write unit", async () => {
    await assert.rejects(client.send(new PutItemCommand({ TableName: table, Item: { id: { S: "three" } }, ConditionExpression: "attribute_not_exists(id)" })), /ConditionalCheckFailed/);
    assert.deepEqual(usage, { "dynamodb.writeRequestUnits": 1 });
  });
});
