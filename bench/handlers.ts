import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { DEFAULT_HANDLERS_ROOT, bundleHandler } from "../components/bundle";
import { synthesizeEnvironment } from "../ops/offline/synthesize";
import type { Environment } from "../stacks/environments";
import { measureInit, type InitTime, type LambdaConfiguration } from "./lambda-init";
import { duplicatePackages, type PackageCopies } from "./package-copies";
import { zipSize } from "./zip-size";

// Every function of an environment, as its program deploys it: the archive directory the Function component gives
// Pulumi (read from the synthesized `aws:lambda/function:Function` resource, not rebuilt here), its size as files and
// as the zip Lambda receives, and the time a fresh Node process takes to load its handler in Lambda's environment.

const LAMBDA_FUNCTION = "aws:lambda/function:Function";

/**
 * The goals per function: the zip Lambda stores (issue 15), the archive's files as deployed, index.js and its source
 * map together (issue 25), and the init time.
 */
export const BUDGET = { zipBytes: 400 * 1024, archiveBytes: 400 * 1024, initMs: 80 } as const;

/** One function of the synthesized environment, ready to measure. */
export interface DeployedFunction extends LambdaConfiguration {
  /** The stack that deploys it, e.g. `dev.orders`. */
  readonly stack: string;
  /** The resource's logical name, e.g. `placeOrderFunction`. */
  readonly name: string;
  /** The handler source it was bundled from (`orders/place-order.ts`), when it is one of the handlers. */
  readonly source?: string;
  /** The directory the Function component archived. */
  readonly archiveDir: string;
  /** Packages bundled from more than one installed copy (known when `source` is). */
  readonly duplicates: readonly PackageCopies[];
}

export interface FunctionBenchmark {
  readonly fn: DeployedFunction;
  /** Bytes of each file of the archive (`index.js`, `index.js.map`). */
  readonly files: Readonly<Record<string, number>>;
  /** Bytes of the zip the engine uploads (see zip-size.ts). */
  readonly zipBytes: number;
  /** Median over the runs of the (wall) time to load the handler module in a fresh process. */
  readonly initMs: number;
  /** Median over the runs of the CPU time of that load. */
  readonly cpuMs: number;
  /** Every run's times, in order. */
  readonly runs: readonly InitTime[];
  readonly withinBudget: boolean;
}

export interface BenchmarkOptions {
  /** Fresh processes per function; the median is reported. @default 5 */
  readonly runs?: number;
  /** @default "dev" */
  readonly env?: Environment;
}

/** The handler files: every `handlers/<domain>/<name>.ts` that exports `handler` (shared modules do not). */
export function handlerFiles(handlersRoot: string = DEFAULT_HANDLERS_ROOT): string[] {
  return fs
    .readdirSync(handlersRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== "shared")
    .flatMap((dir) =>
      fs
        .readdirSync(path.join(handlersRoot, dir.name))
        .filter((file) => file.endsWith(".ts"))
        .map((file) => `${dir.name}/${file}`),
    )
    .filter((file) => /^export const handler\b/m.test(fs.readFileSync(path.join(handlersRoot, file), "utf8")))
    .sort();
}

/** The inputs of a recorded `aws:lambda/function:Function` that the benchmark reads. */
interface FunctionInputs {
  code: pulumi.asset.FileArchive;
  handler: string;
  runtime: string;
  memorySize?: number;
  loggingConfig?: { logGroup?: string };
  tracingConfig?: { mode?: string };
  environment?: { variables?: Record<string, string> };
}

/** Synthesizes the environment's stacks (fully resolved, as after `pulumi up`) and lists every Lambda function. */
export async function deployedFunctions(env: Environment = "dev"): Promise<DeployedFunction[]> {
  // An archive directory is named by its bundle's hash: this tells which handler each function runs.
  const bundleByHash = new Map(handlerFiles().map((handler) => {
    const bundle = bundleHandler({ handler });
    return [bundle.hash, bundle];
  }));
  const functions: DeployedFunction[] = [];
  for (const stack of await synthesizeEnvironment({ env })) {
    for (const resource of stack.resolved.resources.filter((r) => r.type === LAMBDA_FUNCTION)) {
      const inputs = resource.inputs as unknown as FunctionInputs;
      const archiveDir = await inputs.code.path;
      const functionName = String(resource.outputs.name ?? resource.name);
      const bundle = bundleByHash.get(path.basename(archiveDir));
      functions.push({
        stack: stack.stack,
        name: resource.name,
        source: bundle?.handler,
        archiveDir,
        duplicates: bundle ? duplicatePackages(bundle.inputs) : [],
        functionName,
        handler: inputs.handler,
        runtime: inputs.runtime,
        memorySize: inputs.memorySize ?? 128,
        region: stack.cloud.region,
        logGroup: inputs.loggingConfig?.logGroup ?? `/aws/lambda/${functionName}`,
        tracing: inputs.tracingConfig?.mode === "Active",
        variables: inputs.environment?.variables ?? {},
      });
    }
  }
  return functions;
}

