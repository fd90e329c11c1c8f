import { strict as assert } from "node:assert";
import { compileFilterPattern } from "../../../../localcloud/services/logs/filter-pattern";
import { AwsError } from "../../../../localcloud/kernel/aws-error";

// CloudWatch Logs' filter pattern syntax, on the examples of its documentation ("Filter pattern syntax for metric
// filters, subscription filters, filter log events, and Live Tail").
describe("local cloud: CloudWatch Logs filter patterns", () => {
  const lines = [
    "START RequestId: 1 Version: $LATEST",
    "ERROR Exception: the order is gone",
    "WARN slow [in MainThread]",
    '{"level":"ERROR","message":"payment declined","latency":1200,"order":{"id":"o-1","items":[{"sku":"SKU-1"}]},"retry":true,"note":null}',
    '{"level":"INFO","message":"payment accepted","latency":80,"order":{"id":"o-2"}}',
  ];
  const matching = (pattern: string) => lines.filter(compileFilterPattern(pattern)).map((l) => lines.indexOf(l));

  it("matches every event with an empty pattern", () => {
    assert.deepEqual(matching(""), [0, 1, 2, 3, 4]);
  });

  it("reads terms: all of them, ?any of them, -excluded, and quoted phrases (case-sensitive)", () => {
    assert.deepEqual(matching("ERROR"), [1, 3]);
    assert.deepEqual(matching("ERROR Exception"), [1]);
    assert.deepEqual(matching("?ERROR ?WARN"), [1, 2, 3]);
    assert.deepEqual(matching("payment -declined"), [4]);
    assert.deepEqual(matching('"in MainThread"'), [2]);
    assert.deepEqual(matching("error"), []);
  });

  it("reads %regular expressions%", () => {
    assert.deepEqual(matching("%^[EW][A-Z]+ %"), [1, 2]);
  });

  it("compares JSON fields: strings with wildcards, numbers, booleans, NULL, EXISTS, && and || with parentheses", () => {
    assert.deepEqual(matching('{ $.level = "ERROR" }'), [3]);
    assert.deepEqual(matching('{ $.message = "payment*" }'), [3, 4]);
    assert.deepEqual(matching('{ $.level != "ERROR" }'), [4]);
    assert.deepEqual(matching("{ $.latency > 1000 }"), [3]);
    assert.deepEqual(matching("{ $.latency <= 80 }"), [4]);
    assert.deepEqual(matching('{ $.order.items[0].sku = "SKU-1" }'), [3]);
    assert.deepEqual(matching("{ $.retry IS TRUE }"), [3]);
    assert.deepEqual(matching("{ $.note IS NULL }"), [3]);
    assert.deepEqual(matching("{ $.retry NOT EXISTS }"), [4]);
    assert.deepEqual(matching('{ ($.level = "INFO" && $.latency < 100) || $.order.id = "o-1" }'), [3, 4]);
  });

  it("refuses what it cannot read with InvalidParameterException naming the problem", () => {
    for (const pattern of ["{ $.level = }", "{ ($.a = 1 }", "[ip, user]", "{ $.level > \"x\" }", "%(%"]) {
      assert.throws(() => compileFilterPattern(pattern), (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterException" && e.message.startsWith("Invalid filter pattern"), pattern);
    }
  });
});
