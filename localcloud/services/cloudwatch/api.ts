import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import type { AlarmState } from "./alarms";
import type { AlarmSpec } from "./spec";
import { epochSeconds, page } from "../../endpoint/pagination";

type Input = Record<string, unknown>;

const STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"];

/**
 * CloudWatch's DescribeAlarms over the graph's alarms, each in the state the local cloud computes now: an alarm on a
 * queue metric it counts (visible, in-flight, delayed messages) is OK or ALARM from the latest count; any other alarm
 * is INSUFFICIENT_DATA, because the local cloud keeps no CloudWatch metrics, and its reason says so. Served in JSON 1.0
 * (`GraniteServiceVersion20100801.DescribeAlarms`, what the AWS CLI v1 and the SDK v3 send; the query protocol of
 * older clients is not served).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html
 */
export class CloudWatchApi {
  readonly contentType = "application/x-amz-json-1.0";

  constructor(
    private readonly alarms: readonly AlarmSpec[],
    /** The states computed now (alarms.ts). */
    private readonly states: () => readonly AlarmState[],
    private readonly cloud: { partition: string; region: string; account: string },
    private readonly startedAt: Date,
  ) {}

  call(action: string, input: Input, _context: RequestContext): Promise<Input> {
    if (action !== "DescribeAlarms") throw new AwsError("UnknownOperationException", `The local cloud does not serve CloudWatch ${action}.`);
    return Promise.resolve(this.describeAlarms(input));
  }

  private describeAlarms(input: Input): Input {
    const names = Array.isArray(input.AlarmNames) ? input.AlarmNames.map(String) : undefined;
    const prefix = typeof input.AlarmNamePrefix === "string" ? input.AlarmNamePrefix : undefined;
    if (names && prefix !== undefined) throw new AwsError("InvalidParameterCombination", "AlarmNamePrefix and AlarmNames cannot be used together.");
    const state = input.StateValue;
    if (state !== undefined && !STATES.includes(String(state))) throw new AwsError("ValidationError", `1 validation error detected: Value '${String(state)}' at 'stateValue' failed to satisfy constraint: Member must satisfy enum value set: [${STATES.join(", ")}]`);
    const types = Array.isArray(input.AlarmTypes) ? input.AlarmTypes.map(String) : ["MetricAlarm"];
    const computed = new Map(this.states().map((s) => [s.alarm.name, s]));
    const alarms = types.includes("MetricAlarm")
      ? this.alarms
          .filter((a) => (!names || names.includes(a.name)) && (prefix === undefined || a.name.startsWith(prefix)))
          .map((a) => this.metricAlarm(a, computed.get(a.name)))
          .filter((a) => state === undefined || a.StateValue === state)
          .sort((a, b) => String(a.AlarmName).localeCompare(String(b.AlarmName)))
      : [];
    const { items, next } = page(alarms, { max: input.MaxRecords, token: input.NextToken, limit: 100, defaultMax: 50, error: (m) => new AwsError("InvalidNextToken", m) });
    return { MetricAlarms: items, CompositeAlarms: [], ...(next ? { NextToken: next } : {}) };
  }

  private metricAlarm(alarm: AlarmSpec, computed: AlarmState | undefined): Input {
    const now = new Date();
    const stateValue = computed?.state ?? "INSUFFICIENT_DATA";
    const reason = computed
      ? `Threshold ${computed.state === "ALARM" ? "Crossed" : "not crossed"}: ${computed.reason} (the local cloud's count now).`
      : `The local cloud keeps no CloudWatch metrics for ${alarm.namespace} ${alarm.metricName}: it evaluates alarms on the queue counts it holds only.`;
    return {
      AlarmName: alarm.name,
      AlarmArn: `arn:${this.cloud.partition}:cloudwatch:${this.cloud.region}:${this.cloud.account}:alarm:${alarm.name}`,
      AlarmConfigurationUpdatedTimestamp: epochSeconds(this.startedAt),
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: stateValue,
      StateReason: reason,
      ...(computed ? { StateReasonData: JSON.stringify({ version: "1.0", queryDate: now.toISOString(), recentDatapoints: [computed.value], threshold: alarm.threshold }) } : {}),
      StateUpdatedTimestamp: epochSeconds(now),
      StateTransitionedTimestamp: epochSeconds(now),
      MetricName: alarm.metricName,
      Namespace: alarm.namespace,
      ...(alarm.statistic ? { Statistic: alarm.statistic } : {}),
      Dimensions: Object.entries(alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
      Threshold: alarm.threshold,
      ComparisonOperator: alarm.comparisonOperator,
    };
  }
}

