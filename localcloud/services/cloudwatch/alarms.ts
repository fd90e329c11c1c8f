import type { AlarmSpec } from "./spec";
import type { SqsService } from "../sqs/service";

/** An alarm's condition now, from the metric the local cloud can read. */
export interface AlarmState {
  readonly alarm: AlarmSpec;
  readonly state: "ALARM" | "OK";
  readonly value: number;
  /** `ApproximateNumberOfMessagesVisible 1 > 0`. */
  readonly reason: string;
}

const COMPARE: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanThreshold: (v, t) => v > t,
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};
const SYMBOL: Record<string, string> = { GreaterThanThreshold: ">", GreaterThanOrEqualToThreshold: ">=", LessThanThreshold: "<", LessThanOrEqualToThreshold: "<=" };

/**
 * The condition of every alarm on an SQS queue metric the local cloud counts (visible, in-flight, delayed messages),
 * as CloudWatch would evaluate it on the latest datapoint. Other alarms (Lambda errors, executions failed) are not
 * evaluated: the local cloud keeps no CloudWatch metrics, and says so in the README.
 */
export function queueAlarmStates(alarms: readonly AlarmSpec[], sqs: SqsService): AlarmState[] {
  const states: AlarmState[] = [];
  for (const alarm of alarms) {
    if (alarm.namespace !== "AWS/SQS" || !COMPARE[alarm.comparisonOperator]) continue;
    const queue = sqs.queues.find((q) => q.spec.name === alarm.dimensions.QueueName);
    if (!queue) continue;
    const counts = queue.counts();
    const value =
      alarm.metricName === "ApproximateNumberOfMessagesVisible" ? counts.visible : alarm.metricName === "ApproximateNumberOfMessagesNotVisible" ? counts.inFlight : alarm.metricName === "ApproximateNumberOfMessagesDelayed" ? counts.delayed : undefined;
    if (value === undefined) continue;
    const breached = COMPARE[alarm.comparisonOperator](value, alarm.threshold);
    states.push({ alarm, state: breached ? "ALARM" : "OK", value, reason: `${alarm.metricName} ${value} ${SYMBOL[alarm.comparisonOperator]} ${alarm.threshold}${breached ? "" : " is false"}` });
  }
  return states;
}
