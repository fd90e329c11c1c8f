import { strict as assert } from "node:assert";
import { compilePipeInputTemplate, PipeInputTemplateError, renderPipeInputTemplate, type PipeContext } from "../../../../localcloud/services/pipes/input-template";
import { InputTransformationError } from "../../../../localcloud/matching/template-substitution";

// Pipes input templates, restating https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html
// (static and dynamic strings and JSON, reserved variables, implicit body data parsing).

const context: PipeContext = {
  pipeArn: "arn:aws:pipes:us-east-1:123456789012:pipe/example",
  pipeName: "example",
  sourceArn: "arn:aws:sqs:us-east-1:123456789012:orders",
  targetArn: "arn:aws:states:us-east-1:123456789012:stateMachine:checkout",
  ingestionTime: "2024-05-01T12:00:00Z",
};

const sqsRecord = {
  messageId: "m-1",
  body: '{"key": "value", "Records": [{"n": 0}, {"n": 1}], "order": {"id": "o-1"}}',
  attributes: { SenderId: "AIDAIENQZJOLO23YVJ4VO" },
  eventSource: "aws:sqs",
};

const ec2Event = {
  version: "0",
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  detail: { "instance-id": "i-0123456789", state: "RUNNING" },
};

describe("localcloud/services/pipes/input-template: Pipes input templates", () => {
  it("a static string or JSON is delivered as written", () => {
    assert.equal(renderPipeInputTemplate('"Hello, sender"', sqsRecord, context), '"Hello, sender"');
    assert.equal(renderPipeInputTemplate('{"key1": "value1", "key2": "value2"}', sqsRecord, context), '{"key1": "value1", "key2": "value2"}');
  });

  it("a JSON path alone, in a dynamic string, or in dynamic JSON", () => {
    assert.equal(renderPipeInputTemplate("<$.attributes.SenderId>", sqsRecord, context), "AIDAIENQZJOLO23YVJ4VO");
    assert.equal(renderPipeInputTemplate('"Hello, <$.attributes.SenderId>"', sqsRecord, context), '"Hello, AIDAIENQZJOLO23YVJ4VO"');
    assert.deepEqual(JSON.parse(renderPipeInputTemplate('{"key1": "value1", "key2": <$.body.key>, "d": <aws.pipes.event.ingestion-time>}', sqsRecord, context, "sqs")), {
      key1: "value1",
      key2: "value",
      d: "2024-05-01T12:00:00Z",
    });
  });

  it("reaches into an SQS body that holds JSON, array items by bracket", () => {
    const output = renderPipeInputTemplate('{"second": <$.body.Records[1]>, "order": <$.body.order>}', sqsRecord, context, "sqs");
    assert.deepEqual(JSON.parse(output), { second: { n: 1 }, order: { id: "o-1" } });
  });

  it("a template that is only <$.body> delivers a JSON body without its quotes", () => {
    assert.equal(
      renderPipeInputTemplate("<$.body>", sqsRecord, context, "sqs"),
      "{key:value,Records:[{n:0},{n:1}],order:{id:o-1}}",
    );
    assert.deepEqual(JSON.parse(renderPipeInputTemplate('{"data": <$.body>}', sqsRecord, context, "sqs")).data.key, "value", "wrapped in JSON it stays JSON");
  });

  it("reads the values the pipe's other targets need: the EC2 example of the page", () => {
    const template = '{"instance" : <$.detail.instance-id>, "state": <$.detail.state>, "pipeArn" : <aws.pipes.pipe-arn>, "pipeName" : <aws.pipes.pipe-name>, "originalEvent" : <aws.pipes.event.json>}';
    assert.deepEqual(JSON.parse(renderPipeInputTemplate(template, ec2Event, context)), {
      instance: "i-0123456789",
      state: "RUNNING",
      pipeArn: context.pipeArn,
      pipeName: "example",
      originalEvent: ec2Event,
    });
  });

  it("fills every reserved variable; the enrichment ARN is empty without an enrichment", () => {
    const template = '{"s": <aws.pipes.source-arn>, "t": <aws.pipes.target-arn>, "e": <aws.pipes.enrichment-arn>}';
    assert.deepEqual(JSON.parse(renderPipeInputTemplate(template, ec2Event, context)), { s: context.sourceArn, t: context.targetArn, e: "" });
    const enriched = { ...context, enrichmentArn: "arn:aws:lambda:us-east-1:123456789012:function:enrich" };
    assert.equal(JSON.parse(renderPipeInputTemplate(template, ec2Event, enriched)).e, enriched.enrichmentArn);
  });

  it("<aws.pipes.event> is the event as received; <aws.pipes.event.json> has the body decoded, and no value for a non-JSON payload", () => {
    const both = JSON.parse(renderPipeInputTemplate('{"raw": <aws.pipes.event>, "json": <aws.pipes.event.json>}', sqsRecord, context, "sqs"));
    assert.equal(both.raw.body, sqsRecord.body);
    assert.equal(both.json.body.key, "value");
    assert.deepEqual(JSON.parse(renderPipeInputTemplate('{"json": <aws.pipes.event.json>}', "plain text from an enrichment", context)), { json: "" });
  });

  it("renders a DynamoDB stream record's new image into the saga's input", () => {
    const record = { eventName: "INSERT", dynamodb: { NewImage: { orderId: { S: "o-1" }, total: { N: "42.5" } } } };
    const template = '{"orderId": <$.dynamodb.NewImage.orderId.S>, "total": <$.dynamodb.NewImage.total.N>}';
    assert.deepEqual(JSON.parse(renderPipeInputTemplate(template, record, context, "dynamodb")), { orderId: "o-1", total: "42.5" });
  });

  it("an object inside a string of a JSON template is not JSON, so it is not delivered", () => {
    assert.throws(() => renderPipeInputTemplate('{"order": "<$.body.order>"}', sqsRecord, context, "sqs"), InputTransformationError);
  });

  describe("templates Pipes refuses", () => {
    function refuses(template: string, reason: RegExp): void {
      assert.throws(() => compilePipeInputTemplate(template), (e: unknown) => e instanceof PipeInputTemplateError && reason.test(e.message));
    }

    it("unknown reserved variables, paths it does not evaluate, placeholders as keys, broken JSON, bad lengths", () => {
      refuses('{"a": <aws.pipes.pipe-id>}', /<aws\.pipes\.pipe-id> is not a reserved variable/);
      refuses('{"a": <$.body..x>}', /not a JSON path EventBridge evaluates/);
      refuses('{<$.body.key>: 1}', /as an object key/);
      refuses('{"a": <$.body.key>,}', /not valid JSON/);
      refuses("", /1 to 8192 characters/);
    });
  });
});
