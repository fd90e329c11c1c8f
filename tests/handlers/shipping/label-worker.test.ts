import { Logger } from "@aws-lambda-powertools/logger";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { strict as assert } from "node:assert";
import * as AWSXRay from "aws-xray-sdk-core";
// The SDK's exports object itself: a namespace import's properties are read-only getters over it (in strict mode, which
// the compiled tests run in, assigning to one throws), so a stub goes here and every importer sees it.
import xraySdkExports from "aws-xray-sdk-core";
import { createHash } from "node:crypto";
import * as dgram from "node:dgram";
import { EventEmitter } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { LabelJob } from "../../../handlers/shared/label-job";
// The SDK's context-missing strategy object, which its public setter cannot reach once the environment has locked it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const contextUtils = require("aws-xray-sdk-core/dist/lib/context_utils") as { contextMissingStrategy: { contextMissing: (message: string) => void } };
import { main } from "../../../handlers/shipping/label-worker/src/main";
import { createLabelWorker, type LabelWorker } from "../../../handlers/shipping/label-worker/src/worker";
import { useDynamoDBLocal } from "../../helpers/dynamodb-local";
import { useEnvironment } from "../../helpers/handlers";

const QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/labels";
const ENVIRONMENT: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "fake",
  AWS_SECRET_ACCESS_KEY: "fake",
  POWERTOOLS_LOG_LEVEL: "SILENT",
};

/** A promise with its resolve at hand, to hold a fake SQS call open until the test lets it go. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until `condition` holds, checking every few milliseconds; gives up after about ten seconds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`gave up waiting until ${what}`);
}

let counter = 0;
function uuid(): string {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
}

function jobFor(orderId: string, shipmentId = `shp-${orderId.slice(-8)}`): LabelJob {
  return { orderId, shipmentId, carrier: "orderflow-post", trackingNumber: `TRK${orderId.slice(-6)}`, correlationId: "req-1" };
}

function message(body: unknown): Message {
  counter += 1;
  return { MessageId: `m-${counter}`, ReceiptHandle: `rh-${counter}`, Body: typeof body === "string" ? body : JSON.stringify(body) };
}

/**
 * SQS as the consumer sees it: each receive hands out what was sent since the last one (and, empty, waits for more
 * like a long poll would); deletes and visibility changes are recorded.
 */
function fakeQueue(client: SQSClient) {
  const sqs = mockClient(client);
  const state = { waiting: [] as Message[], receives: 0, deleted: [] as string[], released: [] as string[] };
  let arrived = deferred();
  sqs.on(ReceiveMessageCommand).callsFake(async () => {
    state.receives += 1;
    if (state.waiting.length === 0) await Promise.race([arrived.promise, new Promise((r) => setImmediate(r))]);
    return { Messages: state.waiting.splice(0, 10) };
  });
  sqs.on(DeleteMessageCommand).callsFake(async (input: { ReceiptHandle: string }) => {
    state.deleted.push(input.ReceiptHandle);
    return {};
  });
  sqs.on(ChangeMessageVisibilityCommand).callsFake(async (input: { ReceiptHandle: string; VisibilityTimeout: number }) => {
    if (input.VisibilityTimeout === 0) state.released.push(input.ReceiptHandle);
    return {};
  });
  return {
    sqs,
    state,
    send(...messages: Message[]) {
      state.waiting.push(...messages);
      arrived.resolve();
      arrived = deferred();
    },
  };
}

