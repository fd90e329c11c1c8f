import { num, str, stringRecord, type GraphResources, type Origin } from "../../graph/resources";

export interface AlarmSpec extends Origin {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic?: string;
  readonly comparisonOperator: string;
  readonly threshold: number;
}

/** The graph's metric alarms. */
export function readAlarms(graph: GraphResources): AlarmSpec[] {
  const { of, origin, out } = graph;
  return of("aws:cloudwatch/metricAlarm:MetricAlarm").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    namespace: String(r.inputs.namespace ?? ""),
    metricName: String(r.inputs.metricName ?? ""),
    dimensions: stringRecord(r.inputs.dimensions),
    ...(str(r.inputs.statistic) ? { statistic: str(r.inputs.statistic) } : {}),
    comparisonOperator: String(r.inputs.comparisonOperator ?? ""),
    threshold: num(r.inputs.threshold) ?? 0,
  }));
}
