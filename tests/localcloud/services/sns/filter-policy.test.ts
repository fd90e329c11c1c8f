import { strict as assert } from "node:assert";
import {
  compileFilterPolicy,
  FilterPolicyError,
  MessageAttributeError,
  subscriptionAccepts,
  type FilterPolicyScope,
  type SnsMessage,
  type SnsMessageAttribute,
} from "../../../../localcloud/services/sns/filter-policy";

// An executable summary of SNS subscription filter policies. Pages restated (https://docs.aws.amazon.com/sns/latest/dg/):
//   sns-message-filtering.html (scopes), sns-subscription-filter-policies.html (AND/OR), string-value-matching.html,
//   numeric-value-matching.html, attribute-key-matching.html (exists), and-or-logic.html ($or),
//   subscription-filter-policy-constraints.html (limits).
// Refusals also follow what AWS answered in LocalStack's AWS-validated tests (tests/aws/services/sns/test_sns_filter_policy.py).

const str = (Value: string): SnsMessageAttribute => ({ DataType: "String", StringValue: Value });
const num = (Value: string): SnsMessageAttribute => ({ DataType: "Number", StringValue: Value });
const arr = (values: unknown[]): SnsMessageAttribute => ({ DataType: "String.Array", StringValue: JSON.stringify(values) });

function attributes(messageAttributes: Record<string, SnsMessageAttribute>): SnsMessage {
  return { message: "a message whose body is not JSON", messageAttributes };
}

function body(value: unknown): SnsMessage {
  return { message: JSON.stringify(value) };
}

function accepts(policy: Record<string, unknown>, message: SnsMessage, scope: FilterPolicyScope = "MessageAttributes"): boolean {
  return compileFilterPolicy(policy, scope).matches(message);
}

function refuses(policy: unknown, reason: RegExp, scope: FilterPolicyScope = "MessageAttributes"): void {
  assert.throws(
    () => compileFilterPolicy(policy as Record<string, unknown>, scope),
    (e: unknown) => e instanceof FilterPolicyError && reason.test(e.message),
  );
}

