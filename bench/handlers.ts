import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { BUNDLE_FILE, DEFAULT_HANDLERS_ROOT, bundleHandler } from "../components/bundle";

// Bundles every handler exactly as the Function component does (components/bundle.ts), then measures what a cold
// start pays for the code: the bundle's size, and the time to require it in a fresh `node` process.

const run = promisify(execFile);

/** The goals of issue 5, per handler. */
export const BUDGET = { bytes: 400 * 1024, initMs: 80 } as const;

export interface HandlerBenchmark {
  /** Relative to the handlers root, e.g. `orders/place-order.ts`. */
  readonly handler: string;
  /** Size of the minified bundle (`index.js`, source map excluded). */
  readonly bytes: number;
  /** Median over the runs of the time `require()` of the bundle takes in a fresh process. */
  readonly initMs: number;
  /** Every run's time, in order. */
  readonly runsMs: readonly number[];
  readonly withinBudget: boolean;
}

export interface BenchmarkOptions {
  /** Fresh processes per handler; the median is reported. @default 5 */
  readonly runs?: number;
  /** @default `<repo>/handlers` */
  readonly handlersRoot?: string;
}

/**
 * Every value a handler validates at load, so init measures the code and not a configuration error. Fake
 * credentials and a region: nothing is called at load, but the SDK clients are built.
 */
const HANDLER_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "fake",
  AWS_SECRET_ACCESS_KEY: "fake",
  AWS_LAMBDA_FUNCTION_NAME: "bench",
  POWERTOOLS_SERVICE_NAME: "bench",
  POWERTOOLS_METRICS_NAMESPACE: "orderflow",
  POWERTOOLS_LOG_LEVEL: "INFO",
  ORDERS_TABLE_NAME: "orders",
  STOCK_TABLE_NAME: "stock",
  PAYMENTS_TABLE_NAME: "payments",
  SHIPMENTS_TABLE_NAME: "shipments",
  EVENT_BUS_NAME: "orders",
  IDEMPOTENCY_TABLE_NAME: "idempotency",
  LABELS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/labels",
  EMAIL_FROM: "orders@mail.example.com",
  EMAIL_CONFIGURATION_SET: "notifications",
  EMAIL_RECIPIENTS: "success@simulator.amazonses.com",
  SMS_ORIGINATION_IDENTITY: "arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef0123456789abcdef",
  SMS_RECIPIENTS: "+14254147755",
};

// Runs in the child: only the require is timed, not node's own start.
const MEASURE = `
const start = process.hrtime.bigint();
const mod = require(process.argv[1]);
const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
if (typeof mod.handler !== "function") throw new Error("the bundle exports no handler");
process.stdout.write(String(elapsed));
`;

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

export async function benchmarkHandlers(options: BenchmarkOptions = {}): Promise<HandlerBenchmark[]> {
  const runs = options.runs ?? 5;
  const root = options.handlersRoot ?? DEFAULT_HANDLERS_ROOT;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-bench-"));
  try {
    const results: HandlerBenchmark[] = [];
    for (const handler of handlerFiles(root)) {
      const bundle = bundleHandler({ handler, handlersRoot: root });
      const dir = path.join(workDir, handler.replace(/[/.]/g, "_"));
      fs.mkdirSync(dir);
      for (const [name, text] of Object.entries(bundle.files)) fs.writeFileSync(path.join(dir, name), text);
      const file = path.join(dir, BUNDLE_FILE);

      // One after another: parallel processes would measure each other.
      const runsMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await run(process.execPath, ["--no-warnings", "-e", MEASURE, file], {
          env: { PATH: process.env.PATH ?? "", ...HANDLER_ENVIRONMENT },
          cwd: dir,
        });
        runsMs.push(Number(stdout));
      }
      const bytes = Buffer.byteLength(bundle.files[BUNDLE_FILE]);
      const initMs = median(runsMs);
      results.push({ handler, bytes, initMs, runsMs, withinBudget: bytes < BUDGET.bytes && initMs < BUDGET.initMs });
    }
    return results;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/** The results as a Markdown table, with the budget in the header. */
export function formatTable(results: readonly HandlerBenchmark[]): string {
  const rows = results.map(
    (r) => `| ${r.handler} | ${(r.bytes / 1024).toFixed(1)} | ${r.initMs.toFixed(1)} | ${r.withinBudget ? "yes" : "no"} |`,
  );
  // Init time is CPU-bound and the machine is shared: the load says how much to trust the milliseconds.
  const load = os.loadavg().map((l) => l.toFixed(2)).join(", ");
  return [
    `| handler | bundle KiB (< ${BUDGET.bytes / 1024}) | init ms, median (< ${BUDGET.initMs}) | within budget |`,
    "|---|---:|---:|---|",
    ...rows,
    "",
    `${os.cpus().length} CPUs, load average ${load} (1, 5, 15 min), Node ${process.version}.`,
  ].join("\n");
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
