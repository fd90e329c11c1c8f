import { strict as assert } from "node:assert";
import { Activity } from "../../../../localcloud/kernel/activity";
import { AwsError } from "../../../../localcloud/kernel/aws-error";
import { Clock } from "../../../../localcloud/kernel/clock";
import type { Delivery } from "../../../../localcloud/kernel/delivery";
import type { DynamoDBStreamReader, DynamoDBStreamRecord, StreamBatch } from "../../../../localcloud/services/dynamodb/streams";
import type { PipeSpec } from "../../../../localcloud/services/pipes/spec";
import type { LambdaService } from "../../../../localcloud/services/lambda/service";
import { LocalPipe } from "../../../../localcloud/services/pipes/pipe";

// A pipe between a stream and a state machine, on doubles: the batches it reads, the enrichment's answer, and the
// inputs the target was started with.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html

const ARN = "arn:aws:pipes:us-east-1:123456789012:pipe/orders";
const TARGET = "arn:aws:states:us-east-1:123456789012:stateMachine:saga";
const ENRICHMENT = "arn:aws:lambda:us-east-1:123456789012:function:orderPlacedFromStream";

function record(id: string): DynamoDBStreamRecord {
  return {
    eventID: id,
    eventName: "INSERT",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: Date.now() / 1000,
      Keys: { orderId: { S: id } },
      NewImage: { orderId: { S: id } },
      SequenceNumber: id.padStart(21, "0"),
      SizeBytes: 10,
      StreamViewType: "NEW_IMAGE",
    },
    eventSourceARN: "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/x",
  };
}

/** Runs the pipe over one batch of records; resolves to what the target received and the pipe's counters. */
async function run(options: {
  enrichment?: unknown;
  targetInputTemplate?: string;
  records?: string[];
  /** How the target refuses every batch; it accepts them when undefined. */
  refusal?: AwsError;
  source?: Partial<PipeSpec["source"]>;
}): Promise<{ inputs: string[]; pipe: LocalPipe; checkpointed: boolean; deadLetters: Record<string, unknown>[] }> {
  const records = (options.records ?? ["1"]).map(record);
  let checkpointed = false;
  const batch: StreamBatch = {
    shardId: "shard-1",
    records,
    firstSequenceNumber: records[0].dynamodb.SequenceNumber,
    lastSequenceNumber: records[records.length - 1].dynamodb.SequenceNumber,
    deliveries: 1,
    checkpoint: () => {
      checkpointed = true;
    },
  };
  // The pipe asks for the next batch once it is done with this one: that is when the run is over.
  let processed!: () => void;
  const done = new Promise<void>((resolve) => (processed = resolve));
  const reader = {
    async *[Symbol.asyncIterator]() {
      yield batch;
      processed();
    },
    stop: async () => undefined,
  } as unknown as DynamoDBStreamReader;
  const lambda = {
    invoke: async () => ({ requestId: "r", statusCode: 200, payload: options.enrichment, coldStart: false, durationMs: 1 }),
  } as unknown as LambdaService;
  const inputs: string[] = [];
  const spec: PipeSpec = {
    stack: "dev.orders",
    component: "orderPlacedPipe",
    urn: "urn:pipe",
    name: "orders",
    arn: ARN,
    roleArn: "arn:aws:iam::123456789012:role/pipe",
    sourceArn: records[0].eventSourceARN,
    source: { batchSize: 10, maximumBatchingWindowSeconds: 0, startingPosition: "LATEST", maximumRetryAttempts: 0, maximumRecordAgeSeconds: -1, bisectOnFailure: false, ...options.source },
    filters: [],
    ...(options.enrichment !== undefined ? { enrichmentArn: ENRICHMENT } : {}),
    targetArn: TARGET,
    ...(options.targetInputTemplate ? { targetInputTemplate: options.targetInputTemplate } : {}),
  };
  const deadLetters: Record<string, unknown>[] = [];
  const delivery: Delivery = {
    deliver: async (_arn, payload) => {
      deadLetters.push(JSON.parse(payload) as Record<string, unknown>);
      return undefined;
    },
  };
  const target = (_arn: string, input: string) => {
    inputs.push(input);
    if (options.refusal) throw options.refusal;
  };
  // Retries back off from 1 s: 1 ms at this scale.
  const pipe = new LocalPipe(spec, reader, lambda, target, delivery, new Clock(0.001), new Activity());
  pipe.start();
  await done;
  await pipe.stop();
  return { inputs, pipe, checkpointed, deadLetters };
}

