import type { RecordedResource } from "../engine/recording-monitor";
import type { Pricer } from "./price-table";

/** One thing an environment pays for whether or not anyone orders, per month. */
export interface FixedCostLine {
  readonly service: string;
  /** What is counted, and how (`2 tasks × 0.25 vCPU × 730 h`). */
  readonly item: string;
  readonly monthlyUsd: number;
  /** An estimate of AWS's own behaviour (a poller's rate) rather than a count of resources. */
  readonly estimate?: string;
}

/** AWS prices a month as 730 hours (https://aws.amazon.com/calculator/ FAQ: "730 hours in a month"). */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

type Inputs = Record<string, unknown>;
const obj = (v: unknown): Inputs => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Inputs) : {});
const numberOf = (v: unknown, fallback: number): number => (typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : fallback);

/**
 * The fixed monthly cost of an environment, read from its resolved graph: what runs or is kept whether or not anyone
 * orders. Usage (requests, storage, log data, monthly active users) is priced per order instead.
 */
export function fixedMonthlyCost(resources: readonly RecordedResource[], pricer: Pricer): FixedCostLine[] {
  const of = (type: string) => resources.filter((r) => r.type === type);
  const lines: FixedCostLine[] = [];
  const add = (service: string, item: string, monthlyUsd: number, estimate?: string) => {
    if (monthlyUsd > 0) lines.push({ service, item, monthlyUsd, ...(estimate ? { estimate } : {}) });
  };

  // NAT gateways of the worker's VPC (awsx's strategy: None, Single, or OnePerAz), each with an Elastic IP that is
  // billed as a public IPv4 address (https://aws.amazon.com/vpc/pricing/).
  for (const vpc of of("awsx:ec2:Vpc")) {
    const strategy = String(obj(vpc.inputs.natGateways).strategy ?? "OnePerAz");
    const zones = numberOf(vpc.inputs.numberOfAvailabilityZones, 3);
    const nats = strategy === "None" ? 0 : strategy === "Single" ? 1 : zones;
    add("VPC", `${vpc.name}: ${nats} NAT gateway(s) × ${HOURS_PER_MONTH} h`, pricer.price("natGateway.hour", nats * HOURS_PER_MONTH));
    add("VPC", `${vpc.name}: ${nats} NAT gateway Elastic IP(s) × ${HOURS_PER_MONTH} h`, pricer.price("publicIpv4.hour", nats * HOURS_PER_MONTH));
  }

  // Fargate tasks at the service's desired count, by task size and architecture (https://aws.amazon.com/fargate/pricing/).
  for (const service of of("awsx:ecs:FargateService")) {
    const tasks = numberOf(service.inputs.desiredCount, 1);
    const definition = obj(service.inputs.taskDefinitionArgs);
    const vcpu = numberOf(definition.cpu, 256) / 1024;
    const gb = numberOf(definition.memory, 512) / 1024;
    const arch = String(obj(definition.runtimePlatform).cpuArchitecture ?? "X86_64") === "ARM64" ? "arm64" : "x86_64";
    add("Fargate", `${service.name}: ${tasks} task(s) × ${vcpu} vCPU × ${HOURS_PER_MONTH} h (${arch})`, pricer.price(`fargate.vcpuHour.${arch}`, tasks * vcpu * HOURS_PER_MONTH));
    add("Fargate", `${service.name}: ${tasks} task(s) × ${gb} GB × ${HOURS_PER_MONTH} h (${arch})`, pricer.price(`fargate.gbHour.${arch}`, tasks * gb * HOURS_PER_MONTH));
    if (obj(service.inputs.networkConfiguration).assignPublicIp === true) {
      add("VPC", `${service.name}: ${tasks} task public IPv4 address(es) × ${HOURS_PER_MONTH} h`, pricer.price("publicIpv4.hour", tasks * HOURS_PER_MONTH));
    }
    // The worker long-polls its queue (20 s waits, one poller per task): three receives a minute while idle.
    add("SQS", `${service.name}: idle long polls, ${tasks} task(s) × 3 a minute`, pricer.price("sqs.requests.standard", tasks * 3 * 60 * HOURS_PER_MONTH), "one consumer per task, 20 s long polls");
  }

  const alarms = of("aws:cloudwatch/metricAlarm:MetricAlarm").length;
  add("CloudWatch", `${alarms} standard-resolution alarm(s)`, pricer.price("cloudwatch.alarmMonth", alarms));

  const keys = of("aws:kms/key:Key").length;
  add("KMS", `${keys} customer managed key(s)`, pricer.price("kms.keyMonth", keys));
  // SQS asks KMS for a data key once per reuse period for each producer and consumer of an encrypted queue
  // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html), 300 s by
  // default: about two callers per queue, all month.
  const encryptedQueues = of("aws:sqs/queue:Queue").filter((q) => typeof q.inputs.kmsMasterKeyId === "string" && !String(q.inputs.kmsMasterKeyId).startsWith("alias/aws/"));
  const kmsRequests = encryptedQueues.reduce((n, q) => n + 2 * (SECONDS_PER_MONTH / numberOf(q.inputs.kmsDataKeyReusePeriodSeconds, 300)), 0);
  add("KMS", `${encryptedQueues.length} queue(s) under a customer managed key: data keys every reuse period`, pricer.price("kms.requests", kmsRequests), "a producer and a consumer per queue");

  for (const acl of of("aws:wafv2/webAcl:WebAcl")) {
    const rules = Array.isArray(acl.inputs.rules) ? acl.inputs.rules.length : 0;
    add("WAF", `${acl.name}: the web ACL`, pricer.price("waf.webAclMonth", 1));
    add("WAF", `${acl.name}: ${rules} rule(s) and managed rule group(s)`, pricer.price("waf.ruleMonth", rules));
  }

  // Lambda's pollers long-poll an SQS event source whether or not messages come: five pollers at first, each receive
  // waiting up to 20 s (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
  const sqsSources = of("aws:lambda/eventSourceMapping:EventSourceMapping").filter((m) => String(m.inputs.eventSourceArn ?? "").includes(":sqs:"));
  add("SQS", `${sqsSources.length} Lambda event source mapping(s): idle long polls, 5 pollers × 3 a minute`, pricer.price("sqs.requests.standard", sqsSources.length * 5 * 3 * 60 * HOURS_PER_MONTH), "Lambda's five initial pollers, 20 s long polls");

  // A pipe reads its stream's shards four times a second (as Lambda's stream pollers do:
  // https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html); GetRecords from Pipes are billed as Streams reads.
  const streamPipes = of("aws:pipes/pipe:Pipe").filter((p) => String(p.inputs.source ?? "").includes(":dynamodb:"));
  add("DynamoDB", `${streamPipes.length} pipe(s) polling a stream shard 4 times a second`, pricer.price("dynamodb.streamsReadRequests", streamPipes.length * 4 * SECONDS_PER_MONTH), "one shard, four GetRecords a second");

  return lines;
}

/** The environment's user pools, by plan: Plus where threat protection is on (billed per monthly active user). */
export function userPoolPlans(resources: readonly RecordedResource[]): { readonly name: string; readonly plan: "essentials" | "plus" }[] {
  return resources
    .filter((r) => r.type === "aws:cognito/userPool:UserPool")
    .map((r) => ({ name: r.name, plan: String(r.inputs.userPoolTier ?? "").toUpperCase() === "PLUS" || obj(r.inputs.userPoolAddOns).advancedSecurityMode === "ENFORCED" || obj(r.inputs.userPoolAddOns).advancedSecurityMode === "AUDIT" ? "plus" : "essentials" }));
}