export async function benchmarkHandlers(options: BenchmarkOptions = {}): Promise<FunctionBenchmark[]> {
  const runs = options.runs ?? 5;
  const functions = await deployedFunctions(options.env ?? "dev");
  // Each function loads from its own copy of the archive, as Lambda unpacks it into /var/task.
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-bench-"));
  try {
    const taskRoots = functions.map((fn, i) => {
      const taskRoot = path.join(workDir, String(i));
      fs.cpSync(fn.archiveDir, taskRoot, { recursive: true });
      return taskRoot;
    });
    // One process at a time (parallel ones would measure each other), interleaved across functions so that a change
    // in the machine's load spreads over all of them instead of falling on one.
    const times: InitTime[][] = functions.map(() => []);
    for (let round = 0; round < runs; round++) {
      for (const [i, fn] of functions.entries()) times[i].push(await measureInit(fn, taskRoots[i]));
    }
    return functions.map((fn, i) => {
      const contents = Object.fromEntries(
        fs.readdirSync(fn.archiveDir).sort().map((name) => [name, fs.readFileSync(path.join(fn.archiveDir, name))]),
      );
      const files = Object.fromEntries(Object.entries(contents).map(([name, bytes]) => [name, bytes.length]));
      const zipBytes = zipSize(contents);
      const initMs = median(times[i].map((t) => t.wallMs));
      const cpuMs = median(times[i].map((t) => t.cpuMs));
      const archiveBytes = Object.values(files).reduce((sum, bytes) => sum + bytes, 0);
      const withinBudget = zipBytes <= BUDGET.zipBytes && archiveBytes <= BUDGET.archiveBytes && initMs <= BUDGET.initMs;
      return { fn, files, zipBytes, initMs, cpuMs, runs: times[i], withinBudget };
    });
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The results as a Markdown table, with the budget in the header. */
export function formatTable(results: readonly FunctionBenchmark[]): string {
  const kib = (bytes: number | undefined) => (bytes === undefined ? "-" : (bytes / 1024).toFixed(1));
  const rows = results.map((r) => {
    const total = Object.values(r.files).reduce((sum, bytes) => sum + bytes, 0);
    return (
      `| ${r.fn.stack} ${r.fn.name} | ${r.fn.source ?? "-"} | ${kib(r.files["index.js"])} | ${kib(r.files["index.js.map"])} | ` +
      `${kib(total)} | ${kib(r.zipBytes)} | ${r.initMs.toFixed(1)} | ${r.cpuMs.toFixed(1)} | ${r.withinBudget ? "yes" : "no"} |`
    );
  });
  // Init time is CPU-bound and the machine is shared: the load says how much to trust the milliseconds.
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  return [
    `| function | handler | index.js KiB | index.js.map KiB | archive KiB (≤ ${BUDGET.archiveBytes / 1024}) | zip KiB (≤ ${BUDGET.zipBytes / 1024}) | ` +
      `init ms, median (≤ ${BUDGET.initMs}) | init CPU ms | within budget |`,
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ...rows,
    "",
    ...duplicatesReport(results),
    "archive: the files of the directory the Function component gives Pulumi; zip: what the engine makes of it and " +
      "Lambda stores (its CodeSize); init: require() of the handler in a fresh process, in the environment Lambda sets.",
    `${os.cpus().length} CPUs, load average ${load} (1, 5, 15 min), Node ${process.version}.`,
  ].join("\n");
}

/** The packages bundled from more than one installed copy, per handler; none is the goal. */
function duplicatesReport(results: readonly FunctionBenchmark[]): string[] {
  const byHandler = new Map(results.filter((r) => r.fn.source).map((r) => [r.fn.source, r.fn.duplicates]));
  const lines = [...byHandler]
    .filter(([, duplicates]) => duplicates.length > 0)
    .map(([handler, duplicates]) => `- ${handler}: ${duplicates.map((d) => `${d.name} (${d.versions.join(", ")})`).join("; ")}`);
  return lines.length === 0
    ? ["Every bundle holds one copy of each package.", ""]
    : ["Packages bundled from more than one installed copy (one per version npm could not hoist):", ...lines, ""];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

if (require.main === module) {
  benchmarkHandlers()
    .then((results) => console.log(formatTable(results)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