describe("localcloud/services/sns/filter-policy: SNS subscription filter policies", () => {
  describe("subscriptions", () => {
    it("deliver every message without a policy, and filter with one, taking the graph's JSON text and scope", () => {
      const message = body({ "detail-type": "OrderShipped" });
      assert.ok(subscriptionAccepts({}, message));
      const sms = { filterPolicy: '{"detail-type":["OrderShipped"]}', filterPolicyScope: "MessageBody" as const };
      assert.ok(subscriptionAccepts(sms, message));
      assert.ok(!subscriptionAccepts(sms, body({ "detail-type": "OrderConfirmed" })));
    });

    it("read message attributes unless the scope says MessageBody (the default scope)", () => {
      const message: SnsMessage = { message: JSON.stringify({ store: "body" }), messageAttributes: { store: str("attribute") } };
      assert.ok(subscriptionAccepts({ filterPolicy: '{"store":["attribute"]}' }, message));
      assert.ok(!subscriptionAccepts({ filterPolicy: '{"store":["body"]}' }, message));
      assert.ok(subscriptionAccepts({ filterPolicy: '{"store":["body"]}', filterPolicyScope: "MessageBody" }, message));
    });
  });

  describe("AND across keys, OR within a key's list", () => {
    const policy = { store: ["example_corp"], event: ["order_placed", "order_cancelled"] };

    it("needs every key to match, by any of its values", () => {
      assert.ok(accepts(policy, attributes({ store: str("example_corp"), event: str("order_cancelled") })));
      assert.ok(!accepts(policy, attributes({ store: str("example_corp"), event: str("order_shipped") })));
      assert.ok(!accepts(policy, attributes({ event: str("order_placed") })), "a key without its attribute");
    });

    it("ignores attributes the policy does not name", () => {
      assert.ok(accepts(policy, attributes({ store: str("example_corp"), event: str("order_placed"), other: str("x") })));
    });
  });

  describe("string value matching", () => {
    it("exact matching is case-sensitive", () => {
      assert.ok(accepts({ customer_interests: ["rugby", "tennis"] }, attributes({ customer_interests: str("rugby") })));
      assert.ok(!accepts({ customer_interests: ["rugby", "tennis"] }, attributes({ customer_interests: str("Rugby") })));
    });

    it("treats each element of a String.Array as a separate string", () => {
      assert.ok(accepts({ customer_interests: ["rugby", "tennis"] }, attributes({ customer_interests: arr(["rugby", "tennis"]) })));
      assert.ok(accepts({ customer_interests: ["rugby"] }, attributes({ customer_interests: arr(["baseball", "rugby"]) })));
      assert.ok(!accepts({ customer_interests: ["rugby", "tennis"] }, attributes({ customer_interests: arr(["baseball"]) })));
    });

    it("prefix, suffix and equals-ignore-case apply to strings", () => {
      assert.ok(accepts({ customer_interests: [{ prefix: "bas" }] }, attributes({ customer_interests: str("basketball") })));
      assert.ok(!accepts({ customer_interests: [{ prefix: "bas" }] }, attributes({ customer_interests: str("rugby") })));
      assert.ok(accepts({ customer_interests: [{ suffix: "ball" }] }, attributes({ customer_interests: str("baseball") })));
      assert.ok(!accepts({ customer_interests: [{ suffix: "ball" }] }, attributes({ customer_interests: str("rugby") })));
      assert.ok(accepts({ customer_interests: [{ "equals-ignore-case": "tennis" }] }, attributes({ customer_interests: str("TeNnis") })));
      assert.ok(!accepts({ price: [{ prefix: "1" }] }, attributes({ price: num("100") })), "a Number attribute is not a string");
    });

    it("anything-but matches any value but those listed, and needs the attribute", () => {
      const policy = { customer_interests: [{ "anything-but": ["rugby", "tennis"] }] };
      assert.ok(accepts(policy, attributes({ customer_interests: str("baseball") })));
      assert.ok(!accepts(policy, attributes({ customer_interests: str("rugby") })));
      assert.ok(!accepts(policy, attributes({ other: str("x") })));
    });

    it("anything-but on a String.Array matches only if none of its elements are listed", () => {
      const policy = { customer_interests: [{ "anything-but": ["rugby", "tennis"] }] };
      assert.ok(accepts(policy, attributes({ customer_interests: arr(["baseball", "football"]) })));
      assert.ok(!accepts(policy, attributes({ customer_interests: arr(["rugby", "baseball"]) })));
    });

    it("anything-but can exclude a prefix", () => {
      const policy = { event: [{ "anything-but": { prefix: "order-" } }] };
      assert.ok(accepts(policy, attributes({ event: str("data-entry") })));
      assert.ok(accepts(policy, attributes({ event: str("order_number") })));
      assert.ok(!accepts(policy, attributes({ event: str("order-cancelled") })));
    });

    it("anything-but can be combined with exists: false", () => {
      const policy = { event: [{ "anything-but": "test" }, { exists: false }] };
      assert.ok(accepts(policy, attributes({ other: str("x") })));
      assert.ok(accepts(policy, attributes({ event: str("live") })));
      assert.ok(!accepts(policy, attributes({ event: str("test") })));
    });

    it("cidr matches IPv4 and IPv6 addresses inside the block", () => {
      assert.ok(accepts({ source_ip: [{ cidr: "10.0.0.0/24" }] }, attributes({ source_ip: str("10.0.0.255") })));
      assert.ok(!accepts({ source_ip: [{ cidr: "10.0.0.0/24" }] }, attributes({ source_ip: str("10.1.1.0") })));
      const v6 = { detail: { $or: [{ ip: [{ cidr: "10.0.0.0/24" }] }, { ipV6: [{ cidr: "2001:db8:1234:1a00::/64" }] }] } };
      assert.ok(accepts(v6, body({ detail: { ipV6: "2001:0db8:1234:1a00:0000:0000:0000:0000" } }), "MessageBody"));
      assert.ok(!accepts(v6, body({ detail: { ipV6: "2001:0db8:123f:1a01:0000:0000:0000:0000" } }), "MessageBody"));
      assert.ok(!accepts(v6, body({ detail: { ip: "10.0.0.256" } }), "MessageBody"));
    });
  });

  describe("numeric value matching", () => {
    it("= compares Number attributes and body numbers by value", () => {
      const policy = { price_usd: [{ numeric: ["=", 301.5] }] };
      assert.ok(accepts(policy, attributes({ price_usd: num("301.5") })));
      assert.ok(accepts(policy, attributes({ price_usd: num("3.015e2") })));
      assert.ok(accepts(policy, body({ price_usd: 3.015e2 }), "MessageBody"));
      assert.ok(!accepts(policy, attributes({ price_usd: str("301.5") })), "a String attribute is not a number");
    });

    it("ranges take <, <=, > and >=", () => {
      assert.ok(accepts({ price_usd: [{ numeric: ["<", 0] }] }, attributes({ price_usd: num("-1") })));
      const policy = { price_usd: [{ numeric: [">", 0, "<=", 150] }] };
      assert.ok(accepts(policy, attributes({ price_usd: num("150") })));
      assert.ok(!accepts(policy, attributes({ price_usd: num("0") })));
      assert.ok(!accepts(policy, attributes({ price_usd: num("150.5") })));
    });

    it("anything-but excludes numbers, and a body array passes when any element is not excluded", () => {
      const policy = { price: [{ "anything-but": [100, 500] }] };
      assert.ok(accepts(policy, attributes({ price: num("100.1") })));
      assert.ok(!accepts(policy, attributes({ price: num("100") })));
      assert.ok(accepts(policy, body({ price: [100, 50] }), "MessageBody"));
      assert.ok(!accepts(policy, body({ price: 100 }), "MessageBody"));
    });

    it("a bare number in the policy matches a Number attribute of that value, not a String", () => {
      assert.ok(accepts({ metricId: [1234] }, attributes({ metricId: num("1234.0") })));
      assert.ok(!accepts({ metricId: [1234] }, attributes({ metricId: str("1234") })));
    });
  });

  describe("key matching (exists)", () => {
    it("exists: true needs the attribute or body key", () => {
      const policy = { store: [{ exists: true }] };
      assert.ok(accepts(policy, attributes({ store: str("fans"), customer_interests: arr(["baseball"]) })));
      assert.ok(!accepts(policy, attributes({ customer_interests: arr(["baseball"]) })));
      assert.ok(accepts(policy, body({ store: "fans" }), "MessageBody"));
      assert.ok(!accepts(policy, body({ customer_interests: ["baseball"] }), "MessageBody"));
    });

    it("exists: true needs a non-null, non-empty value", () => {
      const policy = { store: [{ exists: true }] };
      assert.ok(!accepts(policy, body({ store: null }), "MessageBody"));
      assert.ok(!accepts(policy, body({ store: "" }), "MessageBody"));
      assert.ok(!accepts(policy, body({ store: [] }), "MessageBody"));
    });

    it("exists: false needs the key absent, and at least one attribute present", () => {
      const policy = { store: [{ exists: false }] };
      assert.ok(accepts(policy, attributes({ customer_interests: arr(["baseball"]) })));
      assert.ok(!accepts(policy, attributes({ store: str("fans") })));
      assert.ok(!accepts(policy, attributes({})), "an empty set of attributes matches no exists: false");
      assert.ok(accepts(policy, body({ other: 1 }), "MessageBody"));
    });

    it("Binary attributes are ignored, as if absent", () => {
      const binary: SnsMessageAttribute = { DataType: "Binary", BinaryValue: Buffer.from("x") };
      assert.ok(!accepts({ blob: [{ exists: true }] }, attributes({ blob: binary })));
      assert.ok(accepts({ blob: [{ exists: false }] }, attributes({ blob: binary, other: str("x") })));
    });
  });

  describe("null values", () => {
    it("[null] matches a null body value; neither null nor anything-but matches a missing attribute", () => {
      assert.ok(accepts({ attr: [null] }, body({ attr: null }), "MessageBody"));
      assert.ok(!accepts({ attr: [null, { "anything-but": "whatever" }] }, attributes({})));
    });
  });

  describe("$or", () => {
    const policy = {
      $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }],
      detail: { scope: ["Service"], $or: [{ source: ["aws.cloudwatch"] }, { type: ["CloudWatch Alarm State Change"] }] },
    };

    it("matches when one alternative of each $or matches, with the other keys", () => {
      assert.ok(accepts(policy, body({ metricName: "CPUUtilization", detail: { scope: "Service", source: "aws.cloudwatch" } }), "MessageBody"));
      assert.ok(accepts(policy, body({ namespace: "AWS/ES", detail: { scope: "Service", type: "CloudWatch Alarm State Change" } }), "MessageBody"));
      assert.ok(!accepts(policy, body({ metricName: "CPUUtilization", detail: { scope: "Service" } }), "MessageBody"));
      assert.ok(!accepts(policy, body({ metricName: "CPUUtilization", detail: { type: "CloudWatch Alarm State Change" } }), "MessageBody"));
      assert.ok(!accepts(policy, body({ metricName: "AWS/EC2", detail: { scope: "Service", source: "aws.cloudwatch" } }), "MessageBody"));
    });

    it("also works on message attributes", () => {
      const flat = { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization"] }, { namespace: ["AWS/EC2"] }] };
      assert.ok(accepts(flat, attributes({ source: str("aws.cloudwatch"), namespace: str("AWS/EC2") })));
      assert.ok(!accepts(flat, attributes({ source: str("aws.cloudwatch"), namespace: str("AWS/ES") })));
    });
  });

  describe("message body scope", () => {
    it("matches nested keys, and dotted keys as the same path", () => {
      const policy = { object: { key: [{ prefix: "auto-" }, "hardcodedvalue"], nested_key: [{ exists: false }] }, test: [{ exists: false }] };
      assert.ok(accepts(policy, body({ object: { key: "auto-test" } }), "MessageBody"));
      assert.ok(accepts(policy, body({ object: { key: "hardcodedvalue" } }), "MessageBody"));
      assert.ok(!accepts(policy, body({ object: { key: "test-auto" } }), "MessageBody"));
      assert.ok(!accepts(policy, body({ object: { key: "auto-test" }, test: "just-exists" }), "MessageBody"));
      assert.ok(!accepts(policy, body({ object: { key: "auto-test", nested_key: "just-exists" } }), "MessageBody"));
      const dotted = { "object.nested.test": ["string.value"] };
      for (const message of [{ object: { nested: { test: "string.value" } } }, { "object.nested": { test: "string.value" } }, { object: { "nested.test": "string.value" } }]) {
        assert.ok(accepts(dotted, body(message), "MessageBody"), JSON.stringify(message));
      }
    });

    it("matches arrays by any element, keeping fields of one object together", () => {
      assert.ok(accepts({ headers: { "route-to": ["queue1"] } }, body({ headers: { "route-to": ["queue1", "queue2"] } }), "MessageBody"));
      assert.ok(!accepts({ headers: { "route-to": ["queue1"] } }, body({ headers: { "route-to": ["queue3"] } }), "MessageBody"));
      const s3 = { Records: { s3: { object: { key: [{ prefix: "auto-" }] } }, eventName: [{ prefix: "ObjectCreated:" }] } };
      const record = (eventName: string, key: string) => ({ eventName, s3: { object: { key } } });
      assert.ok(accepts(s3, body({ Records: [record("ObjectRemoved:Delete", "home-1.xml"), record("ObjectCreated:Put", "auto-2.xml")] }), "MessageBody"));
      assert.ok(!accepts(s3, body({ Records: [record("ObjectCreated:Put", "home-1.xml"), record("ObjectRemoved:Delete", "auto-2.xml")] }), "MessageBody"));
    });

    it("matches nothing when the body is not a JSON object", () => {
      const policy = { store: [{ exists: false }] };
      assert.ok(!accepts(policy, { message: "Regular string message" }, "MessageBody"));
      assert.ok(!accepts(policy, { message: JSON.stringify("a JSON string") }, "MessageBody"));
      assert.ok(!accepts(policy, { message: "[1, 2]" }, "MessageBody"));
    });
  });

  describe("messages Publish would refuse", () => {
    it("a Number attribute that is not a number, or a String.Array that is not an array", () => {
      assert.throws(() => accepts({ a: ["x"] }, attributes({ price: num("cheap") })), (e: unknown) => e instanceof MessageAttributeError && /"price" is a Number/.test(e.message));
      assert.throws(() => accepts({ a: ["x"] }, attributes({ tags: { DataType: "String.Array", StringValue: "not an array" } })), /String\.Array/);
      assert.throws(() => accepts({ a: ["x"] }, attributes({ odd: { DataType: "Decimal", StringValue: "1" } })), /data type "Decimal"/);
    });
  });

  describe("policies SNS refuses", () => {
    it("nested keys in the MessageAttributes scope, and values that are not lists", () => {
      refuses({ object: { key: [{ prefix: "auto-" }] } }, /MessageAttributes does not support nested filter policy/);
      refuses({ key_a: "value_one" }, /"key_a" must be an object or an array/, "MessageBody");
      refuses({ key: [] }, /Empty arrays are not allowed/);
      refuses({ key: [["value"]] }, /Match value must be String, number, true, false, or null/);
      refuses({}, /is empty/);
      refuses("{oops", /not valid JSON/);
    });

    it("operators SNS does not know, or more than one per object", () => {
      refuses({ key: [{ "wrong-operator": true }] }, /Unrecognized match type wrong-operator/);
      refuses({ key: [{ wildcard: "a*" }] }, /Unrecognized match type wildcard/);
      refuses({ key: [{ suffix: "value", prefix: "value2" }] }, /Only one key allowed in match expression/);
      refuses({ key: [{ suffix: 100 }] }, /suffix match pattern must be a string/);
      refuses({ key: [{ exists: "no" }] }, /exists match pattern must be either true or false/);
    });

    it("anything-but nesting anything but a prefix", () => {
      refuses({ key: [{ "anything-but": { suffix: "test" } }] }, /Unsupported anything-but pattern: suffix/);
      refuses({ key: [{ "anything-but": { exists: false } }] }, /Unsupported anything-but pattern: exists/);
      refuses({ key: [{ "anything-but": { prefix: false } }] }, /prefix match pattern must be a non-empty string/);
      refuses({ key: [{ "anything-but": ["a", 1] }] }, /only strings or only numbers/);
    });

    it("malformed numeric expressions and numbers beyond +/-1e9", () => {
      refuses({ key: [{ numeric: [] }] }, /Invalid member in numeric match/);
      refuses({ key: [{ numeric: ["operator", 1] }] }, /Unrecognized numeric range operator/);
      refuses({ key: [{ numeric: ["=", "000"] }] }, /Value of = must be numeric/);
      refuses({ key: [{ numeric: [">", 3, "<", 1] }] }, /Bottom must be less than top/);
      refuses({ key: [{ numeric: [">", 20, "test", 30] }] }, /Bad numeric range operator/);
      refuses({ key: [{ numeric: [">", 20, "<", 30, "<", 50] }] }, /Too many terms in numeric range expression/);
      refuses({ key: [{ numeric: [">", 2e9] }] }, /from -1e9 to 1e9/);
    });

    it("malformed CIDR blocks", () => {
      refuses({ key: [{ cidr: "bad-filter" }] }, /Malformed CIDR, one '\/' required/);
      refuses({ key: [{ cidr: "bad-filter/64" }] }, /Nonstandard IP address: bad-filter/);
      refuses({ key: [{ cidr: "10.0.0.0/x" }] }, /mask bits must be an integer/);
      refuses({ key: [{ cidr: "xxxx:db8:1234:1a00::/64" }] }, /Nonstandard IP address/);
    });

    it("more than five keys", () => {
      refuses({ key1: ["1"], key2: ["2"], key3: ["3"], key4: ["4"], key5: ["5"], key6: ["6"] }, /can not have more than 5 keys/);
    });

    it("more than 150 combinations: per $or alternative, the product over keys of nesting depth times values", () => {
      refuses({ key: Array.from({ length: 151 }, (_, i) => `value${i}`) }, /too complex: 151/);
      // The constraints page's example: 3 levels x 4 values, times 2 levels x 3 values = 72; with a third key of 3: 216.
      const nested = { key_a: { key_b: { key_c: ["1", "2", "3", "4"] } }, key_d: { key_e: ["1", "2", "3"] } };
      assert.doesNotThrow(() => compileFilterPolicy(nested, "MessageBody"));
      refuses({ ...nested, key_f: ["1", "2", "3"] }, /too complex: 216/, "MessageBody");
      const or = (spaceIds: number) => ({
        source: ["aws.cloudwatch", "aws.events", "aws.test"],
        $or: [
          { metricName: ["a", "b", "c", "d", "e", "f"] },
          { metricType: ["A", "B", "C", "D"], $or: [{ metricId: [1, 2, 3, 4] }, { spaceId: Array.from({ length: spaceIds }, (_, i) => i) }] },
        ],
      });
      assert.doesNotThrow(() => compileFilterPolicy(or(7)), "3x6 + 3x4x4 + 3x4x7 = 150");
      refuses(or(8), /too complex: 162/);
    });
  });
});
