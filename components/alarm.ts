import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The alarm condition orderflow's components share: the metric above 0 within one minute (a failed message, an
 * error, a throttle), notifying the alarm topic when one is given. No datapoint counts as healthy, because AWS stops
 * reporting idle resources and an idle function, queue or state machine has nothing wrong with it.
 */
export function anyInOneMinute(
  alarmTopicArn: pulumi.Input<string> | undefined,
  statistic: "Sum" | "Maximum" = "Sum",
): Pick<
  aws.cloudwatch.MetricAlarmArgs,
  "statistic" | "period" | "evaluationPeriods" | "threshold" | "comparisonOperator" | "treatMissingData" | "alarmActions" | "okActions"
> {
  const actions = alarmTopicArn === undefined ? [] : [alarmTopicArn];
  return {
    statistic,
    period: 60,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
    alarmActions: actions,
    okActions: actions,
  };
}
