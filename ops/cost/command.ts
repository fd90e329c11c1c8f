import { InvalidArgumentError, Option } from "commander";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "../../stacks/environments";
import { ExitCode } from "../automation/exit-codes";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../offline/synthesize";
import { REPO_ROOT } from "../repo-root";
import { budgetProblems, costBudgetOf, type CostBudget } from "./budget";
import { fixedMonthlyCost, userPoolPlans } from "./fixed-cost";
import { measurementsFile, readMeasurements, writeMeasurements } from "./measurements";
import { priceOrder } from "./order-cost";
import { loadPriceTable, Pricer } from "./price-table";
import { formatCostReport, type CostReport } from "./report";
import { parseCommandLine, subcommand, type CommandIo } from "../commands/subcommand";

export type CostCommandIo = CommandIo;

interface CostOptions {
  readonly env: Environment;
  readonly ordersPerDay?: number;
  readonly json: boolean;
  readonly measure: boolean;
  readonly timeScale: number;
}

/**
 * `orderflow cost --env <env> [--measure] [--orders-per-day N] [--json]`: what an order costs, measured on the local
 * cloud (the last `--measure` run's usage, priced), and what the environment costs a month whether or not anyone
 * orders, read from its graph. Exits 1 when a figure exceeds the environment's `costBudget`, 2 on an error.
 */
export async function runCostCommand(argv: readonly string[], io: CostCommandIo, root = REPO_ROOT): Promise<number> {
  const parsed = parseCommandLine(() => parse(argv, io), io);
  if ("exitCode" in parsed) return parsed.exitCode;
  const options: CostOptions = parsed.options;
  try {
    const file = measurementsFile(root, options.env);
    if (options.measure) {
      io.write(`orderflow cost: measuring ${options.env}'s order paths on the local cloud (time scale ${options.timeScale})...`);
      // The local cloud is loaded only to measure: reading the last measurements needs none of it.
      const { measureOrderPaths } = await import("./measure");
      writeMeasurements(file, await measureOrderPaths({ env: options.env, root, timeScale: options.timeScale, onPath: (s) => io.write(`  measuring ${s}`) }));
    }
    const report = await costReport(options.env, root, { ...(options.ordersPerDay !== undefined ? { ordersPerDay: options.ordersPerDay } : {}), measurements: file });
    if (options.json) io.write(JSON.stringify(report, null, 2));
    else for (const line of formatCostReport(report)) io.write(line);
    if (options.ordersPerDay !== undefined && !report.monthly) io.writeError(`note: --orders-per-day needs measured orders: run with --measure first (it writes ${path.relative(process.cwd(), file)}).`);
    return report.problems.length > 0 ? ExitCode.overBudget : ExitCode.ok;
  } catch (error) {
    io.writeError(`error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.error;
  }
}

/** The cost report of an environment: the measured paths priced (when measured), the fixed cost, the budget's verdict. */
export async function costReport(env: Environment, root: string, options: { ordersPerDay?: number; measurements: string; budget?: CostBudget; stacks?: readonly ResolvedStack[] }): Promise<CostReport> {
  const pricer = new Pricer(loadPriceTable());
  const stacks = options.stacks ?? (await synthesizeResolvedEnvironment({ env, root }));
  const resources = stacks.flatMap((s) => s.resolved.resources);
  const fixed = fixedMonthlyCost(resources, pricer);
  const fixedMonthlyUsd = fixed.reduce((n, l) => n + l.monthlyUsd, 0);
  const wafInspectsApi = resources.some((r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation");
  const measured = readMeasurements(options.measurements);
  if (measured && measured.env !== env) throw new Error(`${options.measurements} holds ${measured.env}'s measurements, not ${env}'s`);
  const paths = (measured?.paths ?? []).map((p) => ({ scenario: p.scenario, path: p.path, orders: p.orders, cost: priceOrder(p.usage, p.orders, pricer, { wafInspectsApi }) }));
  const costliest = paths.reduce<(typeof paths)[number] | undefined>((max, p) => (!max || p.cost.totalUsd > max.cost.totalUsd ? p : max), undefined);
  const monthly =
    options.ordersPerDay !== undefined && costliest
      ? { ordersUsd: costliest.cost.totalUsd * options.ordersPerDay * 30, totalUsd: costliest.cost.totalUsd * options.ordersPerDay * 30 + fixedMonthlyUsd }
      : undefined;
  const problems = budgetProblems(env, options.budget ?? costBudgetOf(env, root), {
    fixedMonthlyUsd,
    ...(costliest ? { perOrderUsd: { usd: costliest.cost.totalUsd, path: `${costliest.path} (${costliest.scenario})` } } : {}),
  });
  return {
    env,
    prices: { region: pricer.table.region, read: pricer.table.read },
    ...(measured ? { measured: { at: measured.measuredAt, timeScale: measured.timeScale } } : {}),
    paths,
    fixed,
    fixedMonthlyUsd,
    userPools: userPoolPlans(resources).map((p) => ({ ...p, usdPerMau: pricer.price(`cognito.mau.${p.plan}`, 1) })),
    ...(options.ordersPerDay !== undefined ? { ordersPerDay: options.ordersPerDay } : {}),
    ...(monthly ? { monthly } : {}),
    problems,
  };
}

function parse(argv: readonly string[], io: CostCommandIo): CostOptions {
  const count = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError("expected a number of orders, 0 or more");
    return n;
  };
  const scale = (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError("expected a factor above 0, at most 1");
    return n;
  };
  const program = subcommand("orderflow cost", io)
    .description("What an order costs (measured on the local cloud and priced) and what the environment costs a month whether or not anyone orders.")
    .addOption(new Option("--env <env>", "the environment").choices([...ENVIRONMENTS]).makeOptionMandatory())
    .option("--measure", "run the order paths on the local cloud first and measure them (writes .orderflow/local/<env>/usage.json)", false)
    .option("--orders-per-day <n>", "the monthly total at this many orders a day", count)
    .option("--time-scale <f>", "the local cloud's time scale while measuring", scale, 0.01)
    .option("--json", "the report as JSON", false);
  program.parse(argv, { from: "user" });
  const opts = program.opts<{ env: Environment; measure: boolean; ordersPerDay?: number; timeScale: number; json: boolean }>();
  return { env: opts.env, measure: opts.measure, json: opts.json, timeScale: opts.timeScale, ...(opts.ordersPerDay !== undefined ? { ordersPerDay: opts.ordersPerDay } : {}) };
}
