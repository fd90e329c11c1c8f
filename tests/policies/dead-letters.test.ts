import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const QUEUE = "aws:sqs/queue:Queue";
const REDRIVE = "aws:sqs/redrivePolicy:RedrivePolicy";
const FN = "aws:lambda/function:Function";
const EIC = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig";
const ESM = "aws:lambda/eventSourceMapping:EventSourceMapping";
const PERMISSION = "aws:lambda/permission:Permission";
const SUB = "aws:sns/topicSubscription:TopicSubscription";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const PIPE = "aws:pipes/pipe:Pipe";

const arn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;
// A queue after `pulumi up`: its ARN known in its outputs.
const queue = (name: string, inputs: Record<string, unknown> = {}) =>
  resource(QUEUE, name, inputs, { outputs: { ...inputs, arn: arn(name), url: `https://sqs.us-east-1.amazonaws.com/123456789012/${name}` } });
const dlq = queue("ordersDlq", { tags: { "orderflow:role": "dead-letter-queue" } });
const fn = (name: string, inputs: Record<string, unknown> = {}) =>
  resource(FN, name, inputs, { outputs: { ...inputs, arn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`, name } });

describe("policies/dead-letters", () => {
  describePolicy("sqs-has-dlq", [
    {
      title: "passes a queue with a redrive policy and its DLQ, linked by ARN once deployed",
      resources: [queue("orders", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("ordersDlq"), maxReceiveCount: 5 }) }), dlq],
      expected: {},
    },
    {
      title: "passes at preview, when the redrive policy is unknown and the DLQ is known only through property dependencies",
      resources: [resource(QUEUE, "orders", { redrivePolicy: UNKNOWN }, { propertyDependencies: { redrivePolicy: [dlq] } }), resource(QUEUE, "ordersDlq", {})],
      expected: {},
    },
    {
      title: "passes queues that are the DLQ of a function, a subscription, a rule target, an event source mapping or a pipe",
      resources: (() => {
        const [a, b, c, d, e] = ["fnDlq", "subDlq", "ruleDlq", "esmDlq", "pipeDlq"].map((n) => resource(QUEUE, n, {}));
        return [
          a, b, c, d, e,
          resource(FN, "fn", { deadLetterConfig: { targetArn: UNKNOWN } }, { propertyDependencies: { deadLetterConfig: [a] } }),
          resource(SUB, "sub", { redrivePolicy: UNKNOWN }, { propertyDependencies: { redrivePolicy: [b] } }),
          resource(TARGET, "target", { deadLetterConfig: { arn: UNKNOWN } }, { propertyDependencies: { deadLetterConfig: [c] } }),
          resource(ESM, "esm", { destinationConfig: { onFailure: { destinationArn: UNKNOWN } } }, { propertyDependencies: { destinationConfig: [d] } }),
          resource(PIPE, "pipe", { sourceParameters: { dynamodbStreamParameters: { deadLetterConfig: { arn: UNKNOWN } } } }, { propertyDependencies: { sourceParameters: [e] } }),
        ];
      })(),
      expected: {},
    },
    {
      title: "passes a queue whose redrive is a separate RedrivePolicy resource",
      resources: (() => {
        const q = queue("orders");
        return [q, dlq, resource(REDRIVE, "ordersRedrive", { queueUrl: UNKNOWN, redrivePolicy: UNKNOWN }, { propertyDependencies: { queueUrl: [q], redrivePolicy: [dlq] } })];
      })(),
      expected: {},
    },
    {
      title: "flags a queue without a redrive policy that is no one's DLQ, naming the Queue option",
      resources: [queue("orders")],
      expected: { mandatory: [["orders (aws:sqs/queue:Queue): it has no redrive policy and is no one's dead-letter queue", "pass `deadLetter`"]] },
    },
    {
      title: "flags a queue tagged as a DLQ that nothing sends failures to",
      resources: [dlq],
      expected: { mandatory: ["ordersDlq (aws:sqs/queue:Queue): it is tagged as a dead-letter queue, but nothing in this stack sends failures to it"] },
    },
    {
      title: "flags a redrive policy that is malformed JSON, instead of crashing",
      resources: [queue("orders", { redrivePolicy: "{not json" })],
      expected: { mandatory: ["orders (aws:sqs/queue:Queue): its redrive policy is not valid JSON"] },
    },
    {
      title: "reports a queue that opted out with a reason tag as a visible exemption",
      resources: [queue("audit", { tags: { "orderflow:dead-letter-opt-out": "replayed from the event archive" } })],
      expected: { advisory: ['audit (aws:sqs/queue:Queue): opted out (reason: "replayed from the event archive")'] },
    },
    {
      title: "honours an exemption from config",
      resources: [queue("orders")],
      config: exemption("sqs-has-dlq", "orders"),
      expected: { advisory: ["orders (aws:sqs/queue:Queue): exempted from sqs-has-dlq"] },
    },
  ]);

  describePolicy("sns-subscription-redrive", [
    { title: "passes a redrive policy (JSON string or object)", resources: [resource(SUB, "a", { redrivePolicy: JSON.stringify({ deadLetterTargetArn: arn("d") }) }), resource(SUB, "b", { redrivePolicy: { deadLetterTargetArn: arn("d") } })], expected: {} },
    { title: "takes an unknown redrive policy as set (presence first)", resources: [resource(SUB, "a", { redrivePolicy: UNKNOWN })], expected: {} },
    { title: "flags a missing redrive policy, naming Topic's subscribe methods", resources: [resource(SUB, "a", {})], expected: { mandatory: [["a (aws:sns/topicSubscription:TopicSubscription): it has no redrive policy", "`subscribeQueue`"]] } },
    { title: "flags malformed JSON and a policy without a target", resources: [resource(SUB, "a", { redrivePolicy: "{" }), resource(SUB, "b", { redrivePolicy: "{}" })], expected: { mandatory: ["a (aws:sns/topicSubscription:TopicSubscription): its redrive policy is not valid JSON", "b (aws:sns/topicSubscription:TopicSubscription): its redrive policy names no `deadLetterTargetArn`"] } },
    { title: "honours an exemption", resources: [resource(SUB, "a", {})], config: exemption("sns-subscription-redrive", "a"), expected: { advisory: ["exempted"] } },
  ]);

  describePolicy("eventbridge-target-dlq", [
    { title: "passes a target with a DLQ and a retry policy (DLQ ARN unknown at preview)", resources: [resource(TARGET, "t", { deadLetterConfig: { arn: UNKNOWN }, retryPolicy: { maximumEventAgeInSeconds: 86400, maximumRetryAttempts: 185 } })], expected: {} },
    { title: "reports a missing DLQ and a missing retry policy as two findings", resources: [resource(TARGET, "t", {})], expected: { mandatory: [["t (aws:cloudwatch/eventTarget:EventTarget): it has no dead-letter queue", "EventBus's `rule` targets"], "t (aws:cloudwatch/eventTarget:EventTarget): it has no retry policy"] } },
    { title: "flags only what is missing", resources: [resource(TARGET, "t", { deadLetterConfig: { arn: arn("d") } })], expected: { mandatory: ["it has no retry policy"] } },
    { title: "takes a wholly unknown deadLetterConfig as set", resources: [resource(TARGET, "t", { deadLetterConfig: UNKNOWN, retryPolicy: UNKNOWN })], expected: {} },
    { title: "honours an exemption", resources: [resource(TARGET, "t", {})], config: exemption("eventbridge-target-dlq", "t"), expected: { advisory: ["exempted", "exempted"] } },
  ]);

  describePolicy("lambda-async-failure-handling", [
    (() => {
      const f = fn("notify");
      return {
        title: "passes an async-invoked function with an on-failure destination",
        resources: [f, resource(PERMISSION, "perm", { function: UNKNOWN, principal: "sns.amazonaws.com", sourceArn: UNKNOWN }, { propertyDependencies: { function: [f] } }),
          resource(EIC, "eic", { functionName: UNKNOWN, destinationConfig: { onFailure: { destination: UNKNOWN } } }, { propertyDependencies: { functionName: [f] } })],
        expected: {},
      };
    })(),
    { title: "passes a function only invoked synchronously", resources: [fn("api"), resource(PERMISSION, "perm", { function: "api", principal: "apigateway.amazonaws.com", sourceArn: "arn:x" })], expected: {} },
    { title: "passes a function with a dead-letter queue, targeted by a rule", resources: [fn("f", { deadLetterConfig: { targetArn: arn("d") } }), resource(TARGET, "t", { arn: "arn:aws:lambda:us-east-1:123456789012:function:f" })], expected: {} },
    {
      title: "flags a function invoked by an SNS subscription and a rule target with no failure handling, naming the invokers",
      resources: [fn("notify"), resource(SUB, "sub", { protocol: "lambda", endpoint: "arn:aws:lambda:us-east-1:123456789012:function:notify" }), resource(TARGET, "target", { arn: "arn:aws:lambda:us-east-1:123456789012:function:notify" })],
      expected: { mandatory: [["notify (aws:lambda/function:Function): it is invoked asynchronously (by sub, target)", "Function component"]] },
    },
    {
      title: "flags an invoke config without an on-failure destination",
      resources: (() => {
        const f = fn("f");
        return [f, resource(PERMISSION, "p", { function: "f", principal: "events.amazonaws.com", sourceArn: "arn:r" }), resource(EIC, "eic", { functionName: "f", maximumRetryAttempts: 2 }, { propertyDependencies: { functionName: [f] } })];
      })(),
      expected: { mandatory: ["f (aws:lambda/function:Function): it is invoked asynchronously (by p)"] },
    },
    { title: "reports a permission with an unknown principal as advisory", resources: [fn("f"), resource(PERMISSION, "p", { function: "f", principal: UNKNOWN })], expected: { advisory: ["p (aws:lambda/permission:Permission): `principal` (whether it invokes asynchronously) cannot be checked"] } },
    { title: "honours an exemption", resources: [fn("f"), resource(TARGET, "t", { arn: "f" })], config: exemption("lambda-async-failure-handling", "f"), expected: { advisory: ["exempted"] } },
  ]);

  describePolicy("pipe-dlq", [
    { title: "passes a stream source with a DLQ", resources: [resource(PIPE, "p", { source: UNKNOWN, sourceParameters: { dynamodbStreamParameters: { startingPosition: "LATEST", deadLetterConfig: { arn: UNKNOWN } } } })], expected: {} },
    { title: "flags a DynamoDB stream source without a DLQ", resources: [resource(PIPE, "p", { source: "arn:aws:dynamodb:us-east-1:1:table/orders/stream/2026", sourceParameters: { dynamodbStreamParameters: { startingPosition: "LATEST" } } })], expected: { mandatory: [["p (aws:pipes/pipe:Pipe): it reads a stream without a dead-letter queue", "Pipe component"]] } },
    { title: "flags a Kinesis source recognised by its ARN alone", resources: [resource(PIPE, "p", { source: "arn:aws:kinesis:us-east-1:1:stream/s" })], expected: { mandatory: ["it reads a stream without a dead-letter queue"] } },
    { title: "passes a queue source whose queue has a redrive policy", resources: (() => { const q = queue("src", { redrivePolicy: UNKNOWN }); return [q, resource(PIPE, "p", { source: UNKNOWN, sourceParameters: { sqsQueueParameters: { batchSize: 10 } } }, { propertyDependencies: { source: [q] } })]; })(), expected: {} },
    { title: "flags a queue source whose queue has no redrive policy", resources: (() => { const q = queue("src"); return [q, resource(PIPE, "p", { source: arn("src") })]; })(), expected: { mandatory: [["p (aws:pipes/pipe:Pipe): its source queue src (aws:sqs/queue:Queue) has no redrive policy", "`deadLetter`"]] } },
    { title: "reports a source it cannot classify yet as advisory", resources: [resource(PIPE, "p", { source: UNKNOWN })], expected: { advisory: ["whether `source` is a stream or a queue cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [resource(PIPE, "p", { source: "arn:aws:kinesis:us-east-1:1:stream/s" })], config: exemption("pipe-dlq", "p"), expected: { advisory: ["exempted from pipe-dlq"] } },
  ]);

  describePolicy("esm-on-failure", [
    { title: "passes a stream mapping with an on-failure destination", resources: [resource(ESM, "m", { eventSourceArn: UNKNOWN, startingPosition: "LATEST", destinationConfig: { onFailure: { destinationArn: UNKNOWN } } })], expected: {} },
    { title: "does not apply to queue mappings", resources: [resource(ESM, "m", { eventSourceArn: arn("q") }), resource(ESM, "n", { eventSourceArn: UNKNOWN })], expected: {} },
    { title: "flags stream mappings without one (by starting position, and by ARN)", resources: [resource(ESM, "m", { eventSourceArn: UNKNOWN, startingPosition: "TRIM_HORIZON" }), resource(ESM, "k", { eventSourceArn: "arn:aws:kinesis:us-east-1:1:stream/s" })], expected: { mandatory: [["m (aws:lambda/eventSourceMapping:EventSourceMapping): it reads a stream without an on-failure destination", "destinationConfig"], "k (aws:lambda/eventSourceMapping:EventSourceMapping)"] } },
    { title: "honours an exemption", resources: [resource(ESM, "m", { startingPosition: "LATEST" })], config: exemption("esm-on-failure", "m"), expected: { advisory: ["exempted"] } },
  ]);

  describePolicy("sqs-visibility-vs-lambda-timeout", [
    (() => {
      const q = queue("orders", { visibilityTimeoutSeconds: 60 });
      const f = fn("consumer", { timeout: 10 });
      return { title: "passes a visibility timeout of 6 x the consumer's timeout", resources: [q, f, resource(ESM, "m", { eventSourceArn: UNKNOWN, functionName: UNKNOWN }, { propertyDependencies: { eventSourceArn: [q], functionName: [f] } })], expected: {} };
    })(),
    (() => {
      const q = queue("orders", { visibilityTimeoutSeconds: 59 });
      const f = fn("consumer", { timeout: 10 });
      return { title: "flags one second less, naming the needed value", resources: [q, f, resource(ESM, "m", { eventSourceArn: arn("orders"), functionName: "consumer" })], expected: { mandatory: [["orders (aws:sqs/queue:Queue): its visibility timeout (59 s) is less than 6 x the 10 s timeout of its consumer consumer (60 s)", "at least 60 seconds"]] } };
    })(),
    (() => {
      const q = queue("orders");
      const f = fn("consumer", { timeout: 6 });
      return { title: "uses SQS's default 30 s when the queue sets none", resources: [q, f, resource(ESM, "m", { eventSourceArn: arn("orders"), functionName: "consumer" })], expected: { mandatory: ["its visibility timeout (30 s) is less than 6 x the 6 s timeout"] } };
    })(),
    (() => {
      const q = queue("orders", { visibilityTimeoutSeconds: UNKNOWN });
      const f = fn("consumer", { timeout: 6 });
      return { title: "reports an unknown visibility timeout as advisory", resources: [q, f, resource(ESM, "m", { eventSourceArn: arn("orders"), functionName: "consumer" })], expected: { advisory: ["`visibilityTimeoutSeconds` cannot be checked"] } };
    })(),
    (() => {
      const q = queue("orders", { visibilityTimeoutSeconds: 30 });
      const f = fn("consumer", { timeout: 30 });
      return { title: "honours an exemption", resources: [q, f, resource(ESM, "m", { eventSourceArn: arn("orders"), functionName: "consumer" })], config: exemption("sqs-visibility-vs-lambda-timeout", "orders"), expected: { advisory: ["exempted"] } };
    })(),
  ]);

  // A mapping from the queue to the function, with the given scaling configuration (none when undefined).
  const mapping = (name: string, q: ReturnType<typeof queue>, f: ReturnType<typeof fn>, maximumConcurrency?: unknown) =>
    resource(
      ESM,
      name,
      { eventSourceArn: UNKNOWN, functionName: UNKNOWN, ...(maximumConcurrency === undefined ? {} : { scalingConfig: { maximumConcurrency } }) },
      { propertyDependencies: { eventSourceArn: [q], functionName: [f] } },
    );

  describePolicy("sqs-mapping-within-reserved-concurrency", [
    (() => {
      const q = queue("shipping");
      const f = fn("createShipment", { reservedConcurrentExecutions: 50 });
      return { title: "passes a mapping capped at its function's reservation", resources: [q, f, mapping("m", q, f, 50)], expected: {} };
    })(),
    (() => {
      const q = queue("shipping");
      const f = fn("createShipment", { reservedConcurrentExecutions: -1 });
      const other = fn("other");
      return { title: "passes an uncapped mapping of a function on the unreserved pool (-1 or none)", resources: [q, f, mapping("m", q, f), other, mapping("n", q, other)], expected: {} };
    })(),
    (() => {
      const q = queue("shipping");
      const f = fn("createShipment", { reservedConcurrentExecutions: 50 });
      return {
        title: "flags an uncapped mapping of a function with reserved concurrency, naming both and the fix",
        resources: [q, f, mapping("m", q, f)],
        expected: { mandatory: [["m (aws:lambda/eventSourceMapping:EventSourceMapping): it sets no maximum concurrency, while its function createShipment reserves 50", "maximumConcurrency: 50"]] },
      };
    })(),
    (() => {
      const [a, b] = [queue("email"), queue("digest")];
      const f = fn("sendEmail", { reservedConcurrentExecutions: 10 });
      return {
        title: "flags mappings that together exceed the reservation",
        resources: [a, b, f, mapping("m1", a, f, 6), mapping("m2", b, f, 6)],
        expected: { mandatory: ["its maximum concurrency (6, 12 with the function's other SQS mappings) exceeds the 10", "its maximum concurrency (6, 12 with the function's other SQS mappings) exceeds the 10"] },
      };
    })(),
    (() => {
      const q = queue("shipping");
      const f = fn("createShipment", { reservedConcurrentExecutions: UNKNOWN });
      return { title: "reports an unknown reservation as advisory", resources: [q, f, mapping("m", q, f, 5)], expected: { advisory: ["the reserved concurrency of its function createShipment cannot be checked"] } };
    })(),
    (() => {
      const f = fn("streamConsumer", { reservedConcurrentExecutions: 5 });
      const stream = resource(ESM, "fromStream", { eventSourceArn: "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026", functionName: "streamConsumer" });
      return { title: "leaves mappings of other sources alone (scalingConfig is SQS only)", resources: [f, stream], expected: {} };
    })(),
  ]);
});
