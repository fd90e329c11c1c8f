import { strict as assert } from "node:assert";
import { AccessLog } from "../../../localcloud/iam/access-log";

describe("localcloud/iam: the access log", () => {
  const ROLE = "arn:aws:iam::123456789012:role/placeOrderRole-1";
  const TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders";

  it("counts each decision per principal, allowed and denied apart, and leaves the operator out", () => {
    const log = new AccessLog(new Set(["arn:aws:iam::123456789012:role/orderflow-local-operator"]));
    log.record(ROLE, "placeOrder", { action: "dynamodb:PutItem", resource: TABLE, allowed: true });
    log.record(ROLE, "placeOrder", { action: "dynamodb:PutItem", resource: TABLE, allowed: true });
    log.record(ROLE, "placeOrder", { action: "dynamodb:Scan", resource: TABLE, allowed: false });
    log.record("events.amazonaws.com", "events.amazonaws.com", { action: "sqs:SendMessage", resource: "arn:aws:sqs:us-east-1:123456789012:q", sourceArn: "arn:aws:events:us-east-1:123456789012:rule/bus/r", allowed: true });
    log.record("arn:aws:iam::123456789012:role/orderflow-local-operator", "operator", { action: "sqs:PurgeQueue", resource: "*", allowed: true });
    const record = log.toRecord("dev", ["happy-path"], new Date("2026-12-07T12:00:00Z"));
    assert.equal(record.recordedAt, "2026-12-07T12:00:00.000Z");
    assert.deepEqual(record.scenarios, ["happy-path"]);
    assert.deepEqual(
      record.principals.map((p) => [p.name, p.decisions.map((d) => `${d.action} ${d.allowed ? "allowed" : "denied"} x${d.count}${d.sourceArn ? " for the rule" : ""}`)]),
      [
        ["events.amazonaws.com", ["sqs:SendMessage allowed x1 for the rule"]],
        ["placeOrder", ["dynamodb:PutItem allowed x2", "dynamodb:Scan denied x1"]],
      ],
    );
  });
});
