import { CommanderError, InvalidArgumentError, Option } from "commander";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "../../../stacks/environments";
import { OperationError } from "../../automation/errors";
import { ExitCode } from "../../automation/exit-codes";
import { REPO_ROOT } from "../../repo-root";
// Types only: the local cloud's modules take seconds to load, so they load after the port check (see runLocalCommand).
import type { LocalCloud } from "../../../localcloud/cloud";
import type { Scenario, ScenarioResult } from "../../../localcloud/app/scenarios/scenario";
import type { LocalIam } from "../../../localcloud/iam/authorizer";
import { PortInUseError, requirePortsFree } from "../../../localcloud/kernel/port-check";
import { DEFAULT_AWS_PORT, DEFAULT_PORT, portOption } from "./port-option";
import { readFaultPlan } from "../../../localcloud/faults/fault-plan";
import { subcommand, type CommandIo } from "../subcommand";

export { DEFAULT_PORT };

export interface LocalCommandIo extends CommandIo {
  /** Resolves when the user asks to stop (Ctrl-C); the serve mode waits on it. */
  readonly interrupted?: () => Promise<string>;
}

interface LocalOptions {
  readonly env: Environment;
  readonly port: number;
  readonly awsPort: number;
  readonly seed?: string;
  readonly scenario?: string;
  readonly timeScale: number;
  readonly quiet: boolean;
  readonly iam: "on" | "off";
  readonly trace?: string;
  readonly faults?: string;
  readonly faultSeed?: number;
  readonly orders?: number;
}

/**
 * `orderflow local --env <env> [--port N] [--seed FILE] [--time-scale F] [--scenario NAME|all]`: runs the environment
 * on this machine from its synthesized graph. Without --scenario it serves until interrupted; with one it runs the
 * scenarios and exits 0 when every expectation held, 1 otherwise. Errors (a port in use, Java missing, a bad seed, an
 * unknown scenario, a function that does not load) exit 2 with one line.
 */
export async function runLocalCommand(argv: readonly string[], io: LocalCommandIo): Promise<number> {
  if (argv[0] === "token") return (await import("./token-command")).runTokenCommand(argv.slice(1), io);
  if (argv[0] === "env") return (await import("./env-command")).runEnvCommand(argv.slice(1), io);
  let options: LocalOptions;
  try {
    // The scenarios' names are listed in --help only: loading them costs what the port check below must not wait for.
    const wantsHelp = argv.includes("--help") || argv.includes("-h");
    options = parse(argv, io, wantsHelp ? (await import("../../../localcloud/app/scenarios")).SCENARIOS.map((s) => s.name) : undefined);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.error;
    io.writeError(`error: ${(error as Error).message}`);
    return ExitCode.error;
  }
  if (options.trace !== undefined) return printTrace(options.env, options.trace, io);
  // A port in use fails here, in well under a second, before the local cloud's modules load (seconds) or anything
  // starts; LocalCloud.start checks again, and takes the environment's run lock.
  try {
    await requirePortsFree([
      { port: options.port, what: "the API" },
      { port: options.awsPort, what: "the AWS endpoint", flag: "--aws-port" },
    ]);
  } catch (error) {
    io.writeError(`error: ${startError(error, options)}`);
    return ExitCode.error;
  }
  const { LocalCloud } = await import("../../../localcloud/cloud");
  const scenarios = await selectScenarios(options.scenario);
  if (typeof scenarios === "string") {
    io.writeError(`error: ${scenarios}`);
    return ExitCode.error;
  }

  let cloud: LocalCloud;
  try {
    const faults = options.faults ? readFaultPlan(path.resolve(options.faults)) : undefined;
    io.write(`orderflow local: starting ${options.env} (synthesizing the stacks, starting DynamoDB Local)...`);
    cloud = await LocalCloud.start({
      env: options.env,
      port: options.port,
      awsPort: options.awsPort,
      timeScale: options.timeScale,
      iam: options.iam === "on",
      ...(options.seed ? { seedFile: path.resolve(options.seed) } : {}),
      ...(faults ? { faults: { ...faults, ...(options.faultSeed !== undefined ? { seed: options.faultSeed } : {}) } } : {}),
    });
  } catch (error) {
    io.writeError(`error: ${startError(error, options)}`);
    return ExitCode.error;
  }
  try {
    io.write(readyLine(cloud, options));
    io.write(accessLine(cloud, options));
    if (scenarios.length === 0) {
      const { activityLine } = await import("../../../localcloud/activity-line");
      const unsubscribe = options.quiet ? () => undefined : cloud.activity.subscribe((r) => io.write(activityLine(r)));
      const signal = await (io.interrupted ?? interrupted)();
      unsubscribe();
      // Say what is being stopped, then what was: the label worker drains first (up to its stop timeout).
      const { describeParts, runningParts, stoppedLine } = await import("./stop-report");
      const before = runningParts(cloud);
      io.write(`\n${signal}: stopping ${describeParts(before)}...`);
      const stopping = performance.now();
      await cloud.stop();
      io.write(stoppedLine(before, runningParts(cloud), performance.now() - stopping));
      return ExitCode.ok;
    }
    const { runScenarios } = await import("../../../localcloud/app/scenarios/scenario");
    const results = await runScenarios(cloud, scenarios, { parallel: true, scenarioOptions: { ...(options.orders !== undefined ? { orders: options.orders } : {}), ...(options.faultSeed !== undefined ? { seed: options.faultSeed } : {}) } });
    for (const result of results) io.write(renderScenario(result, scenarios.find((s) => s.name === result.name)!));
    if (cloud.iam) await writeAccess(cloud, cloud.iam, scenarios, io);
    const failed = results.filter((r) => !r.ok);
    io.write(`\n${results.length - failed.length} of ${results.length} scenario(s) passed${failed.length > 0 ? `; failed: ${failed.map((r) => r.name).join(", ")}` : ""}. Logs: ${path.join(cloud.outputDir, "logs")}`);
    return failed.length === 0 ? ExitCode.ok : ExitCode.scenarioFailed;
  } finally {
    await cloud.stop();
  }
}

