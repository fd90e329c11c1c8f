import { strict as assert } from "node:assert";
import { EventPatternError } from "../../../components/event-pattern";
import { compileEventPattern, matchesEventPattern } from "../../../localcloud/matching/event-pattern-matcher";

// An executable summary of EventBridge's event pattern semantics. Each block names the page it restates:
//   syntax      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
//   operators   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//   filtering   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   arrays      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   null values https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
// Cases the pages leave open follow AWS's open-source matcher, event-ruler, or what AWS answered in LocalStack's
// AWS-validated pattern tests (tests/aws/services/events/event_pattern_templates), as noted.

type Json = Record<string, unknown>;

const ec2Event = {
  version: "0",
  id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "111122223333",
  time: "2017-12-22T18:43:48Z",
  region: "us-west-1",
  resources: ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
  detail: { "instance-id": "i-1234567890abcdef0", state: "terminated" },
};

function withDetail(detail: Json): Json {
  return { ...ec2Event, detail };
}

function matches(pattern: Json, event: Json, dialect: "rule" | "pipe" = "rule"): boolean {
  return matchesEventPattern(pattern, event, dialect);
}

function rejects(pattern: unknown, problem: RegExp, dialect: "rule" | "pipe" = "rule"): void {
  assert.throws(
    () => compileEventPattern(pattern as Json, dialect),
    (e: unknown) => e instanceof EventPatternError && problem.test(e.message),
  );
}