describe("local cloud: a pipe (stream, enrichment, state machine)", () => {
  describe("an enrichment that returns an empty result filters the batch out: the target is not invoked", () => {
    for (const empty of [[], {}, ""]) {
      it(`for ${JSON.stringify(empty)}`, async () => {
        const { inputs, pipe, checkpointed } = await run({ enrichment: empty, records: ["1", "2"] });
        assert.deepEqual(inputs, []);
        assert.equal(pipe.filtered, 2);
        assert.equal(pipe.delivered, 0);
        assert.ok(checkpointed, "a filtered batch is done with: the pipe moves on");
      });
    }

    it("while [{}] invokes the target with an empty payload, as the page's note says", async () => {
      const { inputs } = await run({ enrichment: [{}] });
      assert.deepEqual(inputs, ["[{}]"]);
    });
  });

  describe("a target input template", () => {
    it("that renders text sends the text as it is, and the pipe goes on", async () => {
      const { inputs, pipe, checkpointed } = await run({ targetInputTemplate: "Order <$.dynamodb.NewImage.orderId.S> placed" });
      assert.deepEqual(inputs, ["Order 1 placed"]);
      assert.equal(pipe.delivered, 1);
      assert.ok(checkpointed);
    });

    it("that renders text for a batch sends the texts as a JSON array", async () => {
      const { inputs } = await run({ targetInputTemplate: "Order <$.dynamodb.NewImage.orderId.S>", records: ["1", "2"] });
      assert.deepEqual(JSON.parse(inputs[0]), ["Order 1", "Order 2"]);
    });

    it("that renders JSON sends the batch of JSON values", async () => {
      const { inputs } = await run({ targetInputTemplate: '{"orderId": <$.dynamodb.NewImage.orderId.S>}', records: ["1", "2"] });
      assert.deepEqual(JSON.parse(inputs[0]), [{ orderId: "1" }, { orderId: "2" }]);
    });
  });

  describe("a batch the target keeps refusing", () => {
    it("is tried once plus its retries, then recorded on the dead-letter queue (shard and sequence numbers), and the pipe moves on", async () => {
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html
      const { inputs, pipe, checkpointed, deadLetters } = await run({
        refusal: new AwsError("ExecutionLimitExceeded", "too many executions", 400),
        records: ["1", "2"],
        source: { maximumRetryAttempts: 2, deadLetterArn: "arn:aws:sqs:us-east-1:123456789012:pipe-dlq" },
      });
      assert.equal(inputs.length, 3, "the first attempt and two retries");
      assert.equal(pipe.deadLettered, 1);
      assert.ok(checkpointed, "the pipe moves on past the batch");
      assert.equal(deadLetters.length, 1);
      const record = deadLetters[0] as { requestContext: { condition: string; approximateInvokeCount: number }; DDBStreamBatchInfo: { startSequenceNumber: string; endSequenceNumber: string; batchSize: number } };
      assert.equal(record.requestContext.condition, "RetryAttemptsExhausted");
      assert.equal(record.requestContext.approximateInvokeCount, 3);
      assert.deepEqual([record.DDBStreamBatchInfo.startSequenceNumber, record.DDBStreamBatchInfo.endSequenceNumber, record.DDBStreamBatchInfo.batchSize], ["1".padStart(21, "0"), "2".padStart(21, "0"), 2]);
    });
  });
});
