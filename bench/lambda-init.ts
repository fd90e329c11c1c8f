import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** What the init of one function depends on, as its `aws:lambda/function:Function` resource declares it. */
export interface LambdaConfiguration {
  /** The physical function name. */
  readonly functionName: string;
  /** `<file>.<export>`, e.g. `index.handler`. */
  readonly handler: string;
  /** e.g. `nodejs24.x`. */
  readonly runtime: string;
  readonly memorySize: number;
  readonly region: string;
  readonly logGroup: string;
  readonly tracing: boolean;
  /** The function's own environment variables (the Function component's, NODE_OPTIONS included). */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * The environment a function's code starts in on Lambda: the variables the runtime defines, then the function's own.
 * The runtime's list and values are from https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
 * (section "Defined runtime environment variables"); the credentials are the execution role's, fake here (nothing is
 * called at init). `_X_AMZN_TRACE_ID` is set per invocation, so not at init. `taskRoot` stands for /var/task.
 */
export function lambdaEnvironment(fn: LambdaConfiguration, taskRoot: string): Record<string, string> {
  const runtime: Record<string, string> = {
    _HANDLER: fn.handler,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: "2026/01/01/[$LATEST]00000000000000000000000000000000",
    AWS_LAMBDA_RUNTIME_API: "127.0.0.1:9001",
    AWS_ACCESS_KEY_ID: "ASIABENCHBENCHBENCH0",
    AWS_SECRET_ACCESS_KEY: "bench/bench/bench/bench/bench/bench/bench0",
    AWS_SESSION_TOKEN: "bench-session-token",
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    LANG: "en_US.UTF-8",
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    TZ: ":UTC",
    // With active tracing, Lambda runs the X-Ray daemon and tells the SDK where it listens.
    ...(fn.tracing
      ? {
          AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
          AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129:2000",
          _AWS_XRAY_DAEMON_ADDRESS: "169.254.79.129",
          _AWS_XRAY_DAEMON_PORT: "2000",
        }
      : {}),
  };
  return { ...runtime, ...fn.variables };
}

// Runs in the child: only loading the handler module is timed, not Node's own start. Loaded as Lambda's Node.js
// runtime loads a CommonJS handler: require() of `<task root>/<file>`, then the export is looked up. The CPU time
// (all of the process's threads) is reported beside the wall time: on a shared machine it moves far less with load.
const MEASURE = `
const [file, exportName] = process.argv.slice(1);
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
const mod = require(file);
const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
const { user, system } = process.cpuUsage(cpu);
if (typeof mod[exportName] !== "function") throw new Error(file + " exports no function " + exportName);
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (user + system) / 1000 }));
`;

/** One load of a handler module: wall time and CPU time, in ms. */
export interface InitTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/**
 * The time a fresh Node process takes to load the function's handler module from `taskRoot`, in the environment
 * Lambda gives it (NODE_OPTIONS=--enable-source-maps included: the source map is read at load).
 */
export async function measureInit(fn: LambdaConfiguration, taskRoot: string): Promise<InitTime> {
  const dot = fn.handler.lastIndexOf(".");
  const file = path.join(taskRoot, `${fn.handler.slice(0, dot)}.js`);
  const { stdout } = await run(
    process.execPath,
    ["-e", MEASURE, file, fn.handler.slice(dot + 1)],
    { env: lambdaEnvironment(fn, taskRoot), cwd: taskRoot },
  );
  return JSON.parse(stdout) as InitTime;
}