describe("localcloud/matching/event-pattern-matcher: EventBridge event patterns", () => {
  describe("syntax: fields, values, nesting", () => {
    it("matches when every field of the pattern matches, ignoring the event's other fields", () => {
      const pattern = { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"], detail: { state: ["terminated"] } };
      assert.ok(matches(pattern, ec2Event));
      assert.ok(!matches(pattern, withDetail({ state: "running" })));
    });

    it("needs every field the pattern names, at the same nesting", () => {
      assert.ok(!matches({ detail: { state: ["terminated"], "c-count": [5] } }, ec2Event), "a field missing from the event");
      assert.ok(!matches({ state: ["terminated"] }, ec2Event), "the right value at the wrong level");
      assert.ok(!matches({ detail: ["terminated"] }, ec2Event), "a value list against an object");
      assert.ok(!matches({ source: { name: ["aws.ec2"] } }, ec2Event), "a nested pattern against a string");
    });

    it("treats the values of a field's list as alternatives", () => {
      assert.ok(matches({ source: ["aws.ec2", "aws.fargate"] }, ec2Event));
      assert.ok(matches({ source: ["aws.ec2", "aws.fargate"] }, { ...ec2Event, source: "aws.fargate" }));
      assert.ok(!matches({ source: ["aws.ec2", "aws.fargate"] }, { ...ec2Event, source: "aws.s3" }));
    });

    it("compares strings character by character, without case folding or normalization", () => {
      assert.ok(!matches({ source: ["AWS.EC2"] }, ec2Event));
      assert.ok(!matches({ source: ["aws.ec2 "] }, ec2Event));
      assert.ok(!matches({ Source: ["aws.ec2"] }, ec2Event), "keys are case-sensitive too");
    });

    it("compares numbers by value: [300] matches 300.0 (AWS's answer, though the syntax page says otherwise)", () => {
      assert.ok(matches({ detail: { count: [300] } }, withDetail({ count: 300.0 })));
      assert.ok(matches({ detail: { count: [3.0e2] } }, withDetail({ count: 300 })));
      assert.ok(!matches({ detail: { count: [300] } }, withDetail({ count: "300" })), "a number never equals a string");
      assert.ok(!matches({ detail: { count: ["300"] } }, withDetail({ count: 300 })));
    });

    it("matches true, false and null as JSON literals, not as their text", () => {
      assert.ok(matches({ detail: { enabled: [true] } }, withDetail({ enabled: true })));
      assert.ok(!matches({ detail: { enabled: [true] } }, withDetail({ enabled: "true" })));
      assert.ok(!matches({ detail: { enabled: [false] } }, withDetail({ enabled: 0 })));
    });

    it("joins nested keys with dots, so a dotted key and its nested form are the same field", () => {
      assert.ok(matches({ "detail.state": ["terminated"] }, ec2Event));
      assert.ok(matches({ detail: { state: ["terminated"] } }, { "detail.state": "terminated" }));
      assert.ok(!matches({ "detail.state": ["running"] }, ec2Event));
    });

    it("uses the last of a key given twice in the pattern's JSON", () => {
      const pattern = '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}';
      assert.ok(matchesEventPattern(pattern, withDetail({ location: "eu-west" })));
      assert.ok(!matchesEventPattern(pattern, withDetail({ location: "us-east" })));
    });

    it("takes the pattern and the event as the graph and PutEvents hold them: JSON text", () => {
      const compiled = compileEventPattern(JSON.stringify({ source: ["orderflow.orders"], "detail-type": ["OrderPlaced"] }));
      assert.ok(compiled.matches(JSON.stringify({ source: "orderflow.orders", "detail-type": "OrderPlaced", detail: {} })));
      assert.ok(!compiled.matches({ source: "orderflow.orders", "detail-type": "OrderShipped", detail: {} }));
      assert.throws(() => compiled.matches("{not json"), /The event is not valid JSON/);
      assert.throws(() => compiled.matches("[1, 2]"), /must be a JSON object/);
    });
  });

  describe("null values and empty strings", () => {
    const event = withDetail({ eventVersion: "", responseElements: null });

    it('[null] matches a null value and [""] an empty string, and neither stands for the other', () => {
      assert.ok(matches({ detail: { responseElements: [null] } }, event));
      assert.ok(matches({ detail: { eventVersion: [""] } }, event));
      assert.ok(!matches({ detail: { responseElements: [""] } }, event));
      assert.ok(!matches({ detail: { eventVersion: [null] } }, event));
    });

    it("[null] does not match a missing field", () => {
      assert.ok(!matches({ detail: { other: [null] } }, event));
    });
  });

  describe("arrays in events", () => {
    it("matches when any element of the event's array matches one of the pattern's values", () => {
      const pattern = { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f", "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f"] };
      const event = {
        resources: [
          "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate",
          "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ],
      };
      assert.ok(matches(pattern, event));
      assert.ok(!matches(pattern, { resources: ["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"] }));
    });

    it("finds nothing in an empty array: no value matches it, [null] included", () => {
      assert.ok(!matches({ resources: [null] }, { resources: [] }));
      assert.ok(!matches({ resources: [{ prefix: "" }] }, { resources: [] }));
    });

    it("takes the fields of one rule from the same element of an array of objects", () => {
      const event = {
        employees: [
          { firstName: "John", lastName: "Doe" },
          { firstName: "Anna", lastName: "Smith" },
          { firstName: "Peter", lastName: "Jones" },
        ],
      };
      assert.ok(matches({ employees: { firstName: ["Anna"] } }, event));
      assert.ok(matches({ employees: { firstName: ["Anna"], lastName: ["Smith"] } }, event));
      assert.ok(!matches({ employees: { firstName: ["Anna"], lastName: ["Jones"] } }, event), "Anna and Jones are different employees");
    });

    it("flattens arrays nested in arrays", () => {
      const event = { employees: [[{ firstName: "John", ids: [1234, 1000] }, { firstName: "Anna" }], [{ firstName: "Peter", ids: [] }]] };
      assert.ok(matches({ employees: { firstName: ["Peter"] } }, event));
      assert.ok(matches({ employees: { firstName: ["John"], ids: [1000] } }, event));
      assert.ok(!matches({ employees: { firstName: ["Anna"], ids: [1000] } }, event));
    });
  });

  describe("prefix and suffix", () => {
    it("prefix matches strings that begin with it", () => {
      assert.ok(matches({ time: [{ prefix: "2017-12-22" }] }, ec2Event));
      assert.ok(!matches({ time: [{ prefix: "2017-12-23" }] }, ec2Event));
      assert.ok(!matches({ time: [{ prefix: "2017-12-22" }] }, { time: "x2017-12-22" }));
    });

    it("prefix with equals-ignore-case ignores the case of the beginning", () => {
      const pattern = { detail: { service: [{ prefix: { "equals-ignore-case": "EventB" } }] } };
      for (const service of ["EventBridge", "EVENTBRIDGE", "eventbridge"]) assert.ok(matches(pattern, withDetail({ service })), service);
      assert.ok(!matches(pattern, withDetail({ service: "Event Bridge" })));
    });

    it("suffix matches strings that end with it, with or without case", () => {
      assert.ok(matches({ FileName: [{ suffix: ".png" }] }, { FileName: "photo.png" }));
      assert.ok(!matches({ FileName: [{ suffix: ".png" }] }, { FileName: "photo.PNG" }));
      assert.ok(matches({ FileName: [{ suffix: { "equals-ignore-case": ".png" } }] }, { FileName: "photo.PNG" }));
      assert.ok(!matches({ FileName: [{ suffix: { "equals-ignore-case": ".png" } }] }, { FileName: "photo.png.txt" }));
    });

    it("only apply to strings", () => {
      assert.ok(!matches({ code: [{ prefix: "12" }] }, { code: 123 }));
      assert.ok(!matches({ code: [{ suffix: "3" }] }, { code: 123 }));
      assert.ok(!matches({ code: [{ prefix: "nu" }] }, { code: null }));
    });
  });

  describe("equals-ignore-case", () => {
    it("matches a string whatever its case, and nothing else", () => {
      const pattern = { "detail-type": [{ "equals-ignore-case": "ec2 instance state-change notification" }] };
      assert.ok(matches(pattern, ec2Event));
      assert.ok(!matches(pattern, { "detail-type": "EC2 Instance State-change" }));
      assert.ok(!matches({ n: [{ "equals-ignore-case": "1" }] }, { n: 1 }));
    });
  });

  describe("wildcard (rules only)", () => {
    it("lets * stand for any run of characters, none included", () => {
      const pattern = { EventBusArn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] };
      assert.ok(matches(pattern, { EventBusArn: "arn:aws:events:us-east-1:123456789012:event-bus/orders" }));
      assert.ok(matches(pattern, { EventBusArn: "arn:aws:events:us-east-1::event-bus/" }));
      assert.ok(!matches(pattern, { EventBusArn: "arn:aws:events:eu-west-1:123456789012:event-bus/orders" }));
      assert.ok(matches({ file: [{ wildcard: "dir/*.png" }] }, { file: "dir/sub/a.png" }), "* also crosses slashes");
    });

    it("matches the whole value, and characters other than * literally", () => {
      assert.ok(!matches({ file: [{ wildcard: "*.png" }] }, { file: "a.png.txt" }));
      assert.ok(!matches({ file: [{ wildcard: "a.png" }] }, { file: "aXpng" }), "a dot is a dot");
      assert.ok(matches({ file: [{ wildcard: "(a)+[b]" }] }, { file: "(a)+[b]" }));
    });

    it("reads \\* as a star and \\\\ as a backslash", () => {
      assert.ok(matches({ v: [{ wildcard: "a\\*b" }] }, { v: "a*b" }));
      assert.ok(!matches({ v: [{ wildcard: "a\\*b" }] }, { v: "axb" }));
      assert.ok(matches({ v: [{ wildcard: "a\\\\*" }] }, { v: "a\\anything" }));
    });

    it("only applies to strings", () => {
      assert.ok(!matches({ v: [{ wildcard: "*" }] }, { v: 5 }));
      assert.ok(matches({ v: [{ wildcard: "*" }] }, { v: "" }));
    });

    it("is refused where EventBridge refuses it: consecutive stars, stray escapes, Pipes filters", () => {
      rejects({ v: [{ wildcard: "a**b" }] }, /consecutive wildcards/);
      rejects({ v: [{ wildcard: "a\\b" }] }, /backslash/);
      rejects({ v: [{ wildcard: "a*" }] }, /not supported in Pipes/, "pipe");
    });
  });

  describe("anything-but", () => {
    it("matches any value but the one given, string or number", () => {
      assert.ok(matches({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: "running" })));
      assert.ok(!matches({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: "initializing" })));
      assert.ok(matches({ detail: { "x-limit": [{ "anything-but": 123 }] } }, withDetail({ "x-limit": 124 })));
      assert.ok(!matches({ detail: { "x-limit": [{ "anything-but": 123 }] } }, withDetail({ "x-limit": 123.0 })));
    });

    it("excludes every value of a list of strings or of numbers", () => {
      const states = { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } };
      assert.ok(matches(states, withDetail({ state: "running" })));
      assert.ok(!matches(states, withDetail({ state: "overloaded" })));
      const limits = { detail: { "x-limit": [{ "anything-but": [100, 200, 300] }] } };
      assert.ok(matches(limits, withDetail({ "x-limit": 150 })));
      assert.ok(!matches(limits, withDetail({ "x-limit": 200 })));
    });

    it("needs the field: a missing field is not 'anything but'", () => {
      assert.ok(!matches({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({})));
    });

    it("lets values of another type through: null, a number against strings, a string against numbers", () => {
      assert.ok(matches({ detail: { state: [{ "anything-but": "initializing" }] } }, withDetail({ state: null })));
      assert.ok(matches({ detail: { state: [{ "anything-but": ["a", "b"] }] } }, withDetail({ state: 7 })));
      assert.ok(matches({ detail: { n: [{ "anything-but": [444] }] } }, withDetail({ n: "444" })));
    });

    it("matches an event array when any element is not excluded", () => {
      const pattern = { detail: { states: [{ "anything-but": "initializing" }] } };
      assert.ok(matches(pattern, withDetail({ states: ["initializing", "running"] })));
      assert.ok(!matches(pattern, withDetail({ states: ["initializing"] })));
    });

    it("excludes a prefix or a suffix of strings (rules only)", () => {
      const region = { region: [{ "anything-but": { prefix: "us-" } }] };
      assert.ok(matches(region, { region: "eu-west-1" }));
      assert.ok(!matches(region, { region: "us-east-1" }));
      assert.ok(matches(region, { region: 12 }), "a number has no prefix to exclude");
      const file = { FileName: [{ "anything-but": { suffix: ".png" } }] };
      assert.ok(matches(file, { FileName: "a.jpg" }));
      assert.ok(!matches(file, { FileName: "a.png" }));
    });

    it("excludes strings whatever their case, one or a list (rules only)", () => {
      const one = { state: [{ "anything-but": { "equals-ignore-case": "initializing" } }] };
      assert.ok(!matches(one, { state: "INITIALIZING" }));
      assert.ok(matches(one, { state: "running" }));
      const list = { state: [{ "anything-but": { "equals-ignore-case": ["Stopped", "OverLoaded"] } }] };
      assert.ok(!matches(list, { state: "overloaded" }));
      assert.ok(matches(list, { state: "running" }));
    });

    it("excludes wildcard matches, one or a list (rules only)", () => {
      const one = { FilePath: [{ "anything-but": { wildcard: "*/lib/*" } }] };
      assert.ok(!matches(one, { FilePath: "/usr/lib/x.so" }));
      assert.ok(matches(one, { FilePath: "/usr/bin/x" }));
      const list = { FilePath: [{ "anything-but": { wildcard: ["*/bin/*.jar", "*/bin/*.class"] } }] };
      assert.ok(!matches(list, { FilePath: "/opt/bin/app.class" }));
      assert.ok(matches(list, { FilePath: "/opt/lib/app.class" }));
    });

    it("refuses what AWS refuses: nested operators in Pipes filters, mixed lists, an empty prefix", () => {
      rejects({ r: [{ "anything-but": { prefix: "us-" } }] }, /not supported under anything-but in Pipes/, "pipe");
      rejects({ r: [{ "anything-but": ["a", 1] }] }, /only strings or only numbers/);
      rejects({ r: [{ "anything-but": { prefix: "" } }] }, /anything-but\.prefix: is empty/);
      rejects({ r: [{ "anything-but": { suffix: "" } }] }, /anything-but\.suffix: is empty/);
      rejects({ r: [{ "anything-but": { exists: true } }] }, /may nest exactly one of/);
    });
  });

  describe("numeric", () => {
    const detail = (value: unknown) => withDetail({ "c-count": value });

    it("matches numbers inside a range, each bound open or closed", () => {
      const pattern = { detail: { "c-count": [{ numeric: [">", 0, "<=", 5] }] } };
      assert.ok(matches(pattern, detail(5)));
      assert.ok(matches(pattern, detail(0.001)));
      assert.ok(!matches(pattern, detail(0)));
      assert.ok(!matches(pattern, detail(5.000001)));
      assert.ok(matches({ detail: { "c-count": [{ numeric: [">=", 0, "<", 5] }] } }, detail(0)));
    });

    it("compares with one bound, and = is numeric equality", () => {
      assert.ok(matches({ detail: { "c-count": [{ numeric: ["<", 10] }] } }, detail(-3)));
      assert.ok(!matches({ detail: { "c-count": [{ numeric: [">=", 10] }] } }, detail(9.99)));
      assert.ok(matches({ detail: { "c-count": [{ numeric: ["=", 3.018e2] }] } }, detail(301.8)));
    });

    it("only compares JSON numbers, within -5e9..5e9", () => {
      const positive = { detail: { "c-count": [{ numeric: [">", 0] }] } };
      assert.ok(!matches(positive, detail("5")), "a numeric string is a string");
      assert.ok(!matches(positive, detail(null)));
      assert.ok(!matches(positive, detail(true)));
      assert.ok(matches(positive, detail(5e9)));
      assert.ok(!matches(positive, detail(5.5e9)), "beyond EventBridge's numeric range");
    });

    it("matches any element of an array of numbers", () => {
      assert.ok(matches({ detail: { "c-count": [{ numeric: [">", 10] }] } }, detail([1, 2, 30])));
      assert.ok(!matches({ detail: { "c-count": [{ numeric: [">", 10] }] } }, detail([1, 2, 3])));
    });

    it("refuses malformed ranges", () => {
      rejects({ n: [{ numeric: ["<", 5, ">", 0] }] }, /starts with its lower bound/);
      rejects({ n: [{ numeric: [">", 5, "<", 1] }] }, /lower bound 5 must be less than the upper bound 1/);
      rejects({ n: [{ numeric: [">", "5"] }] }, /must be a number/);
      rejects({ n: [{ numeric: ["!=", 5] }] }, /must be one of/);
      rejects({ n: [{ numeric: [">", 6e9] }] }, /between -5e9 and 5e9/);
    });
  });

  describe("cidr (IP address matching)", () => {
    it("matches IPv4 addresses inside the block", () => {
      const pattern = { detail: { sourceIPAddress: [{ cidr: "10.0.0.0/24" }] } };
      assert.ok(matches(pattern, withDetail({ sourceIPAddress: "10.0.0.255" })));
      assert.ok(!matches(pattern, withDetail({ sourceIPAddress: "10.0.1.0" })));
      assert.ok(!matches(pattern, withDetail({ sourceIPAddress: "10.0.0.256" })), "not an address");
      assert.ok(!matches(pattern, withDetail({ sourceIPAddress: 167772161 })), "only strings hold addresses");
    });

    it("matches IPv6 addresses in any notation", () => {
      const pattern = { ip: [{ cidr: "2001:db8:1234:1a00::/64" }] };
      assert.ok(matches(pattern, { ip: "2001:0db8:1234:1a00:0000:0000:0000:0001" }));
      assert.ok(matches(pattern, { ip: "2001:db8:1234:1a00::ff" }));
      assert.ok(!matches(pattern, { ip: "2001:db8:123f:1a01::" }));
      assert.ok(!matches(pattern, { ip: "10.0.0.1" }));
    });

    it("refuses a block that is not one", () => {
      rejects({ ip: [{ cidr: "10.0.0.0" }] }, /CIDR block/);
      rejects({ ip: [{ cidr: "10.0.0.0/33" }] }, /CIDR block/);
      rejects({ ip: [{ cidr: "xx.11.xx/8" }] }, /CIDR block/);
    });
  });

  describe("exists", () => {
    it("exists: true needs the field as a leaf, false needs it absent", () => {
      assert.ok(matches({ detail: { state: [{ exists: true }] } }, ec2Event));
      assert.ok(!matches({ detail: { state: [{ exists: false }] } }, ec2Event));
      assert.ok(matches({ detail: { "c-count": [{ exists: false }] } }, ec2Event));
      assert.ok(!matches({ detail: { "c-count": [{ exists: true }] } }, ec2Event));
    });

    it("counts a null value as present", () => {
      assert.ok(matches({ detail: { r: [{ exists: true }] } }, withDetail({ r: null })));
      assert.ok(!matches({ detail: { r: [{ exists: false }] } }, withDetail({ r: null })));
    });

    it("only sees leaves: an object is not there for exists, and an empty array holds nothing", () => {
      const event = withDetail({ "c-count": { c1: 100 }, tags: [] });
      assert.ok(!matches({ detail: { "c-count": [{ exists: true }] } }, event));
      assert.ok(matches({ detail: { "c-count": [{ exists: false }] } }, event), "the documented example: c-count is not a leaf");
      assert.ok(!matches({ detail: { tags: [{ exists: true }] } }, event));
      assert.ok(matches({ detail: { tags: [{ exists: false }] } }, event));
    });

    it("judges absence within the array element the other fields matched", () => {
      const event = { employees: [{ firstName: "John", ids: [1234] }, { firstName: "Anna" }] };
      assert.ok(matches({ employees: { firstName: ["Anna"], ids: [{ exists: false }] } }, event));
      assert.ok(!matches({ employees: { firstName: ["John"], ids: [{ exists: false }] } }, event));
      assert.ok(!matches({ employees: { firstName: ["Anna"], ids: [{ exists: true }] } }, event));
    });

    it("may be one alternative among values", () => {
      const pattern = { detail: { priority: ["high", { exists: false }] } };
      assert.ok(matches(pattern, withDetail({ priority: "high" })));
      assert.ok(matches(pattern, withDetail({})));
      assert.ok(!matches(pattern, withDetail({ priority: "low" })));
    });

    it("refuses anything but true or false", () => {
      rejects({ a: [{ exists: "yes" }] }, /must be true or false/);
    });
  });

  describe("$or", () => {
    it("matches when any alternative matches, the other fields still required", () => {
      const pattern = { source: ["aws.cloudwatch"], $or: [{ metricName: ["CPUUtilization", "ReadLatency"] }, { namespace: ["AWS/EC2", "AWS/ES"] }] };
      assert.ok(matches(pattern, { source: "aws.cloudwatch", metricName: "ReadLatency" }));
      assert.ok(matches(pattern, { source: "aws.cloudwatch", namespace: "AWS/ES" }));
      assert.ok(!matches(pattern, { source: "aws.cloudwatch", metricName: "Other", namespace: "Other" }));
      assert.ok(!matches(pattern, { source: "aws.ec2", metricName: "ReadLatency" }));
    });

    it("works inside nested objects and nests in itself", () => {
      const pattern = {
        detail: {
          $or: [{ "c-count": [{ numeric: [">", 0, "<=", 5] }] }, { "d-count": [{ numeric: ["<", 10] }] }, { "x-limit": [{ numeric: ["=", 3.018e2] }] }],
        },
      };
      assert.ok(matches(pattern, withDetail({ "x-limit": 301.8 })));
      assert.ok(matches(pattern, withDetail({ "d-count": 3 })));
      assert.ok(!matches(pattern, withDetail({ "c-count": 6, "d-count": 11 })));
      const nested = { $or: [{ a: ["1"] }, { b: ["2"], $or: [{ c: ["3"] }, { d: ["4"] }] }] };
      assert.ok(matches(nested, { b: "2", d: "4" }));
      assert.ok(!matches(nested, { b: "2" }));
    });

    it("refuses fewer than two alternatives, and more than 1000 combinations", () => {
      rejects({ $or: [{ a: ["1"] }] }, /at least two patterns/);
      const ten = Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ["v"] }));
      rejects({ x: { $or: ten }, y: { $or: ten }, z: { $or: [...ten, { w: ["v"] }] } }, /1100 rule combinations/);
      assert.doesNotThrow(() => compileEventPattern({ x: { $or: ten }, y: { $or: ten }, z: { $or: ten } }));
    });
  });

  describe("patterns EventBridge refuses", () => {
    it("names the offending path for each problem", () => {
      rejects("{not json", /\(pattern\): is not valid JSON/);
      rejects({}, /is empty/);
      rejects({ source: "aws.ec2" }, /source: must be a list of values/);
      rejects({ source: [] }, /source: is an empty list/);
      rejects({ detail: { state: [{ regex: ".*" }] } }, /detail\.state\[0\]\.regex: is not an EventBridge operator/);
      rejects({ a: [{ prefix: "x", suffix: "y" }] }, /exactly one operator/);
      rejects({ a: [["nested"]] }, /nested list/);
    });
  });

  it("matches the same as the component's own example pattern (components/event-pattern.ts)", () => {
    const placed = {
      source: ["orderflow.orders"],
      "detail-type": ["OrderPlaced"],
      detail: { total: [{ numeric: [">", 0, "<=", 10000] }], channel: [{ "anything-but": "test" }] },
    };
    assert.ok(matches(placed, { source: "orderflow.orders", "detail-type": "OrderPlaced", detail: { total: 42.5, channel: "web" } }));
    assert.ok(!matches(placed, { source: "orderflow.orders", "detail-type": "OrderPlaced", detail: { total: 42.5, channel: "test" } }));
    assert.ok(!matches(placed, { source: "orderflow.orders", "detail-type": "OrderPlaced", detail: { total: 0, channel: "web" } }));
  });
});
