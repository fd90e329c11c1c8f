import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import { openStreamReader, type DynamoDBStreamReader, type DynamoDBStreamRecord, type StreamReaderOptions } from "../../../../localcloud/services/dynamodb/streams";
import { deleteTables, localClients, sharedDynamoDBLocal } from "../../../helpers/dynamodb-local";

const GRAPH_STREAM_ARN = "arn:aws:dynamodb:eu-central-1:123456789012:table/events/stream/2026-01-01T00:00:00.000";
const credentials = { accessKeyId: "fake", secretAccessKey: "fake" };

describe("localcloud/services/dynamodb/streams: a table's stream, read as Lambda and Pipes read it", function () {
  this.timeout(60_000);

  describe("against DynamoDB Local", () => {
    let client: DynamoDBClient;
    let streams: DynamoDBStreamsClient;
    const readers: DynamoDBStreamReader[] = [];
    const tables: string[] = [];
    before(async () => {
      const { endpoint } = await sharedDynamoDBLocal();
      client = localClients(endpoint).client;
      streams = new DynamoDBStreamsClient({ endpoint, region: "us-east-1", credentials });
    });
    afterEach(async () => {
      await Promise.all(readers.splice(0).map((r) => r.stop()));
    });
    after(async () => {
      await deleteTables(client, tables);
      client?.destroy();
      streams?.destroy();
    });

    /** A fresh table with a NEW_AND_OLD_IMAGES stream; returns its name and local stream ARN. */
    async function streamedTable(): Promise<{ name: string; streamArn: string }> {
      const name = `streamed-${tables.length + 1}`;
      tables.push(name);
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
          StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        }),
      );
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      return { name, streamArn: Table!.LatestStreamArn! };
    }
    async function open(options: Omit<StreamReaderOptions, "client">): Promise<DynamoDBStreamReader> {
      const reader = await openStreamReader({ client: streams, pollIntervalMs: 20, ...options });
      readers.push(reader);
      return reader;
    }
    const put = (table: string, id: string, extra: Record<string, unknown> = {}) =>
      client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id }, ...(extra as Record<string, { S: string }>) } }));
    /** Reads and checkpoints batches until `count` records have come. */
    async function take(reader: DynamoDBStreamReader, count: number): Promise<DynamoDBStreamRecord[]> {
      const records: DynamoDBStreamRecord[] = [];
      while (records.length < count) {
        const batch = await reader.next();
        assert.ok(batch, "the reader stopped");
        records.push(...batch.records);
        batch.checkpoint();
      }
      return records;
    }

    it("reads a new table's records even when another table was written first (DynamoDB Local numbers records across tables)", async () => {
      const { name, streamArn } = await streamedTable();
      const other = (await streamedTable()).name;
      const reader = await open({ streamArn, startingPosition: "LATEST", batchSize: 1 });
      // Without the renewal, the first GetRecords fails with TrimmedDataAccessException: the other table's write took
      // the sequence number the empty shard's iterator points at.
      await put(other, "elsewhere");
      await put(name, "mine");
      const [record] = await take(reader, 1);
      assert.equal(record.eventName, "INSERT");
      assert.deepEqual(record.dynamodb.Keys, { id: { S: "mine" } });
    });
    const ids = (records: readonly DynamoDBStreamRecord[]) => records.map((r) => r.dynamodb.Keys.id);

    it("delivers INSERT, MODIFY and REMOVE in order, each shaped as Lambda delivers it", async () => {
      const { name, streamArn } = await streamedTable();
      const reader = await open({ streamArn, startingPosition: "TRIM_HORIZON", eventSourceArn: GRAPH_STREAM_ARN, awsRegion: "eu-central-1" });
      const before = Math.floor(Date.now() / 1000);
      await put(name, "a", { n: { N: "1" }, bytes: { B: new Uint8Array([1, 2, 3]) } } as never);
      await client.send(new UpdateItemCommand({ TableName: name, Key: { id: { S: "a" } }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "2" } } }));
      await client.send(new DeleteItemCommand({ TableName: name, Key: { id: { S: "a" } } }));

      const [insert, modify, remove] = await take(reader, 3);
      assert.deepEqual([insert, modify, remove].map((r) => r.eventName), ["INSERT", "MODIFY", "REMOVE"]);
      // The keys, in the order of the Lambda documentation's example event.
      assert.deepEqual(Object.keys(insert), ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "eventSourceARN"]);
      assert.equal(insert.eventSource, "aws:dynamodb");
      assert.equal(insert.eventVersion, "1.1");
      assert.equal(insert.awsRegion, "eu-central-1");
      assert.equal(insert.eventSourceARN, GRAPH_STREAM_ARN);
      assert.deepEqual(insert.dynamodb.Keys, { id: { S: "a" } });
      assert.deepEqual(insert.dynamodb.NewImage, { id: { S: "a" }, n: { N: "1" }, bytes: { B: "AQID" } }, "binary as base64, as in Lambda's JSON");
      assert.equal(insert.dynamodb.OldImage, undefined);
      assert.deepEqual(modify.dynamodb.OldImage?.n, { N: "1" });
      assert.deepEqual(modify.dynamodb.NewImage?.n, { N: "2" });
      assert.equal(remove.dynamodb.NewImage, undefined);
      assert.deepEqual(remove.dynamodb.OldImage?.n, { N: "2" });
      for (const r of [insert, modify, remove]) {
        assert.equal(r.dynamodb.StreamViewType, "NEW_AND_OLD_IMAGES");
        assert.ok(r.dynamodb.SizeBytes > 0);
        // Epoch seconds; DynamoDB Local rounds them down to the minute.
        assert.ok(Number.isInteger(r.dynamodb.ApproximateCreationDateTime));
        assert.ok(Math.abs(r.dynamodb.ApproximateCreationDateTime - before) <= 120, String(r.dynamodb.ApproximateCreationDateTime));
      }
      const sequence = [insert, modify, remove].map((r) => BigInt(r.dynamodb.SequenceNumber));
      assert.ok(sequence[0] < sequence[1] && sequence[1] < sequence[2]);
      assert.equal(new Set([insert, modify, remove].map((r) => r.eventID)).size, 3);
    });

    it("an item deleted by TTL comes as DynamoDB sends it: REMOVE, with the TTL service as the identity", async () => {
      const { name, streamArn } = await streamedTable();
      await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: "expiresAt" } }));
      const reader = await open({ streamArn, startingPosition: "TRIM_HORIZON" });
      await put(name, "expired", { expiresAt: { N: String(Math.floor(Date.now() / 1000) - 60) } } as never);
      // DynamoDB Local's TTL sweep runs about once a second (DynamoDB's takes up to a few days).
      const [insert, expiry] = await take(reader, 2);
      assert.equal(insert.eventName, "INSERT");
      assert.equal(expiry.eventName, "REMOVE");
      assert.deepEqual(expiry.userIdentity, { type: "Service", principalId: "dynamodb.amazonaws.com" });
      assert.deepEqual(expiry.dynamodb.OldImage?.id, { S: "expired" });
      assert.equal(insert.userIdentity, undefined, "only the TTL process's deletions carry an identity");
    });

    it("LATEST delivers only what is written once the reader is open; TRIM_HORIZON everything", async () => {
      const { name, streamArn } = await streamedTable();
      await put(name, "before");
      const latest = await open({ streamArn, startingPosition: "LATEST" });
      await put(name, "after");
      assert.deepEqual(ids(await take(latest, 1)), [{ S: "after" }]);
      const horizon = await open({ streamArn, startingPosition: "TRIM_HORIZON" });
      assert.deepEqual(ids(await take(horizon, 2)), [{ S: "before" }, { S: "after" }]);
    });

    it("hands out at most batchSize records per batch, in stream order", async () => {
      const { name, streamArn } = await streamedTable();
      for (const id of ["1", "2", "3", "4", "5"]) await put(name, id);
      const reader = await open({ streamArn, startingPosition: "TRIM_HORIZON", batchSize: 2 });
      const sizes: number[] = [];
      const seen: unknown[] = [];
      while (seen.length < 5) {
        const batch = (await reader.next())!;
        sizes.push(batch.records.length);
        seen.push(...ids(batch.records));
        batch.checkpoint();
      }
      assert.deepEqual(sizes, [2, 2, 1]);
      assert.deepEqual(seen, ["1", "2", "3", "4", "5"].map((S) => ({ S })));
    });

    it("a batch not checkpointed comes again until it is, so a failing consumer loses and repeats nothing", async () => {
      const { name, streamArn } = await streamedTable();
      for (const id of ["1", "2", "3", "4", "5"]) await put(name, id);
      const reader = await open({ streamArn, startingPosition: "TRIM_HORIZON", batchSize: 3 });
      const done: unknown[] = [];

      const first = (await reader.next())!;
      assert.deepEqual(ids(first.records), ["1", "2", "3"].map((S) => ({ S })));
      assert.equal(first.deliveries, 1);
      // The consumer failed: no checkpoint. The same records come again.
      const retry = (await reader.next())!;
      assert.deepEqual(retry.records.map((r) => r.eventID), first.records.map((r) => r.eventID));
      assert.equal(retry.deliveries, 2);
      // Half of it succeeded (bisect, or a reported batch item failure): checkpoint through the first record.
      done.push(...ids(retry.records.slice(0, 1)));
      retry.checkpoint(retry.records[0].dynamodb.SequenceNumber);
      const rest = (await reader.next())!;
      assert.deepEqual(ids(rest.records), ["2", "3"].map((S) => ({ S })), "only the rest of the failed batch, nothing after it");
      assert.equal(rest.deliveries, 3);
      done.push(...ids(rest.records));
      rest.checkpoint();
      const next = (await reader.next())!;
      assert.equal(next.deliveries, 1);
      done.push(...ids(next.records));
      next.checkpoint();

      assert.deepEqual(done, ["1", "2", "3", "4", "5"].map((S) => ({ S })));
      assert.throws(() => next.checkpoint("999999999999999999999"), /not one of this batch's records/);
    });

    it("waits for records while polling, and stop() ends a waiting next() and a for-await loop", async () => {
      const { name, streamArn } = await streamedTable();
      const reader = await open({ streamArn, startingPosition: "LATEST" });
      const waiting = reader.next();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await put(name, "late");
      const batch = (await waiting)!;
      assert.deepEqual(ids(batch.records), [{ S: "late" }]);
      batch.checkpoint();

      const idle = reader.next();
      await assert.rejects(reader.next(), /called again before the previous call resolved/);
      const stoppedAt = Date.now();
      await reader.stop();
      assert.equal(await idle, undefined);
      assert.ok(Date.now() - stoppedAt < 1_000);

      const looped = await open({ streamArn, startingPosition: "TRIM_HORIZON" });
      for await (const b of looped) {
        assert.deepEqual(ids(b.records), [{ S: "late" }]);
        break;
      }
      assert.equal(await looped.next(), undefined, "leaving the loop stopped the reader");
    });
  });

  describe("shards (DynamoDB Local keeps one; DynamoDB rolls them over), on a mocked Streams API", () => {
    const streamArn = "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-01-01T00:00:00.000";
    const record = (seq: number): _Record => ({
      eventID: `e${seq}`,
      eventName: "INSERT",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "ddblocal",
      dynamodb: {
        ApproximateCreationDateTime: new Date("2026-01-01T00:00:00Z"),
        Keys: { id: { S: String(seq) } },
        NewImage: { id: { S: String(seq) } },
        SequenceNumber: String(seq).padStart(21, "0"),
        SizeBytes: 10,
        StreamViewType: "NEW_IMAGE",
      },
    });
    const parent = { ShardId: "shard-parent", SequenceNumberRange: { StartingSequenceNumber: "1", EndingSequenceNumber: "2" } };
    const child = { ShardId: "shard-child", ParentShardId: "shard-parent", SequenceNumberRange: { StartingSequenceNumber: "3" } };
    let client: DynamoDBStreamsClient;
    let api: ReturnType<typeof mockClient>;
    beforeEach(() => {
      client = new DynamoDBStreamsClient({ region: "us-east-1", credentials });
      api = mockClient(client);
      api.on(GetShardIteratorCommand).callsFake((input: { ShardId: string; ShardIteratorType: string }) => ({ ShardIterator: `${input.ShardId}@${input.ShardIteratorType}` }));
    });
    afterEach(() => api.restore());

    const lineage = (input: { ShardIterator: string }) => {
      switch (input.ShardIterator) {
        case "shard-parent@TRIM_HORIZON":
          return { Records: [record(1), record(2)], NextShardIterator: "parent-end" };
        case "parent-end":
          return { Records: [] }; // no NextShardIterator: the closed shard is read to its end
        case "shard-child@TRIM_HORIZON":
          return { Records: [record(3)], NextShardIterator: "child-next" };
        default:
          return { Records: [], NextShardIterator: input.ShardIterator };
      }
    };
    async function readAll(reader: DynamoDBStreamReader, count: number): Promise<string[]> {
      const seen: string[] = [];
      while (seen.length < count) {
        const batch = (await reader.next())!;
        seen.push(...batch.records.map((r) => `${batch.shardId}:${r.eventID}`));
        batch.checkpoint();
      }
      await reader.stop();
      return seen;
    }

    it("reads a child shard only after its parent is read to its end, whatever order they are listed in", async () => {
      api.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [child, parent] } });
      api.on(GetRecordsCommand).callsFake(lineage);
      const reader = await openStreamReader({ client, streamArn, startingPosition: "TRIM_HORIZON", pollIntervalMs: 1 });
      assert.deepEqual(await readAll(reader, 3), ["shard-parent:e1", "shard-parent:e2", "shard-child:e3"]);
    });

    it("finds the shards that appear once a shard has ended", async () => {
      api.on(DescribeStreamCommand).resolvesOnce({ StreamDescription: { Shards: [parent] } }).resolves({ StreamDescription: { Shards: [parent, child] } });
      api.on(GetRecordsCommand).callsFake(lineage);
      const reader = await openStreamReader({ client, streamArn, startingPosition: "TRIM_HORIZON", pollIntervalMs: 1 });
      assert.deepEqual(await readAll(reader, 3), ["shard-parent:e1", "shard-parent:e2", "shard-child:e3"]);
    });

    it("LATEST at opening skips closed shards and starts open ones at their current end", async () => {
      api.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [parent, child] } });
      api.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) =>
        input.ShardIterator === "shard-child@LATEST" ? { Records: [record(4)], NextShardIterator: "child-next" } : { Records: [], NextShardIterator: input.ShardIterator },
      );
      const reader = await openStreamReader({ client, streamArn, startingPosition: "LATEST", pollIntervalMs: 1 });
      const batch = (await reader.next())!;
      assert.deepEqual(batch.records.map((r) => r.eventID), ["e4"]);
      assert.equal(api.commandCalls(GetShardIteratorCommand).length, 1, "no iterator for the closed parent");
      await reader.stop();
    });

    it("renews an expired iterator right after the last record it read", async () => {
      api.on(DescribeStreamCommand).resolves({ StreamDescription: { Shards: [{ ShardId: "shard-open", SequenceNumberRange: { StartingSequenceNumber: "1" } }] } });
      let expired = false;
      api.on(GetRecordsCommand).callsFake((input: { ShardIterator: string }) => {
        if (input.ShardIterator === "shard-open@TRIM_HORIZON") return { Records: [record(1)], NextShardIterator: "stale" };
        if (input.ShardIterator === "stale") {
          expired = true;
          throw new ExpiredIteratorException({ message: "Iterator expired", $metadata: {} });
        }
        if (input.ShardIterator === "shard-open@AFTER_SEQUENCE_NUMBER") return { Records: [record(2)], NextShardIterator: "fresh" };
        return { Records: [], NextShardIterator: input.ShardIterator };
      });
      const reader = await openStreamReader({ client, streamArn, startingPosition: "TRIM_HORIZON", batchSize: 1, pollIntervalMs: 1 });
      (await reader.next())!.checkpoint();
      const second = (await reader.next())!;
      assert.ok(expired);
      assert.deepEqual(second.records.map((r) => r.eventID), ["e2"]);
      const renewal = api.commandCalls(GetShardIteratorCommand).at(-1)!.args[0].input as { ShardIteratorType: string; SequenceNumber?: string };
      assert.deepEqual([renewal.ShardIteratorType, renewal.SequenceNumber], ["AFTER_SEQUENCE_NUMBER", "000000000000000000001"]);
      await reader.stop();
    });
  });
});
