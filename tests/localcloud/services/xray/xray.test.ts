import { strict as assert } from "node:assert";
import dgram from "node:dgram";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as AWSXRay from "aws-xray-sdk-core";
import { Activity } from "../../../../localcloud/kernel/activity";
import { Clock } from "../../../../localcloud/kernel/clock";
import { DeliveryRouter, type DeliveryOptions } from "../../../../localcloud/kernel/delivery";
import { EventBridgeService } from "../../../../localcloud/services/events/service";
import type { BusSpec, RuleSpec } from "../../../../localcloud/services/events/spec";
import type { TopicSpec } from "../../../../localcloud/services/sns/spec";
import type { QueueSpec } from "../../../../localcloud/services/sqs/spec";
import { SnsService } from "../../../../localcloud/services/sns/service";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { DaemonProtocolError, parseDaemonDatagram } from "../../../../localcloud/services/xray/daemon-protocol";
import { callsOf, journeyMermaid, journeyTimeline } from "../../../../localcloud/services/xray/journey";
import { XRayService, timelineFromFiles } from "../../../../localcloud/services/xray/service";
import { spansOf, type SegmentDocument } from "../../../../localcloud/services/xray/segment";
import { p50, serviceMapMermaid } from "../../../../localcloud/services/xray/service-map";
import { formatTraceHeader, newTraceId, parseTraceHeader } from "../../../../localcloud/services/xray/trace-header";
import { queueSpec as sharedQueueSpec } from "../../../helpers/local-specs";

const A = "123456789012";
const HEADER = '{"format": "json", "version": 1}';
const ROOT = "1-5f84c7a1-0123456789abcdef01234567";
const origin = (name: string) => ({ stack: "dev", component: name, urn: `urn:${name}` });
const queueSpec = (name: string): QueueSpec => sharedQueueSpec(name, origin(name));

