import type { LocalCloud } from "../../../localcloud/cloud";
import { ecs } from "../../../localcloud/services/ecs";

/** What a running local cloud has started: what Ctrl-C stops. */
export interface RunningParts {
  readonly dynamodb: { readonly pid: number; readonly exited: boolean };
  /** Live execution environments (processes), and how many functions have one. */
  readonly functionEnvironments: number;
  readonly functionsWithEnvironments: number;
  /** Running task processes, by service. */
  readonly tasks: readonly { readonly service: string; readonly running: number }[];
  readonly apiUrl: string;
  readonly endpointUrl: string;
  readonly xrayAddress: string;
}

/** The parts of a cloud as they are now. */
export function runningParts(cloud: Pick<LocalCloud, "dynamodb" | "lambda" | "apiUrl" | "endpointUrl" | "xray" | "service">): RunningParts {
  const functions = cloud.lambda.all.map((f) => f.environmentCount);
  return {
    dynamodb: { pid: cloud.dynamodb.pid, exited: cloud.dynamodb.exited },
    functionEnvironments: functions.reduce((n, c) => n + c, 0),
    functionsWithEnvironments: functions.filter((c) => c > 0).length,
    tasks: cloud.service(ecs).services.map((s) => ({ service: s.spec.component, running: s.runningTasks })),
    apiUrl: cloud.apiUrl,
    endpointUrl: cloud.endpointUrl,
    xrayAddress: cloud.xray.address,
  };
}

/** The parts, named: `DynamoDB Local (pid 4242), 14 function environments (12 functions), ...`. */
export function describeParts(parts: RunningParts): string {
  const tasks = parts.tasks.filter((t) => t.running > 0).map((t) => `${t.running} ${t.service} task${t.running === 1 ? "" : "s"}`);
  return [
    `DynamoDB Local (pid ${parts.dynamodb.pid})`,
    `${parts.functionEnvironments} function environment${parts.functionEnvironments === 1 ? "" : "s"} (${parts.functionsWithEnvironments} function${parts.functionsWithEnvironments === 1 ? "" : "s"})`,
    ...tasks,
    ...(parts.apiUrl ? [`the API (${new URL(parts.apiUrl).host})`] : []),
    `the AWS endpoint (${new URL(parts.endpointUrl).host})`,
    `the X-Ray daemon (udp ${parts.xrayAddress})`,
  ].join(", ");
}

/**
 * The line after stop: what was stopped, and anything still running (a process that outlived its stop), named so the
 * user can end it; nothing left is said too.
 */
export function stoppedLine(before: RunningParts, after: RunningParts, ms: number): string {
  const left = [
    ...(after.dynamodb.exited ? [] : [`DynamoDB Local (pid ${after.dynamodb.pid})`]),
    ...(after.functionEnvironments > 0 ? [`${after.functionEnvironments} function environments`] : []),
    ...after.tasks.filter((t) => t.running > 0).map((t) => `${t.running} ${t.service} task(s)`),
  ];
  return `stopped in ${(ms / 1000).toFixed(1)} s: ${describeParts(before)}. ${left.length === 0 ? "Nothing it started is still running." : `Still running: ${left.join(", ")}.`}`;
}