/**
 * Writes what the scenarios used to `.orderflow/local/<env>/access.json` (every decision, per principal) and prints,
 * per role, the grants no scenario used.
 */
async function writeAccess(cloud: LocalCloud, iam: LocalIam, scenarios: readonly Scenario[], io: LocalCommandIo): Promise<void> {
  const { accessRecordFile, writeAccessRecord } = await import("../../access/access-record");
  const { formatUnusedByScenarios, unusedByScenarios } = await import("../../access/scenario-usage");
  const record = iam.accessLog.toRecord(cloud.graph.env, scenarios.map((s) => s.name));
  const file = accessRecordFile(REPO_ROOT, cloud.graph.env);
  writeAccessRecord(file, record);
  const unused = unusedByScenarios(cloud.graph.resources.flatMap((s) => s.resources), record, (roleArn) => iam.hints.ownerOf(roleArn));
  io.write("");
  for (const line of formatUnusedByScenarios(record, unused, path.relative(process.cwd(), file))) io.write(line);
}

function parse(argv: readonly string[], io: LocalCommandIo, scenarioNames?: readonly string[]): LocalOptions {
  const program = subcommand("orderflow local", io)
    .description("Run an environment on this machine, from its synthesized graph: DynamoDB Local, the functions, queues, rules, topics, the pipe, the saga, the API and the label worker.")
    .addOption(new Option("--env <env>", "the environment").choices(ENVIRONMENTS).makeOptionMandatory())
    .option("--port <port>", "the API's port", portOption(0), DEFAULT_PORT)
    .option("--aws-port <port>", "the AWS endpoint's port: every service's API, for the AWS CLI and SDKs (0: any free port)", portOption(0, "--aws-port"), DEFAULT_AWS_PORT)
    .option("--seed <file>", "the catalog seed file: {\"catalog\": {\"<sku>\": {\"stock\": <quantity>, \"prices\": {\"EUR\": <minor units>}}}} (default localcloud/app/seed/default.json)")
    .option("--scenario <name>", `run scenarios and exit: ${scenarioNames ? scenarioNames.join(", ") : "a scenario's name"} or all`)
    .option("--time-scale <factor>", "multiply every configured wait (visibility timeouts, batching windows, retry intervals) by this factor, above 0 and at most 1", parseScale, 1)
    .option("--faults <file>", "inject faults (YAML or JSON): per function invocation errors, added latency, crashes and throttles; per queue duplicate deliveries; SES and SMS throttling; stopped ECS tasks (see README, Fault injection)")
    .option("--fault-seed <n>", "the seed of the faults' random draws (and the chaos scenario's orders): the same seed repeats a run", parseSeed)
    .option("--orders <n>", "how many orders the chaos scenario places (default 6)", parseOrders)
    .option("--quiet", "do not print the activity while serving", false)
    .option("--trace <orderId>", "print an order's journey as a timeline, from the traces the last run wrote (.orderflow/local/<env>/traces/), and exit")
    .addOption(new Option("--iam <mode>", "verify each request's SigV4 signature and decide it with IAM from the graph (off: neither)").choices(["on", "off"]).default("on"))
    .addHelpText("after", "\nExit codes: 0 ok (or every scenario passed), 1 a scenario failed, 2 an error.\nExamples: npm run local; npm run orderflow -- local --env dev --scenario all --time-scale 0.01\nWhile it runs: npm run orderflow -- local token --env dev --customer <id> prints a customer's bearer token (see local token --help);\neval \"$(npm run -s orderflow -- local env --env dev)\" points the AWS CLI and SDKs at it as its operator (see local env --help).");
  program.parse([...argv], { from: "user" });
  return program.opts<LocalOptions>();
}


function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new InvalidArgumentError(`--fault-seed must be a whole number from 0 to 4294967295, but "${value}" was given.`);
  return n;
}

function parseOrders(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new InvalidArgumentError(`--orders must be a whole number from 1 to 10000, but "${value}" was given.`);
  return n;
}