describe("handlers/shipping/label-worker against DynamoDB Local and a fake SQS", () => {
  useEnvironment(ENVIRONMENT);
  const dynamo = useDynamoDBLocal({ shipments: "orderId" });

  async function shipment(orderId: string): Promise<Record<string, unknown> | undefined> {
    return (await dynamo.current.db.send(new GetCommand({ TableName: "shipments", Key: { orderId }, ConsistentRead: true }))).Item;
  }
  async function storeShipment(job: LabelJob): Promise<void> {
    await dynamo.current.db.send(
      new PutCommand({
        TableName: "shipments",
        Item: { orderId: job.orderId, shipmentId: job.shipmentId, carrier: job.carrier, trackingNumber: job.trackingNumber, createdAt: "2026-11-26T12:00:00.000Z" },
      }),
    );
  }

  let client: SQSClient;
  let queue: ReturnType<typeof fakeQueue>;
  let worker: LabelWorker | undefined;
  beforeEach(() => {
    client = new SQSClient({});
    queue = fakeQueue(client);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    queue.sqs.restore();
  });
  function startWorker(): LabelWorker {
    worker = createLabelWorker({
      queueUrl: QUEUE_URL,
      tableName: "shipments",
      sqs: client,
      db: dynamo.current.db,
      logger: new Logger({ logLevel: "SILENT" }),
    });
    worker.start();
    return worker;
  }

  it("stores the shipment's label, then deletes the message", async () => {
    const job = jobFor(uuid());
    await storeShipment(job);
    const sent = message(job);
    startWorker();
    queue.send(sent);
    await until(() => queue.state.deleted.length === 1, "the message is deleted");
    assert.deepEqual(queue.state.deleted, [sent.ReceiptHandle]);
    const label = (await shipment(job.orderId))?.label as Record<string, unknown>;
    assert.equal(label.carrier, job.carrier);
    assert.equal(label.trackingNumber, job.trackingNumber);
    assert.match(String(label.labelId), /^lbl-[0-9a-f]{16}$/);
    // The long poll asks for the producer's trace header, which the worker's segment continues.
    const receive = queue.sqs.commandCalls(ReceiveMessageCommand)[0].args[0].input;
    assert.deepEqual(receive.MessageSystemAttributeNames, ["AWSTraceHeader", "ApproximateReceiveCount"]);
    assert.equal(receive.WaitTimeSeconds, 20);
  });

  it("leaves a failed message on the queue (redrive takes it to the DLQ): no shipment, another shipment, or a malformed body", async () => {
    const other = jobFor(uuid());
    await storeShipment(other);
    const failing = [
      message(jobFor(uuid())), // no shipment for the order
      message({ ...other, shipmentId: "shp-someone-else" }), // the order ships under another id
      message("{ not json"),
      message({ orderId: "not-a-uuid", shipmentId: "s" }),
    ];
    const w = startWorker();
    queue.send(...failing);
    await until(() => queue.state.receives >= 2, "the batch has been handled and the next receive started");
    await w.stop();
    assert.deepEqual(queue.state.deleted, []);
    assert.deepEqual(queue.state.released, []);
    assert.equal((await shipment(other.orderId))?.label, undefined);
    assert.equal(await shipment(JSON.parse(String(failing[0].Body)).orderId as string), undefined, "no label-only item is created");
  });

  it("makes one label per shipment however often the job arrives, and deletes every copy", async () => {
    const job = jobFor(uuid());
    await storeShipment(job);
    const first = [message(job), message(job)];
    startWorker();
    queue.send(...first);
    await until(() => queue.state.deleted.length === 2, "both copies are deleted");
    const labelled = (await shipment(job.orderId))?.label;
    const again = message(job);
    queue.send(again);
    await until(() => queue.state.deleted.length === 3, "the late copy is deleted");
    assert.deepEqual(queue.state.deleted.sort(), [...first, again].map((m) => String(m.ReceiptHandle)).sort());
    assert.deepEqual((await shipment(job.orderId))?.label, labelled, "the first label stays as printed");
  });

  describe("on SIGTERM", () => {
    let restoreSqs: (() => void) | undefined;
    afterEach(() => restoreSqs?.());

    function host() {
      const signals = new EventEmitter();
      const exited = deferred<number>();
      return { signals, exited, process: { once: (signal: "SIGTERM" | "SIGINT", listener: () => void) => signals.once(signal, listener), exit: (code: number) => exited.resolve(code) } };
    }

    it("finishes the message in flight (stored and deleted), receives nothing more, then exits 0", async () => {
      const job = jobFor(uuid());
      await storeShipment(job);
      // main() builds its own clients: every SQSClient answers from this fake; DynamoDB is DynamoDB Local.
      const sqs = mockClient(SQSClient);
      restoreSqs = () => sqs.restore();
      const sent = message(job);
      let receives = 0;
      sqs.on(ReceiveMessageCommand).callsFake(async () => {
        receives += 1;
        return receives === 1 ? { Messages: [sent] } : { Messages: [] };
      });
      const deleting = deferred();
      const releaseDelete = deferred();
      sqs.on(DeleteMessageCommand).callsFake(async () => {
        deleting.resolve();
        await releaseDelete.promise;
        return {};
      });
      const { signals, exited, process } = host();
      main({ ...ENVIRONMENT, QUEUE_URL: QUEUE_URL, TABLE_NAME: "shipments", AWS_ENDPOINT_URL_DYNAMODB: dynamo.current.endpoint }, process);

      await deleting.promise; // the label is stored; the message is in flight until its delete returns
      signals.emit("SIGTERM");
      const receivesAtSignal = receives;
      let exitCode: number | undefined;
      void exited.promise.then((code) => (exitCode = code));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(exitCode, undefined, "does not exit with a message in flight");

      releaseDelete.resolve();
      assert.equal(await exited.promise, 0);
      assert.equal(receives, receivesAtSignal, "no receive after SIGTERM");
      assert.equal(sqs.commandCalls(DeleteMessageCommand).length, 1);
      assert.ok((await shipment(job.orderId))?.label);
    });

    it("gives back, unhandled, what a receive already waiting at SIGTERM still delivers", async () => {
      const job = jobFor(uuid());
      await storeShipment(job);
      const sqs = mockClient(SQSClient);
      restoreSqs = () => sqs.restore();
      const polling = deferred();
      const deliver = deferred<Message[]>();
      sqs.on(ReceiveMessageCommand).callsFake(async () => {
        polling.resolve();
        return { Messages: await deliver.promise };
      });
      const { signals, exited, process } = host();
      main({ ...ENVIRONMENT, QUEUE_URL: QUEUE_URL, TABLE_NAME: "shipments", AWS_ENDPOINT_URL_DYNAMODB: dynamo.current.endpoint }, process);

      await polling.promise;
      signals.emit("SIGTERM");
      const late = message(job);
      deliver.resolve([late]);
      assert.equal(await exited.promise, 0);
      const released = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
      assert.deepEqual(released, [{ QueueUrl: QUEUE_URL, ReceiptHandle: late.ReceiptHandle, VisibilityTimeout: 0 }]);
      assert.equal(sqs.commandCalls(DeleteMessageCommand).length, 0);
      assert.equal(sqs.commandCalls(ReceiveMessageCommand).length, 1);
      assert.equal((await shipment(job.orderId))?.label, undefined);
    });
  });
});