describe("local cloud: X-Ray", () => {
  describe("the tracing header", () => {
    it("parses Root, Parent and Sampled, and drops a header whose Root is not a trace id", () => {
      assert.deepEqual(parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`), { root: ROOT, parent: "53995c3f42cd8ad8", sampled: "1" });
      assert.deepEqual(parseTraceHeader(`Root=${ROOT}`), { root: ROOT });
      assert.equal(parseTraceHeader("Root=1-abc;Sampled=1"), undefined);
      assert.equal(parseTraceHeader(undefined), undefined);
      assert.equal(formatTraceHeader({ root: ROOT, parent: "53995c3f42cd8ad8", sampled: "1" }), `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
    });

    it("makes trace ids of version 1 with the start time in epoch seconds", () => {
      const id = newTraceId(Date.UTC(2020, 9, 12) + 500);
      assert.match(id, /^1-5f839c80-[0-9a-f]{24}$/);
      assert.notEqual(newTraceId(), newTraceId());
    });
  });

  describe("the daemon protocol", () => {
    it("reads the header line and one segment document", () => {
      const doc = parseDaemonDatagram(`${HEADER}\n${JSON.stringify({ trace_id: ROOT, id: "53995c3f42cd8ad8", name: "fn", start_time: 1, end_time: 2 })}`);
      assert.equal(doc.name, "fn");
      assert.equal(doc.trace_id, ROOT);
    });

    it("refuses what is not the protocol, naming the problem", () => {
      assert.throws(() => parseDaemonDatagram('{"trace_id": "x"}'), (e: Error) => e instanceof DaemonProtocolError && /header/.test(e.message));
      assert.throws(() => parseDaemonDatagram(`{"format": "json", "version": 2}\n{}`), /unsupported header/);
      assert.throws(() => parseDaemonDatagram(`${HEADER}\nnot json`), /not JSON/);
      assert.throws(() => parseDaemonDatagram(`${HEADER}\n{"name": "fn", "start_time": 1}`), /"fn" has no id, trace_id/);
      assert.throws(() => parseDaemonDatagram(`${HEADER}\n${JSON.stringify({ trace_id: ROOT, id: "a", name: "sub", start_time: 1, type: "subsegment" })}`), /no parent_id/);
    });

    it("collects what the X-Ray SDK really sends, on a free port, and writes it by trace", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "xray-"));
      const xray = await XRayService.start(path.join(dir, "traces"));
      try {
        assert.match(xray.address, /^127\.0\.0\.1:\d+$/);
        assert.notEqual(xray.port, 2000);
        AWSXRay.setDaemonAddress(xray.address);
        const segment = new AWSXRay.Segment("label-worker", ROOT, "53995c3f42cd8ad8");
        segment.addAnnotation("orderId", "o-1");
        segment.addNewSubsegment("DynamoDB").close();
        segment.close();
        const bad = dgram.createSocket("udp4");
        await new Promise<void>((resolve) => bad.send("garbage", xray.port, "127.0.0.1", () => resolve()));
        bad.close();
        for (let i = 0; i < 100 && (xray.trace(ROOT).length === 0 || xray.rejected.length === 0); i++) await new Promise((r) => setTimeout(r, 10));
        const [doc] = xray.trace(ROOT);
        assert.equal(doc?.name, "label-worker");
        assert.equal(doc.parent_id, "53995c3f42cd8ad8");
        assert.equal(doc.subsegments?.[0]?.name, "DynamoDB");
        assert.match(xray.rejected[0] ?? "", /header/, "a datagram that is not the protocol is counted, not kept");
        assert.deepEqual([...xray.orders()], [["o-1", [ROOT]]]);
        xray.write();
        const file = JSON.parse(readFileSync(path.join(dir, "traces", `${ROOT}.json`), "utf8")) as { segments: SegmentDocument[] };
        assert.equal(file.segments[0].name, "label-worker");
        assert.match(readFileSync(path.join(dir, "traces", "o-1.mmd"), "utf8"), /^sequenceDiagram/);
        assert.match(readFileSync(path.join(dir, "service-map.mmd"), "utf8"), /^flowchart LR/);
      } finally {
        await xray.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
    it("still names its address once stopped, for the report of what Ctrl-C stopped", async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "xray-"));
      const xray = await XRayService.start(path.join(dir, "traces"));
      const address = xray.address;
      await xray.stop();
      assert.equal(xray.address, address);
      rmSync(dir, { recursive: true, force: true });
    });
  });

  describe("propagation", () => {
    const delivered: { arn: string; options: DeliveryOptions }[] = [];
    const receiver = (arn: string, _payload: string, options: DeliveryOptions) => void delivered.push({ arn, options });
    const router = new DeliveryRouter({ sqs: receiver, sns: receiver, lambda: receiver, states: receiver, events: receiver });
    const clock = new Clock(0.0001);
    const bus: BusSpec = { ...origin("orders"), name: "ordersBus", arn: `arn:aws:events:us-east-1:${A}:event-bus/ordersBus` };
    const rule: RuleSpec = {
      ...origin("toShipping"),
      name: "toShipping",
      arn: `arn:aws:events:us-east-1:${A}:rule/ordersBus/toShipping`,
      busName: "ordersBus",
      pattern: { source: ["orderflow.checkout"] },
      enabled: true,
      targets: [{ ...origin("t0"), id: "t0", arn: `arn:aws:sqs:us-east-1:${A}:shipping`, maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 }],
    };
    const topic: TopicSpec = { ...origin("notifications"), name: "notifications", arn: `arn:aws:sns:us-east-1:${A}:notifications`, fifo: false };
    let xray: XRayService;
    const dir = mkdtempSync(path.join(os.tmpdir(), "xray-"));

    before(async () => (xray = await XRayService.start(dir)));
    after(async () => {
      await xray.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    afterEach(() => (delivered.length = 0));

    it("EventBridge passes the PutEvents trace on to the target, under its own segment; it starts none", async () => {
      const events = new EventBridgeService([bus], [rule], { account: A, region: "us-east-1" }, router, clock, new Activity(), xray);
      events.put({ EventBusName: "ordersBus", Source: "orderflow.checkout", DetailType: "OrderConfirmed", Detail: "{}" }, `Root=${ROOT};Parent=1111111111111111;Sampled=1`);
      events.put({ EventBusName: "ordersBus", Source: "orderflow.checkout", DetailType: "OrderConfirmed", Detail: "{}" });
      await events.drain();
      const [traced, untraced] = delivered;
      const header = parseTraceHeader(traced.options.traceId);
      assert.equal(header?.root, ROOT, "the target continues the caller's trace");
      const segment = xray.trace(ROOT).find((d) => d.origin === "AWS::Events");
      assert.ok(segment, "EventBridge's segment is recorded");
      assert.equal(segment.parent_id, "1111111111111111", "under the caller's subsegment");
      assert.equal(segment.subsegments?.[0]?.id, header?.parent, "the target's Parent is the delivery's subsegment");
      assert.equal(untraced.options.traceId, undefined, "no header in, none out");
    });

    it("SNS passes the publisher's trace on to each subscription", async () => {
      const sns = new SnsService([topic], [{ ...origin("email"), arn: `${topic.arn}:email`, topicArn: topic.arn, protocol: "sqs", endpoint: `arn:aws:sqs:us-east-1:${A}:email`, rawMessageDelivery: true, filterPolicyScope: "MessageAttributes" }], router, clock, new Activity(), "http://127.0.0.1:1", xray);
      sns.publish(topic.arn, { message: "{}", traceId: `Root=${ROOT};Parent=2222222222222222;Sampled=1`, source: "test" });
      await sns.drain();
      assert.equal(parseTraceHeader(delivered[0].options.traceId)?.root, ROOT);
      assert.equal(xray.trace(ROOT).find((d) => d.origin === "AWS::SNS")?.parent_id, "2222222222222222");
    });

    it("SQS keeps the X-Amzn-Trace-Id of SendMessage as AWSTraceHeader; the system attribute wins over it", async () => {
      const sqs = new SqsService([queueSpec("work")], "http://127.0.0.1:1", new Clock(0.01));
      try {
        const QueueUrl = sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${A}/work`);
        const fromHttp = `Root=${ROOT};Parent=3333333333333333;Sampled=1`;
        const fromAttribute = `Root=${ROOT};Parent=4444444444444444;Sampled=1`;
        await sqs.call("SendMessage", { QueueUrl, MessageBody: "a" }, { principalId: "p", traceHeader: fromHttp });
        await sqs.call("SendMessage", { QueueUrl, MessageBody: "b", MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: fromAttribute } } }, { principalId: "p", traceHeader: fromHttp });
        const answer = (await sqs.call("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["AWSTraceHeader"] }, { principalId: "p" })) as { Messages: { Body: string; Attributes: { AWSTraceHeader?: string } }[] };
        const byBody = Object.fromEntries(answer.Messages.map((m) => [m.Body, m.Attributes.AWSTraceHeader]));
        assert.deepEqual(byBody, { a: fromHttp, b: fromAttribute });
      } finally {
        sqs.close();
      }
    });
  });

  describe("the journey and the service map, from recorded segments", () => {
    const T2 = "1-5f84c7a2-0123456789abcdef01234568";
    const docs: SegmentDocument[] = [
      { trace_id: ROOT, id: "a000000000000001", name: "ordersApi/live", origin: "AWS::ApiGateway::Stage", start_time: 10, end_time: 10.1, http: { request: { method: "POST", url: "/live/orders" }, response: { status: 201 } } },
      { trace_id: ROOT, id: "a000000000000002", parent_id: "a000000000000001", name: "placeOrder", origin: "AWS::Lambda", start_time: 10.01, end_time: 10.09 },
      { trace_id: ROOT, id: "a000000000000003", parent_id: "a000000000000002", name: "placeOrder", origin: "AWS::Lambda::Function", start_time: 10.01, end_time: 10.09 },
      // The function's SDK sends its subsegments on their own, under the function segment.
      { trace_id: ROOT, id: "a000000000000004", parent_id: "a000000000000003", type: "subsegment", name: "## index.handler", start_time: 10.02, end_time: 10.08, annotations: { orderId: "o-1" },
        subsegments: [
          { id: "a000000000000005", name: "DynamoDB", namespace: "aws", start_time: 10.03, end_time: 10.05, aws: { operation: "PutItem", table_name: "orders" } },
          { id: "a000000000000006", name: "SQS", namespace: "aws", start_time: 10.05, end_time: 10.06, aws: { operation: "SendMessage", queue_url: "http://127.0.0.1/1/labels" } },
        ] },
      { trace_id: ROOT, id: "a000000000000007", parent_id: "a000000000000006", name: "label-worker", start_time: 10.2, end_time: 10.5, fault: true, cause: { exceptions: [{ type: "Error", message: "printer jammed" }] } },
      // An SQS consumer's invocation starts its own trace, linked to the producer's.
      { trace_id: T2, id: "b000000000000001", name: "sendEmail", origin: "AWS::Lambda", start_time: 10.3, end_time: 10.4, links: [{ trace_id: ROOT, id: "a000000000000006" }], metadata: { local: { source: "SQS emailQueue" } } },
    ];

    it("draws each call once, from caller to callee, through the queue when a queue carried it", () => {
      const calls = callsOf(spansOf(docs));
      assert.deepEqual(
        calls.map((c) => `${c.from} ${c.newTrace ? "⇢" : "→"} ${c.to}: ${c.label}${c.error ? " ✗" : ""}`),
        [
          "client ⇢ ordersApi/live: POST /live/orders",
          "ordersApi/live → placeOrder: Invoke",
          "placeOrder → DynamoDB orders: PutItem",
          "placeOrder → SQS labels: SendMessage",
          "SQS labels → label-worker: message ✗",
          "SQS emailQueue ⇢ sendEmail: Invoke",
        ],
      );
      assert.equal(calls[2].durationMs, 20);
      assert.equal(calls[4].error, "Error: printer jammed");
    });

    it("writes a Mermaid sequence diagram and a timeline with durations and errors", () => {
      const calls = callsOf(spansOf(docs));
      const diagram = journeyMermaid("o-1", [ROOT, T2], calls);
      assert.match(diagram, /^sequenceDiagram\n/);
      assert.match(diagram, /participant P\d+ as SQS labels/);
      assert.match(diagram, /P\d+-xP\d+: message \(300 ms\) ✗ Error꞉ printer jammed/);
      assert.match(diagram, /P\d+-->>P\d+: Invoke \(100 ms\)/, "a new trace is drawn dashed");
      assert.match(diagram, new RegExp(`Note over .*: trace ${T2} \\(new trace\\)`));
      const timeline = journeyTimeline("o-1", [ROOT, T2], calls);
      assert.match(timeline, /^order o-1: 6 call\(s\) in 2 trace\(s\)/);
      assert.match(timeline, /\+200 ms {2}SQS labels → label-worker {2}message {2}300 ms {2}✗ Error: printer jammed/);
    });

    it("counts calls, errors and p50 latency per node and edge", () => {
      assert.equal(p50([30, 10, 20]), 20);
      assert.equal(p50([10, 20, 30, 40]), 25);
      const map = serviceMapMermaid(callsOf(spansOf([...docs, { ...docs[1], id: "a000000000000009", start_time: 11, end_time: 11.2 }])));
      assert.match(map, /"placeOrder<br\/>2 calls · 0 errors · p50 140 ms"/);
      assert.match(map, /"label-worker<br\/>1 call · 1 error · p50 300 ms"\]:::failing/);
    });

    it("reads the last run's files for --trace, and says what is missing", () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), "xray-"));
      try {
        assert.throws(() => timelineFromFiles(dir, "o-1"), /no traces in .*run the local cloud first/);
        const store = Object.create(XRayService.prototype) as XRayService;
        Object.assign(store, { traces: new Map(), dirty: new Set(), dir, rejected: [], received: 0 });
        for (const doc of docs) store.record(doc);
        store.write();
        assert.match(timelineFromFiles(dir, "o-1"), /order o-1: \d+ call/);
        assert.throws(() => timelineFromFiles(dir, "o-2"), /no trace names order o-2 .*e\.g\. o-1/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
