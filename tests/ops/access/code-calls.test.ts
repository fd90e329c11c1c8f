import { strict as assert } from "node:assert";
import { CodeAnalysis, type CodeCall } from "../../../ops/access/code-calls";
import { actionsOf } from "../../../ops/access/iam-actions";
import { REPO_ROOT } from "../../../ops/repo-root";

// The static half of the verdict on a handler written for it (tests/fixtures/access/jobs.ts): each call there shows one
// rule the analysis follows, and one call it must say it cannot follow.

const ENTRY = "tests/fixtures/access/jobs.ts";

describe("ops/access: what a program's code can call", function () {
  this.timeout(60_000);
  let calls: CodeCall[];

  before(async () => {
    calls = await new CodeAnalysis(REPO_ROOT, [ENTRY]).calls(ENTRY);
  });

  const summary = (c: CodeCall) => `${c.action} ${c.member} ${c.resource.map((r) => (r.kind === "env" ? `$${r.name}` : r.kind === "literal" ? JSON.stringify(r.value) : `?${r.text}`)).join(" | ")}`;

  it("maps a batch to its single action, on the queue its URL variable names", () => {
    assert.ok(calls.map(summary).includes("sqs:SendMessage QueueUrl $JOBS_QUEUE_URL"), calls.map(summary).join("\n"));
    assert.ok(!calls.some((c) => c.action === "sqs:SendMessageBatch"));
  });

  it("puts events without a bus name on the account's default bus", () => {
    assert.ok(calls.map(summary).includes('events:PutEvents Entries[].EventBusName "default"'), calls.map(summary).join("\n"));
  });

  it("gives a transaction its items' own actions, on their tables, through the helper that builds them", () => {
    const transaction = calls.filter((c) => c.member.startsWith("TransactItems")).map(summary);
    assert.deepEqual(transaction, ["dynamodb:ConditionCheckItem TransactItems[].ConditionCheck.TableName $JOBS_TABLE_NAME", "dynamodb:DeleteItem TransactItems[].Delete.TableName $JOBS_TABLE_NAME"]);
  });

  it("follows a document client command's table through a helper's parameter to its callers' variable", () => {
    const remove = calls.find((c) => c.action === "dynamodb:DeleteItem" && c.member === "TableName" && c.resource[0]?.kind === "env");
    assert.ok(remove, calls.map(summary).join("\n"));
    assert.deepEqual(remove.resource, [{ kind: "env", name: "JOBS_TABLE_NAME" }]);
    assert.match(remove.at, /^tests\/fixtures\/access\/jobs\.ts:\d+$/);
  });

  it("finds the four commands Powertools' idempotency store sends, on the table the code hands it", () => {
    const store = calls.filter((c) => c.via === "@aws-lambda-powertools/idempotency DynamoDBPersistenceLayer").map(summary).sort();
    assert.deepEqual(store, ["DeleteItem", "GetItem", "PutItem", "UpdateItem"].map((a) => `dynamodb:${a} tableName $IDEMPOTENCY_TABLE_NAME`));
  });

  it("says which value it cannot follow, and where, instead of guessing a table", () => {
    const unknown = calls.filter((c) => c.resource.some((r) => r.kind === "unknown"));
    assert.equal(unknown.length, 1, calls.map(summary).join("\n"));
    assert.deepEqual(unknown[0].resource, [{ kind: "unknown", text: "tableNameFromSomewhere()", at: unknown[0].at }]);
  });
});

describe("ops/access: the IAM actions of SDK operations", () => {
  it("takes the operation's own name when the catalogue has it", async () => {
    assert.deepEqual(await actionsOf({ service: "dynamodb", operation: "GetItem" }), ["dynamodb:GetItem"]);
    assert.deepEqual(await actionsOf({ service: "ses", operation: "SendEmail" }), ["ses:SendEmail"]);
  });

  it("authorizes SQS batches and SNS PublishBatch as their single actions, and transactions as their items' actions", async () => {
    assert.deepEqual(await actionsOf({ service: "sqs", operation: "DeleteMessageBatch" }), ["sqs:DeleteMessage"]);
    assert.deepEqual(await actionsOf({ service: "sns", operation: "PublishBatch" }), ["sns:Publish"]);
    assert.deepEqual(await actionsOf({ service: "dynamodb", operation: "TransactWriteItems" }, ["Put", "ConditionCheck", "Put"]), ["dynamodb:PutItem", "dynamodb:ConditionCheckItem"]);
    assert.deepEqual(await actionsOf({ service: "dynamodb", operation: "TransactGetItems" }), ["dynamodb:GetItem"]);
  });

  it("refuses an operation neither the catalogue nor a documented rule knows", async () => {
    await assert.rejects(actionsOf({ service: "sqs", operation: "PurgeEverything" }), /sqs:PurgeEverything is in no IAM action catalogue entry/);
  });
});
