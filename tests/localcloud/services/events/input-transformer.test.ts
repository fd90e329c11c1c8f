import { strict as assert } from "node:assert";
import { compileInputTransformer, InputTransformerError, transformInput, type RuleContext } from "../../../../localcloud/services/events/input-transformer";
import { InputTransformationError } from "../../../../localcloud/matching/template-substitution";

// Rule targets' input transformers, restating
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html (examples, predefined
//   variables, common issues) and https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html.
// Where the pages are silent (missing paths, objects inside strings, <aws.events.event>'s keys) the expectations are
// what AWS delivered in LocalStack's AWS-validated tests (tests/aws/services/events/test_events_inputs.py).

const ec2Event = {
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  account: "123456789012",
  time: "2015-11-11T21:29:54Z",
  region: "us-east-1",
  resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  detail: { "instance-id": "i-0123456789", state: "RUNNING" },
};

const context: RuleContext = {
  ruleArn: "arn:aws:events:us-east-2:123456789012:rule/example",
  ruleName: "example",
  ingestionTime: "2015-11-11T21:29:55Z",
};

const inputPaths = { timestamp: "$.time", instance: "$.detail.instance-id", state: "$.detail.state", resource: "$.resources[0]" };

function render(inputTemplate: string, event: unknown = ec2Event, paths: Record<string, string> = inputPaths): string {
  return transformInput({ inputPaths: paths, inputTemplate }, event, context);
}

describe("localcloud/services/events/input-transformer: EventBridge input transformers", () => {
  describe("the documented examples", () => {
    it("a simple string: values inserted as they are, the quotes kept", () => {
      assert.equal(render('"instance <instance> is in <state>"'), '"instance i-0123456789 is in RUNNING"');
    });

    it("a string with escaped quotes", () => {
      assert.equal(render('"instance \\"<instance>\\" is in <state>"'), '"instance \\"i-0123456789\\" is in RUNNING"');
    });

    it("simple JSON: a string value is quoted", () => {
      assert.deepEqual(JSON.parse(render('{\n  "instance" : <instance>,\n  "state": <state>\n}')), { instance: "i-0123456789", state: "RUNNING" });
    });

    it("JSON with strings and variables: inside quotes the value is inserted as is", () => {
      const output = render('{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \\"<instance>\\" is in <state>"}');
      assert.deepEqual(JSON.parse(output), { instance: "i-0123456789", state: "RUNNING", instanceStatus: 'instance "i-0123456789" is in RUNNING' });
    });

    it("JSON mixing variables and static values, in arrays too", () => {
      assert.deepEqual(JSON.parse(render('{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}')), {
        instance: "i-0123456789",
        state: [9, "RUNNING", true],
        Transformed: "Yes",
      });
    });

    it("array indices in paths", () => {
      assert.deepEqual(JSON.parse(render('{"resource": <resource>}')), { resource: "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111" });
    });
  });

  describe("predefined variables", () => {
    it("rule ARN and name, and the ingestion time, in JSON or in a string", () => {
      assert.deepEqual(JSON.parse(render('{"ruleArn": <aws.events.rule-arn>, "ruleName": <aws.events.rule-name>, "at": <aws.events.event.ingestion-time>}')), {
        ruleArn: context.ruleArn,
        ruleName: "example",
        at: "2015-11-11T21:29:55Z",
      });
      assert.equal(render('"<aws.events.rule-name> triggered"'), '"example triggered"');
      const at = new Date("2024-01-02T03:04:05.000Z");
      assert.equal(transformInput({ inputTemplate: '"<aws.events.event.ingestion-time>"' }, ec2Event, { ...context, ingestionTime: at }), '"2024-01-02T03:04:05.000Z"');
    });

    it("<aws.events.event.json> is the whole event; <aws.events.event> the event without detail, detail-type as detailType", () => {
      const output = JSON.parse(render('{"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>}'));
      assert.deepEqual(output.originalEventJson, ec2Event);
      assert.equal(output.originalEvent.detail, undefined);
      assert.equal(output.originalEvent.detailType, "EC2 Instance State-change Notification");
      assert.equal(output.originalEvent["detail-type"], undefined);
      assert.equal(output.originalEvent.source, "aws.ec2");
    });

    it("need no inputPaths", () => {
      assert.doesNotThrow(() => compileInputTransformer({ inputTemplate: '{"event": <aws.events.event.json>}' }));
    });
  });

  describe("how values are inserted", () => {
    const event = {
      ...ec2Event,
      detail: { payload: { acc_id: "0a787ecb-4015", sf_id: "baz" }, listmulti: ["ACTIVE", "INACTIVE"], valid: true, count: 3, nothing: null },
    };
    const paths = { payload: "$.detail.payload", list: "$.detail.listmulti", valid: "$.detail.valid", count: "$.detail.count", nothing: "$.detail.nothing", missing: "$.detail.absent" };

    it("objects, arrays, numbers, booleans and null become JSON in value position", () => {
      assert.deepEqual(JSON.parse(render('{"p": <payload>, "l": <list>, "v": <valid>, "c": <count>, "n": <nothing>}', event, paths)), {
        p: { acc_id: "0a787ecb-4015", sf_id: "baz" },
        l: ["ACTIVE", "INACTIVE"],
        v: true,
        c: 3,
        n: null,
      });
    });

    it("inside a string, numbers and booleans become their text", () => {
      assert.equal(render('"Command is <valid>, <count> times"', event, paths), '"Command is true, 3 times"');
    });

    it("in a string template, objects and arrays become their JSON without quotes", () => {
      assert.equal(render('"Payload of <payload> in <list>"', event, paths), '"Payload of {acc_id:0a787ecb-4015,sf_id:baz} in [ACTIVE,INACTIVE]"');
    });

    it("an object or array inside a string of a JSON template is not valid JSON, so it is not delivered", () => {
      assert.throws(() => render('{"payload": "<payload>"}', event, paths), InputTransformationError);
      assert.throws(() => render('{"items": "users/<list>"}', event, paths), /not valid JSON/);
    });

    it("values are not escaped: a string holding quotes breaks a JSON string around it", () => {
      const quoted = { ...ec2Event, detail: { note: 'say "hi"' } };
      assert.deepEqual(JSON.parse(render('{"note": <note>}', quoted, { note: "$.detail.note" })), { note: 'say "hi"' });
      assert.throws(() => render('{"note": "<note>"}', quoted, { note: "$.detail.note" }), InputTransformationError);
    });

    it("a path that selects nothing inserts an empty string", () => {
      assert.deepEqual(JSON.parse(render('{"detailType": <state>, "command": <missing>}', event, { ...paths, state: "$.detail-type" })), {
        detailType: "EC2 Instance State-change Notification",
        command: "",
      });
      assert.equal(render('"info extracted from detail <missing>"', event, paths), '"info extracted from detail "');
    });

    it("a wildcard path inserts the list of what it reaches", () => {
      const order = { ...ec2Event, detail: { items: [{ sku: "A" }, { sku: "B" }] } };
      assert.deepEqual(JSON.parse(render('{"skus": <skus>}', order, { skus: "$.detail.items[*].sku" })), { skus: ["A", "B"] });
    });

    it("takes the event as JSON text too", () => {
      assert.equal(render('"<state>"', JSON.stringify(ec2Event)), '"RUNNING"');
    });
  });

  describe("transformers PutTargets refuses", () => {
    function refuses(transformer: { inputPaths?: Record<string, string>; inputTemplate: string }, reason: RegExp): void {
      assert.throws(() => compileInputTransformer(transformer), (e: unknown) => e instanceof InputTransformerError && reason.test(e.message));
    }

    it("a placeholder that is neither an inputPaths key nor predefined", () => {
      refuses({ inputPaths: { a: "$.detail.a" }, inputTemplate: '"Event with not defined key <notdefinedkey>"' }, /invalid placeholder <notdefinedkey>/);
      refuses({ inputTemplate: '"<aws.events.rule>"' }, /invalid placeholder <aws\.events\.rule>/);
    });

    it("a placeholder used as an object key", () => {
      refuses({ inputPaths: { k: "$.detail.k" }, inputTemplate: '{<k>: "value"}' }, /as an object key/);
    });

    it("bad keys, bad paths, too many paths, an empty or too long template, a JSON template that is not JSON", () => {
      refuses({ inputPaths: { "aws.events.rule-name": "$.x" }, inputTemplate: '"x"' }, /key "aws\.events\.rule-name" must be/);
      refuses({ inputPaths: { a: "detail.a" }, inputTemplate: '"<a>"' }, /inputPaths\.a: .* must start with "\$"/);
      refuses({ inputPaths: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, "$.x"])), inputTemplate: '"x"' }, /101 entries/);
      refuses({ inputTemplate: "" }, /1 to 8192 characters/);
      refuses({ inputTemplate: "x".repeat(8193) }, /1 to 8192 characters/);
      refuses({ inputPaths: { a: "$.a" }, inputTemplate: '{"a": <a>,}' }, /not valid JSON/);
    });
  });

  it("renders the orders stack's cancellation input from an OrderCancelled event", () => {
    const transformer = compileInputTransformer({
      inputPaths: { orderId: "$.detail.orderId", reason: "$.detail.reason" },
      inputTemplate: '{"orderId": <orderId>, "error": {"Error": <reason>}}',
    });
    const cancelled = { ...ec2Event, source: "orderflow.orders", "detail-type": "OrderCancelled", detail: { orderId: "o-1", reason: "OutOfStock" } };
    assert.deepEqual(JSON.parse(transformer.transform(cancelled, context)), { orderId: "o-1", error: { Error: "OutOfStock" } });
  });
});
