import * as fs from "node:fs";
import * as path from "node:path";
import type { Environment, StackKind } from "../../stacks/environments";
import { ExitCode, type ExitCodeValue } from "./exit-codes";
import { planRun, type Operation, type RunPlan } from "./plan";
import { policyPackOptions } from "./policy";
import { accountCheck } from "./account-check";
import { checkAccount, preflight, type AccountCheck, type Machine } from "./preflight";
import { listrReporter, plainReporter, type ProgressReporter } from "./progress";
import { runPlan } from "./runner";
import { runStackOperation } from "./stack-operation";
import type { StackResult } from "./stack-result";
import { formatDrift, formatSummary } from "./summary";
import { REPO_ROOT } from "../repo-root";
import { backendUrl, ensureFileBackend, localWorkspace, workspaceEnv, type StackWorkspace } from "./workspace";

export interface OperationRequest {
  readonly operation: Operation;
  readonly env: Environment;
  /** Limits the run to this kind and its upstreams (for destroy: its dependents). */
  readonly stack?: StackKind;
  /** Stacks of one wave run at most this many at a time. */
  readonly parallel: number;
  /** Also write `.orderflow/<env>/<operation>-summary.json`. */
  readonly json: boolean;
}

/** What a run needs from outside; the CLI passes the real ones, tests pass fakes. */
export interface OperationContext {
  readonly machine: Machine;
  /** Where the stacks come from. @default LocalWorkspace on the repo root, through the Pulumi CLI */
  readonly workspace?: StackWorkspace;
  /** @default a listr2 task list on a TTY, plain lines otherwise */
  readonly reporter?: ProgressReporter;
  /** Where the summary goes. */
  readonly write: (text: string) => void;
  /** @default the repository root */
  readonly repoRoot?: string;
  /** What `up` checks against the AWS account first. @default the real account, through Lambda and EC2 (account-check.ts) */
  readonly accountCheck?: AccountCheck;
}

export interface OperationOutcome {
  readonly plan: RunPlan;
  readonly results: readonly StackResult[];
  readonly exitCode: ExitCodeValue;
}

/**
 * `orderflow <up|preview|destroy|drift> --env <env>`: checks the machine, runs the environment's stacks in deployment
 * waves, prints the summary (and the drift table), and returns the exit code. Throws OperationError for problems
 * found before or instead of running (Pulumi CLI or credentials missing).
 */
export async function runOperation(request: OperationRequest, context: OperationContext): Promise<OperationOutcome> {
  const repoRoot = context.repoRoot ?? REPO_ROOT;
  const backend = backendUrl(context.machine, repoRoot);
  preflight(context.machine, backend);
  ensureFileBackend(backend, context.machine.homedir);

  const plan = planRun(request.env, request.operation, request.stack);
  const policy = policyPackOptions(request.env, repoRoot);
  const workspace = context.workspace ?? localWorkspace(workspaceEnv(context.machine, backend));
  // Before any stack changes: an account that cannot take the environment would fail it halfway.
  if (request.operation === "up") await checkAccount(plan, context.accountCheck ?? accountCheck(workspace, repoRoot, request.env));
  const results = await runPlan(plan, {
    workspace,
    workDir: repoRoot,
    parallel: request.parallel,
    reporter: context.reporter ?? (process.stdout.isTTY ? listrReporter() : plainReporter(context.write)),
    execute: (stack, _planned, onOutput) => runStackOperation(request.operation, stack, { policy, onOutput }),
  });

  context.write(formatSummary(plan, results));
  if (request.operation === "drift") context.write(formatDrift(results));
  const exitCode = exitCodeOf(results);
  if (request.json) writeJson(repoRoot, plan, results, exitCode);
  return { plan, results, exitCode };
}

/**
 * An error outranks a policy violation (the run is incomplete), and both outrank drift: a drift report with stacks
 * missing would close drift issues it never checked.
 */
export function exitCodeOf(results: readonly StackResult[]): ExitCodeValue {
  const failed = results.filter((r) => r.status === "failed");
  if (failed.some((r) => !r.policyViolations.some((v) => v.level === "mandatory"))) return ExitCode.error;
  if (failed.length > 0) return ExitCode.policyViolation;
  if (results.some((r) => r.drift?.status === "drifted")) return ExitCode.drift;
  return ExitCode.ok;
}

function writeJson(repoRoot: string, plan: RunPlan, results: readonly StackResult[], exitCode: number): void {
  const dir = path.join(repoRoot, ".orderflow", plan.env);
  fs.mkdirSync(dir, { recursive: true });
  const body = { operation: plan.operation, env: plan.env, exitCode, waves: plan.waves.map((w) => w.map((s) => s.stack)), stacks: results };
  fs.writeFileSync(path.join(dir, `${plan.operation}-summary.json`), `${JSON.stringify(body, null, 2)}\n`);
}
