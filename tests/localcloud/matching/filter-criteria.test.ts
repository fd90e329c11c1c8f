import { strict as assert } from "node:assert";
import { EventPatternError } from "../../../components/event-pattern";
import { compileFilterCriteria, decodeRecord } from "../../../localcloud/matching/filter-criteria";

// Filter criteria of Pipes and Lambda event source mappings, restating
//   https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html  (filters are ORed)
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html  (data fields, format table)

const sqsRecord = (body: string) => ({
  messageId: "059f36b4-87a3-44ab-83d2-661975830a7d",
  body,
  attributes: { ApproximateReceiveCount: "1" },
  messageAttributes: {},
  eventSource: "aws:sqs",
});

const streamRecord = (eventName: "INSERT" | "MODIFY" | "REMOVE", status: string) => ({
  eventID: "1",
  eventName,
  eventSource: "aws:dynamodb",
  dynamodb: { Keys: { pk: { S: "ORDER#1" } }, NewImage: { pk: { S: "ORDER#1" }, status: { S: status } }, StreamViewType: "NEW_IMAGE" },
});

describe("localcloud/matching/filter-criteria: Pipes and event source mapping filters", () => {
  it("lets every record through without filters", () => {
    assert.ok(compileFilterCriteria(undefined, "sqs").matches(sqsRecord("anything")));
    assert.ok(compileFilterCriteria({ filters: [] }, "sqs").matches(sqsRecord("anything")));
  });

  it("takes the graph's { filters: [{ pattern }] } and ORs the filters", () => {
    const criteria = compileFilterCriteria(
      { filters: [{ pattern: '{"body":{"status":["PAID"]}}' }, { pattern: '{"body":{"status":["REFUNDED"]}}' }] },
      "sqs",
    );
    assert.ok(criteria.matches(sqsRecord('{"status":"PAID"}')));
    assert.ok(criteria.matches(sqsRecord('{"status":"REFUNDED"}')));
    assert.ok(!criteria.matches(sqsRecord('{"status":"PENDING"}')));
  });

  it("keeps only a DynamoDB stream's inserts, as the checkout pipe's filter does, and reads the images", () => {
    const inserts = compileFilterCriteria([{ eventName: ["INSERT"] }], "dynamodb");
    assert.ok(inserts.matches(streamRecord("INSERT", "PLACED")));
    assert.ok(!inserts.matches(streamRecord("MODIFY", "PLACED")));
    const placed = compileFilterCriteria([{ dynamodb: { NewImage: { status: { S: ["PLACED"] } } } }], "dynamodb");
    assert.ok(placed.matches(streamRecord("MODIFY", "PLACED")));
    assert.ok(!placed.matches(streamRecord("MODIFY", "CONFIRMED")));
  });

  describe("an SQS body, matched in the format the filter expects", () => {
    it("a JSON body under a JSON pattern: filtered on its content", () => {
      const criteria = compileFilterCriteria([{ body: { RequestCode: ["BBBB"] } }], "sqs");
      assert.ok(criteria.matches(sqsRecord('{"RecordNumber": 1234, "RequestCode": "BBBB"}')));
      assert.ok(!criteria.matches(sqsRecord('{"RecordNumber": 1234, "RequestCode": "AAAA"}')));
    });

    it("a plain-string body under a plain-string pattern: filtered as the string", () => {
      const criteria = compileFilterCriteria([{ body: [{ prefix: "Hello" }] }], "sqs");
      assert.ok(criteria.matches(sqsRecord("Hello, world")));
      assert.ok(!criteria.matches(sqsRecord("Bye")));
    });

    it("a format mismatch drops the record", () => {
      assert.ok(!compileFilterCriteria([{ body: { status: [{ exists: false }] } }], "sqs").matches(sqsRecord("plain text")));
      assert.ok(!compileFilterCriteria([{ body: [{ prefix: "{" }] }], "sqs").matches(sqsRecord('{"status":"PAID"}')));
    });

    it("a filter without a body pattern looks at the other fields only", () => {
      const criteria = compileFilterCriteria([{ attributes: { ApproximateReceiveCount: ["1"] } }], "sqs");
      assert.ok(criteria.matches(sqsRecord("plain text")));
      assert.ok(criteria.matches(sqsRecord('{"json": true}')));
    });
  });

  it("decodes a Kinesis record's base64 data before matching", () => {
    const record = { partitionKey: "1", data: Buffer.from(JSON.stringify({ City: "Seattle" })).toString("base64") };
    assert.ok(compileFilterCriteria([{ partitionKey: ["1"], data: { City: ["Seattle"] } }], "kinesis").matches(record));
    assert.ok(!compileFilterCriteria([{ data: { City: ["Portland"] } }], "kinesis").matches(record));
    assert.deepEqual(decodeRecord(record, "kinesis").data, { City: "Seattle" });
  });

  describe("criteria Pipes and Lambda refuse", () => {
    it("operators the pipe dialect lacks", () => {
      assert.throws(() => compileFilterCriteria([{ body: { name: [{ wildcard: "a*" }] } }], "sqs"), EventPatternError);
      assert.throws(() => compileFilterCriteria([{ body: { name: [{ "anything-but": { prefix: "a" } }] } }], "sqs"), /not supported under anything-but in Pipes/);
    });

    it("a plain-value pattern for a DynamoDB record's JSON dynamodb field", () => {
      assert.throws(() => compileFilterCriteria([{ dynamodb: ["x"] }], "dynamodb"), /must be a nested pattern/);
    });

    it("a filter without a pattern, or one treating the data field both ways", () => {
      assert.throws(() => compileFilterCriteria({ filters: [{}] }, "sqs"), /filters\[0\]\.pattern: is missing/);
      assert.throws(() => compileFilterCriteria([{ $or: [{ body: ["x"] }, { body: { a: ["1"] } }] }], "sqs"), /both as a plain value and as JSON/);
    });
  });
});
