import os from "node:os";
import { startDynamoDBLocal } from "../localcloud/services/dynamodb/local";

export interface DynamoDBLocalBenchmark {
  /** Spawning the JVM to its first answer to ListTables, per run. */
  readonly startupMs: readonly number[];
  /** stop() to the process gone and its port free, per run. */
  readonly stopMs: readonly number[];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Starts and stops DynamoDB Local `runs` times, one after the other: part of the local cloud's start-up. */
export async function benchmarkDynamoDBLocal(runs = 5): Promise<DynamoDBLocalBenchmark> {
  const startupMs: number[] = [];
  const stopMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const local = await startDynamoDBLocal();
    startupMs.push(local.startupMs);
    const stopping = performance.now();
    await local.stop();
    stopMs.push(performance.now() - stopping);
  }
  return { startupMs, stopMs };
}

export function formatDynamoDBLocalBenchmark(result: DynamoDBLocalBenchmark): string {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  const ms = (values: readonly number[]) => values.map((v) => v.toFixed(0)).join(", ");
  return [
    "| DynamoDB Local | median ms | runs ms |",
    "|---|---:|---|",
    `| start to first answer | ${median(result.startupMs).toFixed(0)} | ${ms(result.startupMs)} |`,
    `| stop to exit | ${median(result.stopMs).toFixed(0)} | ${ms(result.stopMs)} |`,
    "",
    `${os.cpus().length} CPUs, load average ${load}.`,
  ].join("\n");
}