function parseScale(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError(`--time-scale must be above 0 and at most 1 (0.01 makes a 65 s visibility timeout 650 ms), but "${value}" was given.`);
  return n;
}

async function selectScenarios(name: string | undefined): Promise<Scenario[] | string> {
  if (name === undefined) return [];
  const { SCENARIOS, scenarioNamed } = await import("../../../localcloud/app/scenarios");
  if (name === "all") return [...SCENARIOS];
  const scenario = scenarioNamed(name);
  return scenario ? [scenario] : `unknown scenario "${name}"; the scenarios are ${SCENARIOS.map((s) => s.name).join(", ")}, or all.`;
}

/** One line for what failed to start. */
function startError(error: unknown, options: LocalOptions): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === "EADDRINUSE") {
    // Checked before the run starts (PortInUseError), or taken since (Node's error names the address).
    const port = error instanceof PortInUseError ? error.port : Number(/:(\d+)$/.exec(e.message)?.[1]);
    return port === options.awsPort && port !== options.port
      ? `the AWS endpoint's port ${options.awsPort} is in use; pass another with --aws-port (or --aws-port 0 for any free one).`
      : `port ${options.port} is in use; pass another with --port (or --port 0 for any free one).`;
  }
  if (error instanceof OperationError) return error.message;
  return e.message ?? String(error);
}

function readyLine(cloud: LocalCloud, options: LocalOptions): string {
  const g = cloud.graph;
  const counts = [
    `${g.functions.length} functions`,
    `${g.queues.length} queues`,
    `${g.tables.length} tables`,
    `${g.rules.length} rules`,
    `${g.topics.length} topics`,
    `${g.pipes.length} pipe${g.pipes.length === 1 ? "" : "s"}`,
    `${g.stateMachines.length} state machine${g.stateMachines.length === 1 ? "" : "s"}`,
    `${g.containerServices.length} container service${g.containerServices.length === 1 ? "" : "s"}`,
  ].join(", ");
  const iam = options.iam === "on" ? "IAM enforced (SigV4 verified, decided from the graph)" : "IAM OFF: requests are neither verified nor authorized (--iam off)";
  return `orderflow local ${options.env}: ready in ${(cloud.startupMs / 1000).toFixed(1)} s (DynamoDB Local ${(cloud.dynamoDbStartupMs / 1000).toFixed(1)} s) — API ${cloud.apiUrl} — AWS endpoint ${cloud.endpointUrl} (eval "$(npm run -s orderflow -- local env --env ${options.env})") — ${counts}${options.timeScale !== 1 ? ` — time scale ${options.timeScale}` : ""}${cloud.faults.active ? ` — faults injected from ${options.faults} (seed ${cloud.faults.seed})` : ""} — ${iam}`;
}

/** The API keys of this run (made per run, as API Gateway makes them per key) and how to get a token. */
function accessLine(cloud: LocalCloud, options: LocalOptions): string {
  const keys = cloud.access.apiKeys().map((k) => `${k.name} ${k.value}`);
  const listening = cloud.apiUrl ? Number(new URL(cloud.apiUrl).port) : options.port;
  const port = listening !== DEFAULT_PORT ? ` --port ${listening}` : "";
  return `API keys (x-api-key): ${keys.join(", ") || "none"} — a token: npm run -s orderflow -- local token --env ${options.env} --customer <id>${port}`;
}

export function renderScenario(result: ScenarioResult, scenario: Scenario): string {
  const lines = [`\nscenario ${result.name}: ${scenario.description}`];
  for (const step of result.steps) {
    lines.push(`  ${step.ok ? "✓" : "✗"} ${step.label}${step.detail ? ` — ${step.detail}` : ""} (${step.ms} ms)`);
    // Why it failed, as the cloud recorded it: a denial naming the grant, a function error, a message dead-lettered.
    for (const error of step.errors ?? []) lines.push(`      ↳ ${error}`);
  }
  if (result.trace) {
    const [first, ...more] = result.trace.traceIds;
    lines.push(`  trace ${first}${more.length > 0 ? ` (+${more.length} linked by order ${result.trace.orderId})` : ""} (${path.relative(process.cwd(), result.trace.diagram)})`);
  }
  lines.push(result.ok ? `  passed in ${(result.ms / 1000).toFixed(1)} s` : `  FAILED: ${result.error}`);
  return lines.join("\n");
}

/**
 * `--trace <orderId>`: the order's timeline from the files the last run wrote. Traces live in the running cloud's
 * process; it writes them when a scenario ends, every few seconds while serving, and when it stops.
 */
async function printTrace(env: Environment, orderId: string, io: LocalCommandIo): Promise<number> {
  try {
    const { timelineFromFiles } = await import("../../../localcloud/services/xray/service");
    io.write(timelineFromFiles(path.join(REPO_ROOT, ".orderflow", "local", env, "traces"), orderId));
    return ExitCode.ok;
  } catch (error) {
    io.writeError(`error: ${(error as Error).message}`);
    return ExitCode.error;
  }
}

/** Resolves with the signal's name at the first SIGINT or SIGTERM. */
function interrupted(): Promise<string> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
}
