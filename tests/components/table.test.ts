import { strict as assert } from "node:assert";
import { Table } from "../../components/table";
import { list, mockRun, type MockedRun } from "../helpers/pulumi";
import { testRole } from "../helpers/doubles";

const TABLE = "aws:dynamodb/table:Table";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1111-2222";

const READ = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"];
const WRITE = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];
const READ_WRITE = [...READ, ...WRITE].sort();
const IDEMPOTENCY_STORE = ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];
const STREAM = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];

function roleName(run: MockedRun, logical: string): string {
  return String(run.one("aws:iam/role:Role", logical).outputs.name);
}

describe("components/table Table", () => {
  it("creates an on-demand table with PITR, KMS encryption, no stream and no deletion protection by default", async () => {
    const run = await mockRun(() => {
      new Table("orders", { partitionKey: { name: "pk", type: "S" } });
    });
    const table = run.one(TABLE, "ordersTable");
    assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
    assert.equal(table.inputs.hashKey, "pk");
    assert.equal(table.inputs.rangeKey, undefined);
    assert.deepEqual(table.inputs.attributes, [{ name: "pk", type: "S" }]);
    assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
    assert.deepEqual(table.inputs.serverSideEncryption, { enabled: true });
    assert.equal(table.inputs.streamEnabled, false);
    assert.equal(table.inputs.streamViewType, undefined);
    assert.equal(table.inputs.deletionProtectionEnabled, false);
    assert.equal(table.inputs.ttl, undefined);
    const component = run.one("orderflow:data:Table", "orders");
    assert.equal(table.parent, component.urn);
    assert.equal(component.outputs.arn, table.outputs.arn);
    assert.equal(component.outputs.tableName, table.outputs.name);
  });

  it("wires sort key, indexes, TTL, stream, deletion protection and a customer key", async () => {
    const run = await mockRun(() => {
      new Table("orders", {
        partitionKey: { name: "pk", type: "S" },
        sortKey: { name: "sk", type: "S" },
        globalSecondaryIndexes: [
          { name: "byCustomer", partitionKey: { name: "customerId", type: "S" }, sortKey: { name: "createdAt", type: "N" } },
          { name: "bySk", partitionKey: { name: "sk", type: "S" }, projection: ["status"] },
        ],
        timeToLiveAttribute: "expiresAt",
        stream: "NEW_AND_OLD_IMAGES",
        deletionProtection: true,
        kmsKeyArn: KEY,
      });
    });
    const table = run.one(TABLE);
    assert.equal(table.inputs.rangeKey, "sk");
    assert.deepEqual(table.inputs.attributes, [
      { name: "pk", type: "S" },
      { name: "sk", type: "S" },
      { name: "customerId", type: "S" },
      { name: "createdAt", type: "N" },
    ]);
    assert.deepEqual(table.inputs.globalSecondaryIndexes, [
      {
        name: "byCustomer",
        keySchemas: [
          { attributeName: "customerId", keyType: "HASH" },
          { attributeName: "createdAt", keyType: "RANGE" },
        ],
        projectionType: "ALL",
      },
      { name: "bySk", keySchemas: [{ attributeName: "sk", keyType: "HASH" }], projectionType: "INCLUDE", nonKeyAttributes: ["status"] },
    ]);
    assert.deepEqual(table.inputs.ttl, { enabled: true, attributeName: "expiresAt" });
    assert.equal(table.inputs.streamEnabled, true);
    assert.equal(table.inputs.streamViewType, "NEW_AND_OLD_IMAGES");
    assert.equal(table.inputs.deletionProtectionEnabled, true);
    assert.deepEqual(table.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: KEY });
  });

  describe("grants", () => {
    type GrantName = "grantReadData" | "grantWriteData" | "grantReadWriteData" | "grantIdempotencyStore" | "grantStreamRead";
    async function grantRun(grantName: GrantName | ((table: Table) => void), kmsKeyArn?: string) {
      const run = await mockRun(() => {
        const table = new Table("orders", { partitionKey: { name: "pk", type: "S" }, stream: "NEW_IMAGE", kmsKeyArn });
        if (typeof grantName === "function") grantName(table);
        else table[grantName](testRole("reader"));
      });
      const table = run.one(TABLE);
      return { run, statements: run.statementsOf(roleName(run, "reader")), arn: String(table.outputs.arn), streamArn: String(table.outputs.streamArn) };
    }

    const READER_KEY = ["kms:Decrypt", "kms:DescribeKey"];
    const WRITER_KEY = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"];
    const tableGrants: [GrantName, string[], string[]][] = [
      ["grantReadData", READ, READER_KEY],
      ["grantWriteData", WRITE, WRITER_KEY],
      ["grantReadWriteData", READ_WRITE, WRITER_KEY],
      ["grantIdempotencyStore", IDEMPOTENCY_STORE, WRITER_KEY],
    ];

    for (const [grantName, actions, keyActions] of tableGrants) {
      it(`${grantName} allows exactly ${actions.join(", ")} on the table and its indexes, and nothing else`, async () => {
        const { statements, arn } = await grantRun(grantName);
        assert.equal(statements.length, 1);
        assert.equal(statements[0].Effect, "Allow");
        assert.deepEqual(list(statements[0].Action), actions);
        assert.deepEqual(list(statements[0].Resource), [arn, `${arn}/index/*`]);
      });

      it(`${grantName} adds ${keyActions.join(", ")} on a customer key`, async () => {
        const { statements } = await grantRun(grantName, KEY);
        assert.equal(statements.length, 2);
        assert.deepEqual(list(statements[1].Action), keyActions);
        assert.deepEqual(list(statements[1].Resource), [KEY]);
      });
    }

    it("grant allows exactly the actions it is given, with a reader's key actions unless one is a write", async () => {
      const read = await grantRun((t) => t.grant(testRole("reader"), "dynamodb:GetItem"), KEY);
      assert.deepEqual(list(read.statements[0].Action), ["dynamodb:GetItem"]);
      assert.deepEqual(list(read.statements[0].Resource), [read.arn, `${read.arn}/index/*`]);
      assert.deepEqual(list(read.statements[1].Action), READER_KEY);
      const write = await grantRun((t) => t.grant(testRole("reader"), "dynamodb:GetItem", "dynamodb:PutItem"), KEY);
      assert.deepEqual(list(write.statements[0].Action), ["dynamodb:GetItem", "dynamodb:PutItem"]);
      assert.deepEqual(list(write.statements[1].Action), WRITER_KEY);
    });

    it("grant refuses no action, an action that is no table action, and a second call with other actions", async () => {
      await assert.rejects(grantRun((t) => t.grant(testRole("reader"))), /Table "orders": `grant` needs at least one action/);
      await assert.rejects(grantRun((t) => t.grant(testRole("reader"), "dynamodb:GetRecords")), /`grant` takes table actions \(.*\), but "dynamodb:GetRecords" was provided\. Stream reads go through grantStreamRead/);
      await assert.rejects(
        grantRun((t) => {
          const role = testRole("reader");
          t.grant(role, "dynamodb:GetItem");
          t.grant(role, "dynamodb:PutItem");
        }),
        /was already granted "grant-orders" with dynamodb:GetItem, and now with dynamodb:PutItem: grant every action it needs in one call/,
      );
    });

    it("grantStreamRead allows DescribeStream, GetRecords, GetShardIterator on the stream ARN only (no ListStreams on *)", async () => {
      const { statements, streamArn, arn } = await grantRun("grantStreamRead");
      assert.ok(streamArn.startsWith(`${arn}/stream/`), streamArn);
      assert.equal(statements.length, 1);
      assert.deepEqual(list(statements[0].Action), STREAM);
      assert.deepEqual(list(statements[0].Resource), [streamArn]);
    });

    it("grantStreamRead adds kms:Decrypt and kms:DescribeKey on a customer key", async () => {
      const { statements } = await grantRun("grantStreamRead", KEY);
      assert.deepEqual(list(statements[1].Action), ["kms:Decrypt", "kms:DescribeKey"]);
      assert.deepEqual(list(statements[1].Resource), [KEY]);
    });

    it("grantStreamRead on a table without a stream fails and says how to add one", async () => {
      await assert.rejects(
        mockRun(() => {
          new Table("orders", { partitionKey: { name: "pk", type: "S" } }).grantStreamRead(testRole("reader"));
        }),
        /Table "orders": grantStreamRead needs a stream.*Set `stream`/,
      );
    });

    it("an imported table gives the same grants on the ARNs it was given", async () => {
      const arn = "arn:aws:dynamodb:us-east-1:123456789012:table/payments";
      const streamArn = `${arn}/stream/2026-01-01T00:00:00.000`;
      const run = await mockRun(() => {
        const payments = Table.fromAttributes("payments", { arn, tableName: "payments", streamArn });
        const role = testRole("reader");
        payments.grantWriteData(role);
        payments.grantStreamRead(role);
      });
      assert.equal(run.ofType(TABLE).length, 0, "an import creates no table");
      const statements = run.statementsOf(roleName(run, "reader"));
      assert.deepEqual(
        statements.map((s) => [list(s.Action), list(s.Resource)]).sort((a, b) => a[0][0].localeCompare(b[0][0])),
        [
          [WRITE, [arn, `${arn}/index/*`]],
          [STREAM, [streamArn]],
        ],
      );
    });
  });

  describe("validation, before anything is created", () => {
    const cases: [string, Parameters<typeof tableWith>[0], RegExp][] = [
      ["a sort key named like the partition key", { sortKey: { name: "pk", type: "S" } }, /`sortKey.name` must differ from `partitionKey.name`, but both are "pk"/],
      ["a key type DynamoDB does not have", { sortKey: { name: "sk", type: "X" as "S" } }, /`sortKey.type` must be "S", "N" or "B", but "X" was provided/],
      [
        "one attribute with two types",
        { globalSecondaryIndexes: [{ name: "byPk", partitionKey: { name: "pk", type: "N" } }] },
        /attribute "pk" is typed "S" by an earlier key but "N" by `globalSecondaryIndexes\[0\].partitionKey`/,
      ],
      [
        "two indexes with one name",
        {
          globalSecondaryIndexes: [
            { name: "byA", partitionKey: { name: "a", type: "S" } },
            { name: "byA", partitionKey: { name: "b", type: "S" } },
          ],
        },
        /`globalSecondaryIndexes\[1\].name` "byA" is used by another index/,
      ],
      ["an index name too short", { globalSecondaryIndexes: [{ name: "a", partitionKey: { name: "a", type: "S" } }] }, /must be 3 to 255 characters.*but "a" was provided/],
      [
        "more than 20 indexes",
        { globalSecondaryIndexes: Array.from({ length: 21 }, (_, i) => ({ name: `index${i}`, partitionKey: { name: `a${i}`, type: "S" as const } })) },
        /at most 20 indexes, but 21 were provided/,
      ],
      ["a customer key with encryption off", { kmsKeyArn: KEY, serverSideEncryption: false }, /`kmsKeyArn` needs `serverSideEncryption`/],
    ];
    function tableWith(extra: Partial<ConstructorParameters<typeof Table>[1]>) {
      return () => {
        new Table("orders", { partitionKey: { name: "pk", type: "S" }, ...extra });
      };
    }
    for (const [what, extra, message] of cases) {
      it(`rejects ${what}`, async () => {
        await assert.rejects(mockRun(tableWith(extra)), message);
      });
    }

    it("registers no resource when validation fails", async () => {
      const run = await mockRun(() => {
        try {
          new Table("orders", { partitionKey: { name: "pk", type: "S" }, sortKey: { name: "pk", type: "S" } });
        } catch {
          // the run must show that the failed table left nothing behind
        }
      });
      assert.deepEqual(run.resources.map((r) => r.type), ["pulumi:pulumi:Stack"]);
    });
  });
});
