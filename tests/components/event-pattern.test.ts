import { strict as assert } from "node:assert";
import {
  EventPatternError,
  eventPatternProblems,
  serializeEventPattern,
  validateEventPattern,
  type EventPattern,
  type PatternDialect,
} from "../../components/event-pattern";

/** The paths the validator blames for a pattern. */
function blamed(pattern: unknown, dialect: PatternDialect = "rule"): string[] {
  return eventPatternProblems(pattern, dialect).map((p) => p.path);
}

/** The one problem reported for a pattern, as `path: message`. */
function onlyProblem(pattern: unknown, dialect: PatternDialect = "rule"): string {
  const problems = eventPatternProblems(pattern, dialect);
  assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
  return `${problems[0].path}: ${problems[0].message}`;
}

describe("components/event-pattern", () => {
  describe("valid patterns", () => {
    const valid: [string, EventPattern][] = [
      ["exact values of every JSON kind", { source: ["orderflow.orders"], detail: { paid: [true], count: [3], note: [null, ""] } }],
      ["prefix and suffix, plain and ignoring case", { detail: { sku: [{ prefix: "SKU-" }, { suffix: { "equals-ignore-case": ".PNG" } }] } }],
      ["equals-ignore-case", { detail: { status: [{ "equals-ignore-case": "placed" }] } }],
      ["wildcard with an escaped star", { detail: { path: [{ wildcard: "orders/*/items\\*" }] } }],
      ["anything-but: value, lists, nested operators", {
        detail: {
          a: [{ "anything-but": "test" }],
          b: [{ "anything-but": [100, 200] }],
          c: [{ "anything-but": { prefix: "tmp-" } }],
          // A list under prefix and suffix too (event-ruler README "Anything-but prefix list"; accepted by AWS in
          // LocalStack's AWS-validated event_pattern_templates/content_anything_prefix_list and _suffix_list).
          c2: [{ "anything-but": { prefix: ["init", "test"] } }, { "anything-but": { suffix: [".txt", ".jpg"] } }],
          d: [{ "anything-but": { "equals-ignore-case": ["x", "y"] } }],
          e: [{ "anything-but": { wildcard: "*/lib/*" } }],
        },
      }],
      ["numeric equality, one bound and a range", { detail: { a: [{ numeric: ["=", 3.5] }], b: [{ numeric: ["<", 10] }], c: [{ numeric: [">", 0, "<=", 5e9] }] } }],
      ["exists and cidr (IPv4 and IPv6)", { detail: { gone: [{ exists: false }], ip: [{ cidr: "10.0.0.0/24" }, { cidr: "2001:db8::/32" }] } }],
      ["$or of patterns, nested", { source: ["a"], $or: [{ detail: { x: ["1"] } }, { detail: { y: [2] }, $or: [{ z: ["a"] }, { w: ["b"] }] }] }],
    ];
    for (const [what, pattern] of valid) {
      it(`accepts ${what}`, () => {
        assert.deepEqual(eventPatternProblems(pattern), []);
      });
    }

    it("serializes to the JSON string a rule takes, unchanged", () => {
      const pattern: EventPattern = { source: ["orderflow.orders"], detail: { total: [{ numeric: [">", 0] }] } };
      assert.equal(serializeEventPattern(pattern), '{"source":["orderflow.orders"],"detail":{"total":[{"numeric":[">",0]}]}}');
    });
  });

  describe("errors name the offending path", () => {
    it("rejects an empty pattern and a non-object", () => {
      assert.match(onlyProblem({}), /^\(pattern\): is empty/);
      assert.match(onlyProblem(["source"]), /^\(pattern\): must be an object/);
    });

    it("rejects leaf values that are not in a list", () => {
      assert.match(onlyProblem({ source: "orderflow.orders" }), /^source: must be a list of values .*\["orderflow.orders"\]/);
      assert.match(onlyProblem({ detail: { total: 5 } }), /^detail\.total: must be a list/);
    });

    it("rejects empty lists, empty objects, nested lists and undefined fields", () => {
      assert.deepEqual(blamed({ source: [], detail: {}, a: [["x"]], b: undefined }), ["source", "detail", "a[0]", "b"]);
    });

    it("rejects an unknown operator, naming it in the path and listing the real ones", () => {
      const problem = onlyProblem({ detail: { status: [{ prefx: "a" }] } });
      assert.match(problem, /^detail\.status\[0\]\.prefx: is not an EventBridge operator; use one of prefix, suffix/);
    });

    it("rejects an operator object with two operators or none", () => {
      assert.match(onlyProblem({ detail: { s: [{ prefix: "a", suffix: "b" }] } }), /^detail\.s\[0\]: .*exactly one operator.*"prefix", "suffix"/);
      assert.match(onlyProblem({ detail: { s: [{}] } }), /^detail\.s\[0\]: .*none/);
    });

    it("rejects operator values of the wrong type", () => {
      assert.deepEqual(
        blamed({
          detail: {
            a: [{ prefix: 5 }],
            b: [{ suffix: { "equals-ignore-case": 1 } }],
            c: [{ exists: "yes" }],
            d: [{ "equals-ignore-case": ["x"] }],
            e: [{ "anything-but": { prefix: ["a", 1] } }],
            f: [{ "anything-but": ["a", 1] }],
            g: [{ "anything-but": [] }],
            h: [{ "anything-but": { numeric: [">", 1] } }],
          },
        }),
        [
          "detail.a[0].prefix",
          "detail.b[0].suffix.equals-ignore-case",
          "detail.c[0].exists",
          "detail.d[0].equals-ignore-case",
          "detail.e[0].anything-but.prefix[1]",
          "detail.f[0].anything-but",
          "detail.g[0].anything-but",
          "detail.h[0].anything-but",
        ],
      );
    });

    it("rejects malformed numeric matchers: arity, operators, order of bounds, range", () => {
      assert.match(onlyProblem({ n: [{ numeric: [">", 0, "<"] }] }), /^n\[0\]\.numeric: must be \[operator, number\]/);
      assert.match(onlyProblem({ n: [{ numeric: ["!=", 1] }] }), /^n\[0\]\.numeric\[0\]: must be one of "=", "<"/);
      assert.match(eventPatternProblems({ n: [{ numeric: ["<", 0, ">", 5] }] })[0].message, /^a range starts with its lower bound/);
      assert.deepEqual(blamed({ n: [{ numeric: ["<", 0, ">", 5] }] }), ["n[0].numeric[0]", "n[0].numeric[2]"]);
      assert.match(onlyProblem({ n: [{ numeric: [">", 10, "<", 5] }] }), /^n\[0\]\.numeric: the lower bound 10 must be less than the upper bound 5/);
      assert.match(onlyProblem({ n: [{ numeric: [">", "0"] }] }), /^n\[0\]\.numeric\[1\]: must be a number, but string "0"/);
      assert.match(onlyProblem({ n: [{ numeric: ["<", 6e9] }] }), /^n\[0\]\.numeric\[1\]: must be between -5e9 and 5e9/);
    });

    it("rejects malformed wildcards and CIDR blocks", () => {
      assert.match(onlyProblem({ p: [{ wildcard: "a**b" }] }), /^p\[0\]\.wildcard: .*consecutive wildcards/);
      assert.match(onlyProblem({ p: [{ wildcard: "a\\b" }] }), /^p\[0\]\.wildcard: .*backslash escaping "b"/);
      assert.deepEqual(blamed({ ip: [{ cidr: "10.0.0.0" }, { cidr: "10.0.0.0/33" }, { cidr: "banana/8" }, { cidr: "::1/64" }] }), [
        "ip[0].cidr",
        "ip[1].cidr",
        "ip[2].cidr",
      ]);
    });

    it("rejects an empty prefix or suffix under anything-but, alone or in a list", () => {
      // event-ruler JsonRuleCompiler: "Null prefix/suffix not allowed"; AWS: content_anything_prefix_empty_EXC.
      assert.deepEqual(
        blamed({ a: [{ "anything-but": { prefix: "" } }], b: [{ "anything-but": { suffix: ["x", ""] } }], c: [{ "anything-but": { wildcard: "" } }] }),
        ["a[0].anything-but.prefix", "b[0].anything-but.suffix[1]"],
      );
    });

    it("rejects wildcards beyond EventBridge's complexity limit, counting a field's patterns together", () => {
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching-complexity
      // AWS refuses "*:*:*:*:*:event-bus/*" (LocalStack's AWS-validated content_wildcard_complex_EXC) and accepts the
      // repeating "/Users/*/dir/dir/dir/dir/dir/doc.txt" (content_wildcard_repeating) and the simplified ARN pattern.
      assert.match(onlyProblem({ EventBusArn: [{ wildcard: "*:*:*:*:*:event-bus/*" }] }), /^EventBusArn: Rule is too complex/);
      assert.deepEqual(blamed({ f: [{ wildcard: "/Users/*/dir/dir/dir/dir/dir/doc.txt" }] }), []);
      assert.deepEqual(blamed({ arn: [{ wildcard: "arn:aws:events:us-east-1:*:event-bus/*" }] }), []);
      // Three stack patterns on one field pass and four fail (vals-ai/Valkyrie PR #278, refused by AWS at four),
      // also when the fourth hides under anything-but or in another $or alternative.
      const stacks = ["A", "B", "C", "D"].map((name) => ({ wildcard: `*:stack/${name}/*` }));
      assert.deepEqual(blamed({ detail: { "stack-id": stacks.slice(0, 3) } }), []);
      assert.deepEqual(blamed({ detail: { "stack-id": stacks } }), ["detail.stack-id"]);
      assert.deepEqual(blamed({ detail: { "stack-id": [...stacks.slice(0, 3), { "anything-but": { wildcard: "*:stack/D/*" } }] } }), ["detail.stack-id"]);
      assert.deepEqual(blamed({ $or: [{ detail: { "stack-id": stacks.slice(0, 2) } }, { detail: { "stack-id": stacks.slice(2) } }] }), ["detail.stack-id"]);
      // Patterns on different fields do not add up.
      assert.deepEqual(blamed({ detail: { a: stacks.slice(0, 2), b: stacks.slice(2) } }), []);
    });

    it("rejects a field inside $or named like an operator, which event-ruler reserves", () => {
      assert.deepEqual(blamed({ $or: [{ prefix: ["a"] }, { detail: { numeric: ["1"] } }] }), ["$or[0].prefix", "$or[1].detail.numeric"]);
      assert.deepEqual(blamed({ prefix: ["a"], detail: { numeric: ["1"] } }), []);
    });

    it("rejects a $or that is not a list of at least two non-empty patterns, and checks inside each", () => {
      assert.match(onlyProblem({ $or: [{ a: ["1"] }] }), /^\$or: must be a list of at least two patterns/);
      assert.match(onlyProblem({ $or: { a: ["1"] } }), /^\$or: must be a list/);
      assert.deepEqual(blamed({ $or: [{ a: ["1"] }, {}] }), ["$or[1]"]);
      assert.deepEqual(blamed({ detail: { $or: [{ a: "1" }, { b: [{ exists: 1 }] }] } }), ["detail.$or[0].a", "detail.$or[1].b[0].exists"]);
    });

    it("reports every problem at once", () => {
      assert.deepEqual(blamed({ source: "a", detail: { s: [{ prefx: "b" }], n: [{ numeric: [">"] }] } }), [
        "source",
        "detail.s[0].prefx",
        "detail.n[0].numeric",
      ]);
    });

    it("throws an EventPatternError listing the problems from validate and serialize", () => {
      assert.throws(
        () => validateEventPattern({ detail: { status: [{ prefix: 1 }] } }),
        (e: unknown) => e instanceof EventPatternError && e.problems.length === 1 && /detail\.status\[0\]\.prefix: must be a string/.test(e.message),
      );
      assert.throws(() => serializeEventPattern({ source: "x" } as unknown as EventPattern), EventPatternError);
    });
  });

  describe("Pipes dialect", () => {
    it("rejects wildcard and nested anything-but operators, which Pipes filters do not support", () => {
      const pattern = { body: { path: [{ wildcard: "a/*" }], region: [{ "anything-but": { prefix: "us-" } }] } };
      assert.deepEqual(blamed(pattern, "rule"), []);
      assert.deepEqual(blamed(pattern, "pipe"), ["body.path[0].wildcard", "body.region[0].anything-but.prefix"]);
      assert.match(eventPatternProblems(pattern, "pipe")[0].message, /not supported in Pipes filter criteria/);
    });

    it("accepts the operators Pipes do support", () => {
      const pattern: EventPattern = {
        dynamodb: { NewImage: { status: { S: [{ "anything-but": ["CANCELLED"] }, { prefix: { "equals-ignore-case": "pa" } }] } } },
        eventName: ["INSERT", "MODIFY"],
      };
      assert.deepEqual(blamed(pattern, "pipe"), []);
    });
  });
});
