import type { LocalGraph } from "../../graph/graph";

/** A log group the graph declares, and the local log that holds its events. */
export interface LogGroupSpec {
  readonly logGroupName: string;
  /** The LogStore component whose events the group holds (`placeOrder`, `labelWorker`). */
  readonly component: string;
  readonly retentionInDays?: number;
  readonly kmsKeyId?: string;
}

/**
 * The log groups of the logs the local cloud keeps: each function's (its logging config's group, else
 * `/aws/lambda/<name>`) and each container service's (its awslogs group), with the retention and key their LogGroup
 * resources set.
 */
export function readLogGroups(graph: Pick<LocalGraph, "resources" | "functions" | "containerServices">): LogGroupSpec[] {
  const declared = new Map(
    graph.resources
      .flatMap((s) => s.resources)
      .filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")
      .map((r) => [String((r.outputs as { name?: unknown }).name ?? r.inputs.name), r.inputs] as const),
  );
  const group = (logGroupName: string, component: string): LogGroupSpec => {
    const inputs = declared.get(logGroupName) ?? {};
    return {
      logGroupName,
      component,
      ...(typeof inputs.retentionInDays === "number" ? { retentionInDays: inputs.retentionInDays } : {}),
      ...(typeof inputs.kmsKeyId === "string" ? { kmsKeyId: inputs.kmsKeyId } : {}),
    };
  };
  return [...graph.functions.map((f) => group(f.logGroup, f.component)), ...graph.containerServices.flatMap((s) => (s.logs ? [group(s.logs.group, s.component)] : []))];
}