/**
 * The SQS JSON protocol as far as the worker speaks it (ReceiveMessage, DeleteMessage, ChangeMessageVisibility), on a
 * loopback port, so SDK calls run through their whole middleware stack, X-Ray's capture included. The client sends to
 * the host of the queue URL, so the queue URL points here.
 */
async function localSqs(messages: Message[]): Promise<{ queueUrl: string; deleted: string[]; close(): Promise<void> }> {
  const deleted: string[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const target = String(request.headers["x-amz-target"] ?? "");
      const input = JSON.parse(body || "{}") as { ReceiptHandle?: string };
      const reply = (payload: unknown) => {
        response.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        response.end(JSON.stringify(payload));
      };
      if (target.endsWith(".ReceiveMessage")) {
        // The SDK checks each body against its MD5, as SQS sends it.
        const batch = messages.splice(0, 10).map((m) => ({ ...m, MD5OfBody: createHash("md5").update(m.Body ?? "").digest("hex") }));
        // An empty receive waits a little, like a long poll, instead of spinning.
        setTimeout(() => reply({ Messages: batch }), batch.length > 0 ? 0 : 50);
      } else if (target.endsWith(".DeleteMessage")) {
        deleted.push(String(input.ReceiptHandle));
        reply({});
      } else reply({});
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    queueUrl: `http://127.0.0.1:${port}/123456789012/labels`,
    deleted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("handlers/shipping/label-worker traced through its X-Ray daemon sidecar", function () {
  this.timeout(20_000);
  useEnvironment(ENVIRONMENT);
  const dynamo = useDynamoDBLocal({ shipments: "orderId" });
  let daemon: dgram.Socket;
  let segments: Record<string, unknown>[];
  let xrayErrors: string[];
  let worker: LabelWorker | undefined;
  let sqs: Awaited<ReturnType<typeof localSqs>> | undefined;
  let contextMissing: (message: string) => void;
  let setStrategy: typeof AWSXRay.setContextMissingStrategy;

  beforeEach(async () => {
    segments = [];
    xrayErrors = [];
    daemon = dgram.createSocket("udp4");
    // Each datagram: a header line, then one segment document (the daemon protocol).
    daemon.on("message", (datagram) => segments.push(JSON.parse(datagram.toString().split("\n")[1])));
    await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
    const report = (...args: unknown[]) => xrayErrors.push(args.map(String).join(" "));
    AWSXRay.setLogger({ error: report, warn: () => {}, info: () => {}, debug: () => {} });
    // Every captured call without a segment goes through the context-missing strategy, whichever is in force (the
    // SDK locks it for the process when AWS_XRAY_CONTEXT_MISSING was set as it loaded, as the handler tests set it):
    // record those calls, and keep the worker's own setting from replacing the recorder.
    contextMissing = contextUtils.contextMissingStrategy.contextMissing;
    contextUtils.contextMissingStrategy.contextMissing = report;
    setStrategy = AWSXRay.setContextMissingStrategy;
    (xraySdkExports as { setContextMissingStrategy: unknown }).setContextMissingStrategy = () => undefined;
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await sqs?.close();
    daemon.close();
    AWSXRay.setLogger(console);
    contextUtils.contextMissingStrategy.contextMissing = contextMissing;
    (xraySdkExports as { setContextMissingStrategy: unknown }).setContextMissingStrategy = setStrategy;
  });

  it("traces each job in a segment of its own, continuing the producer's trace, and leaves the poller's calls out", async () => {
    const job = jobFor(uuid());
    await dynamo.current.db.send(
      new PutCommand({ TableName: "shipments", Item: { orderId: job.orderId, shipmentId: job.shipmentId, carrier: job.carrier, trackingNumber: job.trackingNumber, createdAt: "2026-11-26T12:00:00.000Z" } }),
    );
    const root = "1-6750a1b2-0123456789abcdef01234567";
    const sent: Message = { ...message(job), Attributes: { AWSTraceHeader: `Root=${root};Parent=53995c3f42cd8ad8;Sampled=1` } };
    sqs = await localSqs([sent]);
    const host = { once: () => undefined, exit: () => undefined };
    worker = main(
      { ...ENVIRONMENT, QUEUE_URL: sqs.queueUrl, TABLE_NAME: "shipments", AWS_ENDPOINT_URL_DYNAMODB: dynamo.current.endpoint, AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}` },
      host,
    );
    await until(() => sqs!.deleted.length === 1 && segments.length > 0, "the job is done, deleted and its segment sent");
    // Let the poller go round a few more times: its receives must not be traced, or complain that nothing is.
    await new Promise((resolve) => setTimeout(resolve, 300));

    assert.deepEqual(xrayErrors, [], "a captured call ran outside any segment");
    assert.equal(segments.length, 1, JSON.stringify(segments));
    const [segment] = segments as { name: string; trace_id: string; parent_id: string; annotations: Record<string, string>; subsegments?: { name: string }[] }[];
    assert.equal(segment.name, "label-worker");
    assert.equal(segment.trace_id, root);
    assert.equal(segment.parent_id, "53995c3f42cd8ad8");
    assert.deepEqual(segment.annotations, { shipmentId: job.shipmentId, orderId: job.orderId });
    assert.deepEqual((segment.subsegments ?? []).map((sub) => sub.name), ["DynamoDB"], "the job's own calls, and no SQS call");
  });
});
