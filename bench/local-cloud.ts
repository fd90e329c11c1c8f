import os from "node:os";
import { LocalCloud } from "../localcloud/cloud";
import { happyPath } from "../localcloud/app/scenarios/happy-path";
import { runScenarios, type ScenarioResult } from "../localcloud/app/scenarios/scenario";

export interface LocalCloudBenchmark {
  /** `LocalCloud.start` to ready (synthesis, DynamoDB Local, tables, functions' first environments), per run. */
  readonly startupMs: readonly number[];
  /** DynamoDB Local's share of each start (it overlaps the synthesis). */
  readonly dynamoDbMs: readonly number[];
  /** The happy path at time scale 1: one order from POST /orders to its label and notifications. */
  readonly happyPath: ScenarioResult;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Starts dev `runs` times (each a full start and stop, as `npm run local` does), then runs the happy path once at the
 * configured waits (time scale 1), as a developer sees an order go through.
 */
export async function benchmarkLocalCloud(runs = 3): Promise<LocalCloudBenchmark> {
  const startupMs: number[] = [];
  const dynamoDbMs: number[] = [];
  let happy: ScenarioResult | undefined;
  for (let i = 0; i < runs; i++) {
    const cloud = await LocalCloud.start({ env: "dev", port: 0 });
    try {
      startupMs.push(cloud.startupMs);
      dynamoDbMs.push(cloud.dynamoDbStartupMs);
      if (i === runs - 1) [happy] = await runScenarios(cloud, [happyPath], { parallel: false });
    } finally {
      await cloud.stop();
    }
  }
  return { startupMs, dynamoDbMs, happyPath: happy! };
}

export function formatLocalCloudBenchmark(result: LocalCloudBenchmark): string {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  const ms = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(", ");
  const happy = result.happyPath;
  return [
    "| local cloud (dev) | median ms | runs ms |",
    "|---|---:|---|",
    `| start to ready | ${median(result.startupMs).toFixed(0)} | ${ms(result.startupMs)} |`,
    `| of which DynamoDB Local | ${median(result.dynamoDbMs).toFixed(0)} | ${ms(result.dynamoDbMs)} |`,
    "",
    `Happy path at time scale 1: ${happy.ok ? "passed" : `FAILED (${happy.error})`} in ${happy.ms} ms.`,
    "",
    "| step | ms |",
    "|---|---:|",
    ...happy.steps.map((s) => `| ${s.ok ? "" : "✗ "}${s.label.replace(/\|/g, "\\|")} | ${s.ms} |`),
    "",
    `${os.cpus().length} CPUs, load average ${load}.`,
  ].join("\n");
}
