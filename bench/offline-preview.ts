import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { profileShares, type ProfileShare } from "./cpu-profile";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");

/** The speed goals of the main job: the whole dev environment, both policy passes and the type-check included. */
export const PREVIEW_BUDGET_MS = 3000;
export const COLD_PREVIEW_BUDGET_MS = 10_000;
const CACHE_DIR = path.join(ROOT, ".orderflow", "cache");

export interface PreviewBenchmark {
  readonly env: string;
  /** Wall time of each `orderflow preview --env <env> --offline` run, as `npm start` starts it (a new process). */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** CPU time (user + system) of each warm run: the preview's process and the children it waited for. */
  readonly cpuRunsMs: readonly number[];
  readonly medianCpuMs: number;
  readonly exitCode: number;
  /** One run with every cache (bundles, archives, policy pack, type-check) empty, as after a fresh clone. */
  readonly coldMs: number;
  /** Node starting and requiring @pulumi/pulumi and @pulumi/aws: what no preview can go below. Median of 3. */
  readonly floorMs: number;
  /** Self time of one warm run by where it goes. */
  readonly profile: { totalMs: number; shares: ProfileShare[] };
}

/**
 * Times the offline preview end to end, each run a new process as `npm start` is: module loading, synthesis of every
 * stack twice, the policy pack's start and both passes, the type-check. One run starts with the caches set aside (and
 * put back after), the others are warm; one more warm run is profiled.
 */
export async function benchmarkOfflinePreview(env = "dev", runs = 5): Promise<PreviewBenchmark> {
  const preview = ["-r", "./ops/register.js", "ops/cli.ts", "preview", "--env", env, "--offline"];
  const cold = await withCachesSetAside(() => timed(preview));
  const warm: { ms: number; cpuMs: number; exitCode: number }[] = [];
  for (let i = 0; i < runs; i++) warm.push(await timed(preview));
  const floor: number[] = [];
  for (let i = 0; i < 3; i++) floor.push((await timed(["-e", 'require("@pulumi/pulumi"); require("@pulumi/aws")'])).ms);
  const profileDir = mkdtempSync(path.join(os.tmpdir(), "orderflow-preview-profile-"));
  try {
    await timed(["--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...preview]);
    const profile = profileShares(path.join(profileDir, readdirSync(profileDir)[0]));
    const runsMs = warm.map((r) => r.ms);
    const cpuRunsMs = warm.map((r) => r.cpuMs);
    return {
      env,
      runsMs,
      medianMs: median(runsMs),
      cpuRunsMs,
      medianCpuMs: median(cpuRunsMs),
      exitCode: Math.max(cold.exitCode, ...warm.map((r) => r.exitCode)),
      coldMs: cold.ms,
      floorMs: median(floor),
      profile,
    };
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}

// Each run is a new process, as `npm start` starts it, under bash so that its CPU time is known: bash's `times` prints
// the user and system time of the children it waited for (the preview, and what the preview waited for in turn).
async function timed(args: readonly string[]): Promise<{ ms: number; cpuMs: number; exitCode: number }> {
  const script = '"$@" >/dev/null 2>&1; status=$?; times; exit $status';
  const started = performance.now();
  let stdout: string;
  let exitCode = 0;
  try {
    stdout = (await run("bash", ["-c", script, "bench", process.execPath, ...args], { cwd: ROOT })).stdout;
  } catch (error) {
    stdout = (error as { stdout?: string }).stdout ?? "";
    exitCode = (error as { code?: number }).code ?? 2;
  }
  return { ms: performance.now() - started, cpuMs: childrenCpuMs(stdout), exitCode };
}

/** The children's user + system time from bash's `times` output (its second line: `0m6.120s 0m0.712s`). */
export function childrenCpuMs(timesOutput: string): number {
  const line = timesOutput.trim().split("\n")[1] ?? "";
  const parts = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => (Number(m[1]) * 60 + Number(m[2])) * 1000);
  if (parts.length !== 2) throw new Error(`Could not read the CPU time from bash's \`times\`: ${JSON.stringify(timesOutput)}`);
  return parts[0] + parts[1];
}

/** Runs `work` with `.orderflow/cache` moved aside, then drops the caches it made and puts the user's back. */
async function withCachesSetAside<T>(work: () => Promise<T>): Promise<T> {
  const saved = `${CACHE_DIR}.bench-${process.pid}`;
  const had = existsSync(CACHE_DIR);
  if (had) renameSync(CACHE_DIR, saved);
  try {
    return await work();
  } finally {
    if (had) {
      rmSync(CACHE_DIR, { recursive: true, force: true });
      renameSync(saved, CACHE_DIR);
    }
  }
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function formatPreviewBenchmark(result: PreviewBenchmark): string {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  const within = (ms: number, budget: number) => (ms <= budget ? "yes" : "no");
  return [
    "| offline preview | ms | budget ms | within | runs ms |",
    "|---|---:|---:|---|---|",
    `| ${result.env}, warm (median) | ${result.medianMs.toFixed(0)} | ${PREVIEW_BUDGET_MS} | ${within(result.medianMs, PREVIEW_BUDGET_MS)} | ${result.runsMs.map((m) => m.toFixed(0)).join(", ")} |`,
    `| ${result.env}, warm, CPU of the process tree (median) | ${result.medianCpuMs.toFixed(0)} | | | ${result.cpuRunsMs.map((m) => m.toFixed(0)).join(", ")} |`,
    `| ${result.env}, cold (empty caches) | ${result.coldMs.toFixed(0)} | ${COLD_PREVIEW_BUDGET_MS} | ${within(result.coldMs, COLD_PREVIEW_BUDGET_MS)} | |`,
    `| floor: node + require @pulumi/pulumi and @pulumi/aws | ${result.floorMs.toFixed(0)} | | | |`,
    "",
    `Exit code of the runs: ${result.exitCode}. Where a warm run's ${result.profile.totalMs.toFixed(0)} ms of the main process go (self time, V8 CPU profile):`,
    "",
    "| where | ms | share |",
    "|---|---:|---:|",
    ...result.profile.shares.map((s) => `| ${s.category} | ${s.ms.toFixed(0)} | ${((100 * s.ms) / result.profile.totalMs).toFixed(0)} % |`),
    "",
    `${os.cpus().length} CPUs, load average ${load}, Node ${process.version}.`,
  ].join("\n");
}
