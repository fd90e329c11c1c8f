import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  type DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import * as aws from "@pulumi/aws";
import { strict as assert } from "node:assert";
import { Table } from "../../../../components/table";
import type { RecordedResource } from "../../../../ops/engine/recording-monitor";
import { createTables, LocalTableError, TABLE_TYPE, tableDefinitions, type LocalTables } from "../../../../localcloud/services/dynamodb/tables";
import { deleteTables, localClients, sharedDynamoDBLocal } from "../../../helpers/dynamodb-local";
import { mockRun } from "../../../helpers/pulumi";
import { synthesizedEnvironment } from "../../../helpers/synthesized";

const describe_ = (client: DynamoDBClient, name: string) =>
  client.send(new DescribeTableCommand({ TableName: name })).then((r) => r.Table as TableDescription);

describe("localcloud/services/dynamodb/tables: the graph's tables, created in DynamoDB Local", function () {
  this.timeout(90_000);
  let client: DynamoDBClient;
  let db: DynamoDBDocumentClient;
  before(async () => {
    ({ client, db } = localClients((await sharedDynamoDBLocal()).endpoint));
  });
  after(() => client?.destroy());

  describe("from the synthesized dev environment", () => {
    let graph: RecordedResource[];
    let local: LocalTables;
    before(async () => {
      graph = (await synthesizedEnvironment("dev")).flatMap((stack) => stack.resolved.resources);
      local = await createTables(client, graph);
    });
    after(() => deleteTables(client, local?.tables.map((t) => t.tableName) ?? []));
    const graphTables = () => graph.filter((r) => r.type === TABLE_TYPE);

    it("creates every table of the graph under the physical name its functions are given", async () => {
      assert.ok(graphTables().length >= 6, `dev has ${graphTables().length} tables`);
      assert.deepEqual(local.tables.map((t) => t.tableName).sort(), graphTables().map((r) => r.outputs.name).sort());
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      for (const table of local.tables) assert.ok(TableNames.includes(table.tableName), table.tableName);
      // What a handler reads from its environment names a table that exists locally.
      const tableVariables = graph
        .filter((r) => r.type === "aws:lambda/function:Function")
        .flatMap((f) => Object.entries((f.outputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}))
        .filter(([name]) => name.endsWith("_TABLE_NAME"));
      assert.ok(tableVariables.length >= 8, JSON.stringify(tableVariables));
      for (const [name, value] of tableVariables) assert.ok(TableNames.includes(value), `${name}=${value} is not a local table`);
    });

    it("gives each table the graph's keys, on-demand billing, stream view type and TTL attribute", async () => {
      for (const resource of graphTables()) {
        const o = resource.outputs as { name: string; hashKey: string; attributes: { name: string; type: string }[]; streamEnabled: boolean; streamViewType?: string; ttl?: { enabled: boolean; attributeName: string } };
        const table = await describe_(client, o.name);
        assert.deepEqual(table.KeySchema, [{ AttributeName: o.hashKey, KeyType: "HASH" }], o.name);
        assert.deepEqual(table.AttributeDefinitions, o.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })), o.name);
        assert.equal(table.StreamSpecification?.StreamViewType, o.streamEnabled ? o.streamViewType : undefined, o.name);
        const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: o.name }));
        if (o.ttl?.enabled) {
          assert.equal(TimeToLiveDescription?.TimeToLiveStatus, "ENABLED", o.name);
          assert.equal(TimeToLiveDescription?.AttributeName, o.ttl.attributeName, o.name);
        } else {
          assert.equal(TimeToLiveDescription?.TimeToLiveStatus, "DISABLED", o.name);
        }
      }
      const orders = local.tables.find((t) => t.logicalName === "ordersTable");
      assert.equal(orders?.streamViewType, "NEW_IMAGE");
      assert.deepEqual(local.tables.filter((t) => t.timeToLiveAttribute).map((t) => t.timeToLiveAttribute), ["expiration", "expiration"]);
    });

    it("maps the graph's table and stream ARNs to DynamoDB Local's own, so the pipe's source can be wired", async () => {
      for (const table of local.tables) {
        const described = await describe_(client, table.tableName);
        assert.equal(local.localArn(table.graphArn), described.TableArn);
        assert.equal(table.localArn, described.TableArn);
        assert.equal(table.localStreamArn, described.LatestStreamArn);
      }
      const pipe = graph.find((r) => r.type === "aws:pipes/pipe:Pipe" && r.name === "newOrdersPipe");
      assert.ok(pipe, "dev has the new-orders pipe");
      const source = pipe.outputs.source as string;
      const orders = local.tables.find((t) => t.graphStreamArn === source);
      assert.ok(orders?.localStreamArn, `the pipe's source ${source} is a table's stream`);
      assert.notEqual(orders.localStreamArn, source, "DynamoDB Local makes its own stream ARN");
      assert.equal(local.localArn(source), orders.localStreamArn);
      assert.throws(() => local.localArn("arn:aws:dynamodb:us-east-1:123456789012:table/nope"), (e: Error) => e instanceof LocalTableError && /table\/nope/.test(e.message));
    });

    it("refuses to create a table that exists already, naming it and its resource", async () => {
      const stock = graphTables().find((r) => r.name === "stockTable")!;
      await assert.rejects(createTables(client, [stock]), (e: Error) => {
        assert.ok(e instanceof LocalTableError);
        assert.match(e.message, /stockTable-\w+.*urn:pulumi:dev\.inventory.*ResourceInUseException/);
        return true;
      });
    });
  });

  describe("indexes, sort keys and projections", () => {
    let tables: LocalTables;
    before(async () => {
      const run = await mockRun(() => {
        new Table("catalog", {
          partitionKey: { name: "pk", type: "S" },
          sortKey: { name: "sk", type: "N" },
          globalSecondaryIndexes: [
            { name: "byCategory", partitionKey: { name: "category", type: "S" }, sortKey: { name: "price", type: "N" }, projection: ["title"] },
            { name: "bySku", partitionKey: { name: "sku", type: "S" }, projection: "KEYS_ONLY" },
          ],
          timeToLiveAttribute: "expiresAt",
          stream: "NEW_AND_OLD_IMAGES",
        });
        // The provider's own resource, as a program not using the component would declare it: an LSI and a GSI by
        // hashKey (the older form of keySchemas).
        new aws.dynamodb.Table("ledger", {
          name: "ledger-table",
          billingMode: "PROVISIONED",
          readCapacity: 5,
          writeCapacity: 5,
          hashKey: "account",
          rangeKey: "at",
          attributes: [
            { name: "account", type: "S" },
            { name: "at", type: "S" },
            { name: "kind", type: "S" },
            { name: "owner", type: "S" },
          ],
          localSecondaryIndexes: [{ name: "byKind", rangeKey: "kind", projectionType: "ALL" }],
          globalSecondaryIndexes: [{ name: "byOwner", hashKey: "owner", projectionType: "KEYS_ONLY", readCapacity: 5, writeCapacity: 5 }],
        });
      });
      tables = await createTables(client, run.resources);
    });
    after(() => deleteTables(client, tables?.tables.map((t) => t.tableName) ?? []));

    it("creates the component's sort key and global indexes with their projections, on demand", async () => {
      const catalog = tables.tables.find((t) => t.logicalName === "catalogTable")!;
      const table = await describe_(client, catalog.tableName);
      assert.deepEqual(table.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);
      const indexes = Object.fromEntries((table.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, { keys: i.KeySchema, projection: i.Projection }]));
      assert.deepEqual(indexes, {
        byCategory: {
          keys: [{ AttributeName: "category", KeyType: "HASH" }, { AttributeName: "price", KeyType: "RANGE" }],
          projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["title"] },
        },
        bySku: { keys: [{ AttributeName: "sku", KeyType: "HASH" }], projection: { ProjectionType: "KEYS_ONLY" } },
      });
      assert.equal(table.StreamSpecification?.StreamViewType, "NEW_AND_OLD_IMAGES");
      assert.equal(catalog.timeToLiveAttribute, "expiresAt");

      // The index answers as DynamoDB's would: only the projected attributes.
      await db.send(new PutCommand({ TableName: catalog.tableName, Item: { pk: "p1", sk: 1, category: "books", price: 12, title: "Dune", sku: "B-1", secret: "x" } }));
      const { Items } = await db.send(
        new QueryCommand({ TableName: catalog.tableName, IndexName: "byCategory", KeyConditionExpression: "category = :c", ExpressionAttributeValues: { ":c": "books" } }),
      );
      assert.deepEqual(Items, [{ pk: "p1", sk: 1, category: "books", price: 12, title: "Dune" }]);
    });

    it("creates a provider table's local index and hashKey-style global index, on demand whatever the graph bills", async () => {
      const table = await describe_(client, "ledger-table");
      assert.deepEqual(table.LocalSecondaryIndexes?.map((i) => ({ name: i.IndexName, keys: i.KeySchema, projection: i.Projection })), [
        { name: "byKind", keys: [{ AttributeName: "account", KeyType: "HASH" }, { AttributeName: "kind", KeyType: "RANGE" }], projection: { ProjectionType: "ALL" } },
      ]);
      assert.deepEqual(table.GlobalSecondaryIndexes?.map((i) => ({ name: i.IndexName, keys: i.KeySchema })), [
        { name: "byOwner", keys: [{ AttributeName: "owner", KeyType: "HASH" }] },
      ]);
      assert.equal(tables.tables.find((t) => t.tableName === "ledger-table")?.create.BillingMode, "PAY_PER_REQUEST");
    });
  });

  describe("what cannot be created", () => {
    const table = (name: string, outputs: Record<string, unknown>): RecordedResource => ({
      urn: `urn:pulumi:test::orderflow::aws:dynamodb/table:Table::${name}`,
      type: TABLE_TYPE,
      name,
      custom: true,
      dependencies: [],
      propertyDependencies: {},
      inputs: {},
      outputs: { name, arn: `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`, hashKey: "id", attributes: [{ name: "id", type: "S" }], ...outputs },
    });

    it("a table whose name is not known (a first preview's graph) is refused, naming the resource", () => {
      const unknown = table("pending", {});
      delete unknown.outputs.name;
      assert.throws(() => tableDefinitions([unknown]), /urn:pulumi:test::orderflow::aws:dynamodb\/table:Table::pending needs `name`, but it is missing/);
    });

    it("two tables whose names differ only in case are refused: DynamoDB Local's names ignore case", () => {
      assert.throws(() => tableDefinitions([table("Orders", {}), table("orders", {})]), /both named "orders" \(DynamoDB Local ignores case\)/);
    });

    it("a stream without a view type is refused", () => {
      assert.throws(() => tableDefinitions([table("streamy", { streamEnabled: true })]), /streamEnabled, so it needs `streamViewType`/);
    });

    it("what DynamoDB itself refuses fails naming the table, with DynamoDB's reason", async () => {
      const unused = table("unused-attribute", { attributes: [{ name: "id", type: "S" }, { name: "extra", type: "S" }] });
      await assert.rejects(createTables(client, [unused]), /Creating table "unused-attribute" .* failed: ValidationException/);
    });
  });
});
