import { strict as assert } from "node:assert";
import { evaluateJsonPath, JsonPathError, parseJsonPath } from "../../../localcloud/matching/json-path";

// The JSONPath subset of input transformers: "dot notation (for example, $.detail), dashes, underscores, alphanumeric
// characters, array indices, wildcards (*), forward slashes"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).

const event = {
  version: "0",
  "detail-type": "EC2 Instance State-change Notification",
  time: "2015-11-11T21:29:54Z",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111", "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd2222"],
  detail: {
    "instance-id": "i-0123456789",
    state: "RUNNING",
    items: [
      { sku: "SKU-1", qty: 2 },
      { sku: "SKU-2", qty: 1 },
    ],
    "a/b": "slashed",
    order_id: "o-1",
    empty: null,
  },
};

describe("localcloud/matching/json-path: the JSONPath EventBridge evaluates", () => {
  it("walks dot notation, with dashes, underscores and slashes in names", () => {
    assert.equal(evaluateJsonPath("$.time", event), "2015-11-11T21:29:54Z");
    assert.equal(evaluateJsonPath("$.detail-type", event), "EC2 Instance State-change Notification");
    assert.equal(evaluateJsonPath("$.detail.instance-id", event), "i-0123456789");
    assert.equal(evaluateJsonPath("$.detail.order_id", event), "o-1");
    assert.equal(evaluateJsonPath("$.detail.a/b", event), "slashed");
  });

  it("selects the whole document with $, and objects and arrays as they are", () => {
    assert.equal(evaluateJsonPath("$", event), event);
    assert.deepEqual(evaluateJsonPath("$.detail.items", event), event.detail.items);
  });

  it("indexes arrays with brackets", () => {
    assert.equal(evaluateJsonPath("$.resources[0]", event), event.resources[0]);
    assert.equal(evaluateJsonPath("$.detail.items[1].sku", event), "SKU-2");
  });

  it("gives undefined for a path that selects nothing, and null for a null value", () => {
    assert.equal(evaluateJsonPath("$.detail.missing", event), undefined);
    assert.equal(evaluateJsonPath("$.resources[5]", event), undefined);
    assert.equal(evaluateJsonPath("$.time.deeper", event), undefined);
    assert.equal(evaluateJsonPath("$.detail.empty", event), null);
  });

  it("lists every value a wildcard reaches, possibly none", () => {
    assert.deepEqual(evaluateJsonPath("$.detail.items[*].sku", event), ["SKU-1", "SKU-2"]);
    assert.deepEqual(evaluateJsonPath("$.detail.items.*.qty", event), [2, 1]);
    assert.deepEqual(evaluateJsonPath("$.detail.missing[*]", event), []);
    assert.equal(parseJsonPath("$.resources[*]").definite, false);
    assert.equal(parseJsonPath("$.resources[0]").definite, true);
  });

  it("refuses syntax EventBridge does not evaluate, saying where", () => {
    for (const [path, reason] of [
      ["detail.state", /must start with "\$"/],
      ["$['detail']", /bracket notation for keys is not supported/],
      ["$.detail..state", /expected a name after "\."/],
      ["$.detail.state name", /expected a name|unexpected/],
      ["$.resources[-1]", /array index/],
      ["$..*", /expected a name/],
    ] as const) {
      assert.throws(() => parseJsonPath(path), (e: unknown) => e instanceof JsonPathError && reason.test(e.message), path);
    }
  });
});
