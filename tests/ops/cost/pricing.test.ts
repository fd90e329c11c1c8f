import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { fixedMonthlyCost } from "../../../ops/cost/fixed-cost";
import { loadPriceTable, Pricer } from "../../../ops/cost/price-table";
import { chunksOf64KiB, putEventsEntrySize, smsParts } from "../../../localcloud/kernel/usage";

// Each pricing rule against a worked example from AWS's pricing pages (us-east-1, free tiers left out, as the table
// leaves them out).
/** Asserts two amounts agree within `delta`. */
function close(actual: number | undefined, expected: number, delta: number, label = ""): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= delta, `${label ? `${label}: ` : ""}expected ${expected} ± ${delta}, got ${actual}`);
}

describe("cost: each service's pricing rule against AWS's worked examples", () => {
  const pricer = new Pricer(loadPriceTable());

  it("Lambda: 3 million invocations of 1 s at 512 MB (x86) — the pricing page's first example, without its free tier", () => {
    // https://aws.amazon.com/lambda/pricing/ : 3M × 1 s × 512/1024 GB = 1,500,000 GB-s; beyond the 400,000 free GB-s
    // the page charges 1,100,000 × $0.0000166667 = $18.33, and (3M − 1M free) requests × $0.20/M = $0.40.
    close(pricer.price("lambda.gbSeconds.x86_64", 1_100_000), 18.33, 0.01);
    close(pricer.price("lambda.requests", 2_000_000), 0.4, 1e-9);
    // arm64's GB-second is 20% cheaper (Graviton).
    close(pricer.price("lambda.gbSeconds.arm64", 1_000_000) / pricer.price("lambda.gbSeconds.x86_64", 1_000_000), 0.8, 0.001);
  });

  it("SQS, SNS, EventBridge and Pipes bill each 64 KB chunk as one request (a 256 KB payload is 4)", () => {
    // https://aws.amazon.com/sqs/pricing/ : "an API action with a 256 KB payload is billed as 4 requests".
    assert.equal(chunksOf64KiB(256 * 1024), 4);
    assert.equal(chunksOf64KiB(64 * 1024), 1);
    assert.equal(chunksOf64KiB(64 * 1024 + 1), 2);
    assert.equal(chunksOf64KiB(0), 1);
    close(pricer.price("sqs.requests.standard", 4), 1.6e-6, 1e-12);
    close(pricer.price("sqs.requests.fifo", 1_000_000), 0.5, 1e-9);
  });

  it("EventBridge sizes a PutEvents entry as AWS's documentation computes it", () => {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html : Time adds 14 bytes; Source,
    // DetailType, Detail and each resource ARN their UTF-8 bytes.
    const entry = { Time: new Date(), Source: "orderflow.orders", DetailType: "OrderPlaced", Detail: '{"orderId":"é"}', Resources: ["arn:aws:x"] };
    assert.equal(putEventsEntrySize(entry), 14 + 16 + 11 + 16 + 9);
    close(pricer.price("events.customEvents", 2_000_000), 2, 1e-9);
  });

  it("Step Functions: $0.025 per 1,000 state transitions", () => {
    // https://aws.amazon.com/step-functions/pricing/ : a workflow of 5 transitions run 100,000 times is 500,000.
    close(pricer.price("states.transitions", 500_000), 12.5, 1e-9);
  });

  it("SMS: a message is billed per part: 160 GSM-7 characters (153 when split), 70 UCS-2 (67 when split)", () => {
    assert.equal(smsParts("a".repeat(160)), 1);
    assert.equal(smsParts("a".repeat(161)), 2);
    assert.equal(smsParts("a".repeat(306)), 2);
    assert.equal(smsParts("a".repeat(307)), 3);
    assert.equal(smsParts("€".repeat(80)), 1); // an extension character takes two septets: 160
    assert.equal(smsParts("ж".repeat(70)), 1);
    assert.equal(smsParts("ж".repeat(71)), 2);
  });

  it("CloudWatch Logs: $0.50 per GB ingested", () => {
    close(pricer.price("logs.ingestedBytes", 1024 ** 3), 0.5, 1e-9);
  });

  it("the fixed monthly cost: a NAT gateway, Fargate tasks, alarms, keys and a web ACL, for 730 hours", () => {
    const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource =>
      ({ urn: `urn:${name}`, type, name, custom: true, dependencies: [], propertyDependencies: {}, inputs, outputs: inputs }) as RecordedResource;
    const lines = fixedMonthlyCost(
      [
        resource("awsx:ec2:Vpc", "vpc", { natGateways: { strategy: "Single" }, numberOfAvailabilityZones: 2 }),
        resource("awsx:ecs:FargateService", "worker", { desiredCount: 2, taskDefinitionArgs: { cpu: "512", memory: "1024" }, networkConfiguration: { assignPublicIp: false } }),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", "a1", {}),
        resource("aws:cloudwatch/metricAlarm:MetricAlarm", "a2", {}),
        resource("aws:kms/key:Key", "key", {}),
        resource("aws:wafv2/webAcl:WebAcl", "acl", { rules: [{}, {}, {}] }),
      ],
      pricer,
    );
    const total = (service: string) => lines.filter((l) => l.service === service).reduce((n, l) => n + l.monthlyUsd, 0);
    // https://aws.amazon.com/vpc/pricing/ : $0.045 an hour, and the gateway's Elastic IP at $0.005 an hour.
    close(total("VPC"), 730 * 0.045 + 730 * 0.005, 1e-6);
    // https://aws.amazon.com/fargate/pricing/ : 2 tasks × (0.5 vCPU × $0.04048 + 1 GB × $0.004445) × 730 h.
    close(total("Fargate"), 2 * (0.5 * 0.04048 + 1 * 0.004445) * 730, 1e-6);
    close(total("CloudWatch"), 0.2, 1e-9);
    close(total("KMS"), 1, 1e-9);
    // https://aws.amazon.com/waf/pricing/ : $5 a web ACL and $1 a rule, a month.
    close(total("WAF"), 8, 1e-9);
  });

  it("a usage the price table has no price for is an error naming it, never a silent zero", () => {
    assert.throws(() => pricer.price("lambda.provisionedConcurrency", 1), /no price for "lambda.provisionedConcurrency"/);
  });
});
