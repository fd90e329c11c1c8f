import * as fs from "node:fs";
import * as path from "node:path";
import type { Environment, StackKind } from "../../stacks/environments";
import { askYesNoDetails, planDetails, terminalAsk, type Ask } from "./confirm";
import { OperationError } from "./errors";
import { ExitCode, type ExitCodeValue } from "./exit-codes";
import { planRun, type Operation, type RunPlan } from "./plan";
import { formatStaleExemptions, staleExemptionsOf } from "../policy/stale-exemptions";
import { policyPackOptions } from "./policy";
import { accountCheck } from "./account-check";
import { checkAccount, preflight, type AccountCheck, type Machine } from "./preflight";
import { listrReporter, plainReporter, type ProgressReporter } from "./progress";
import { protectedResources, type ProtectedResource } from "./protection";
import { runPlan } from "./runner";
import { runStackOperation, type StackStep } from "./stack-operation";
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
  /** up and destroy: go ahead without asking (`pulumi up --yes`). */
  readonly yes?: boolean;
  /** The CLI prints each resource's properties (`--diff`). */
  readonly diff?: boolean;
  /** The CLI leaves stack outputs out (`--suppress-outputs`). */
  readonly suppressOutputs?: boolean;
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
  /** Whether someone at a terminal can answer the question before up and destroy. @default stdin and stdout are TTYs */
  readonly interactive?: boolean;
  /** How the question is asked. @default readline on the terminal */
  readonly ask?: Ask;
}

export interface OperationOutcome {
  readonly plan: RunPlan;
  readonly results: readonly StackResult[];
  readonly exitCode: ExitCodeValue;
}

/** The operations that change the cloud, and what `pulumi` calls each in its question. */
const CHANGES: Partial<Record<Operation, "update" | "destroy">> = { up: "update", destroy: "destroy" };

/**
 * `orderflow <up|preview|destroy|drift> --env <env>`: checks the machine, runs the environment's stacks in deployment
 * waves, prints the summary (and the drift table), and returns the exit code. Before up and destroy change anything,
 * it previews every stack and asks, as `pulumi up` does. Throws OperationError for problems found before or instead of
 * running (Pulumi CLI or credentials missing, no terminal to ask in).
 */
export async function runOperation(request: OperationRequest, context: OperationContext): Promise<OperationOutcome> {
  const repoRoot = context.repoRoot ?? REPO_ROOT;
  const backend = backendUrl(context.machine, repoRoot);
  preflight(context.machine, backend);
  const kind = CHANGES[request.operation];
  const interactive = context.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
  if (kind && !request.yes && !interactive) {
    // As the CLI refuses: "--yes must be passed in to proceed when running in non-interactive mode".
    throw new OperationError(
      `\`orderflow ${request.operation}\` changes the cloud, so it shows the plan and asks first, but there is no terminal to ask in. ` +
        `Pass --yes to ${request.operation} without asking (the deploy workflow does), or run it in a terminal.`,
    );
  }
  ensureFileBackend(backend, context.machine.homedir);

  const plan = planRun(request.env, request.operation, request.stack);
  const policy = policyPackOptions(request.env, repoRoot);
  const workspace = context.workspace ?? localWorkspace(workspaceEnv(context.machine, backend));
  // Before any stack changes (and before the previews and the question): an account that cannot take the
  // environment would fail it halfway.
  if (request.operation === "up") await checkAccount(plan, context.accountCheck ?? accountCheck(workspace, repoRoot, request.env));
  // Each stack's output as the Pulumi CLI printed it, for the plan shown before the question.
  const printed = new Map<string, string>();
  const run = (step: StackStep, reporter: ProgressReporter) =>
    runPlan(plan, {
      workspace,
      workDir: repoRoot,
      parallel: request.parallel,
      reporter,
      execute: (stack, planned, onOutput) =>
        runStackOperation(step, stack, {
          policy,
          onOutput: (text) => {
            printed.set(planned.stack, (printed.get(planned.stack) ?? "") + text);
            onOutput(text);
          },
          diff: request.diff ?? false,
          suppressOutputs: request.suppressOutputs ?? false,
        }),
    });
  const reporter = (echo = true) => context.reporter ?? (process.stdout.isTTY ? listrReporter() : plainReporter(context.write, { echo }));
  const finish = async (results: readonly StackResult[]): Promise<OperationOutcome> => {
    context.write(formatSummary(plan, results));
    if (request.operation === "drift") context.write(formatDrift(results));
    const stale = await environmentStaleExemptions(request, policy.policyPackConfigs?.[0], results);
    if (stale.length > 0) context.write(formatStaleExemptions(stale, path.relative(repoRoot, policy.policyPackConfigs?.[0] ?? ""), request.env));
    const exitCode = exitCodeOf(results);
    if (request.json) writeJson(repoRoot, plan, results, exitCode);
    return { plan, results, exitCode };
  };

  if (request.operation === "destroy") {
    // Said before anything starts, with or without the question: these stop the destroy part-way.
    const blockers = await deletionProtection(plan, workspace, repoRoot);
    if (blockers.length > 0) context.write(formatProtection(blockers));
  }
  if (kind && !request.yes) {
    // The previews run quietly; then each stack's preview is shown whole, in deployment order.
    const planned = await run(request.operation === "destroy" ? "preview-destroy" : "preview", reporter(false));
    context.write(formatPlans(planned, kind, printed));
    // As `pulumi up`: a plan that fails (an error, a mandatory policy) is not offered.
    if (planned.some((r) => r.status !== "succeeded")) {
      context.write(`\nNot asking: the ${kind} cannot go ahead while a stack's preview fails.`);
      return finish(planned);
    }
    for (;;) {
      const answer = await askYesNoDetails(context.ask ?? terminalAsk, kind, context.write);
      if (answer === "yes") break;
      if (answer === "no") throw new OperationError(`confirmation declined, not proceeding with the ${kind}`);
      context.write(await planDetails(planned));
    }
  }
  return finish(await run(request.operation, reporter()));
}

/**
 * The environment's stale exemptions, when this run saw every stack of it with the pack attached (preview and up over
 * the whole environment, every stack through): the resources each stack has, from its steps.
 */
async function environmentStaleExemptions(request: OperationRequest, configFile: string | undefined, results: readonly StackResult[]) {
  const withPack = request.operation === "preview" || request.operation === "up";
  if (!withPack || request.stack !== undefined || results.some((r) => r.status !== "succeeded")) return [];
  const stacks = results.map((r) => (r.events ?? []).flatMap((e) => (e.resourcePreEvent ? [{ urn: e.resourcePreEvent.metadata.urn, type: e.resourcePreEvent.metadata.type }] : [])));
  return staleExemptionsOf(configFile, stacks);
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

/** Every stack's plan, as the CLI printed its preview, then the totals the question is about. */
function formatPlans(results: readonly StackResult[], kind: "update" | "destroy", printed: ReadonlyMap<string, string>): string {
  const lines: string[] = [];
  for (const r of results) lines.push("", `=== ${r.stack} ===`, (printed.get(r.stack) ?? "").trimEnd() || "(the Pulumi CLI printed nothing)");
  lines.push("", `The plan (${results.length} ${results.length === 1 ? "stack" : "stacks"}):`);
  for (const r of results) {
    const counts = Object.entries(r.changes ?? {})
      .filter(([op, n]) => op !== "same" && (n ?? 0) > 0)
      .map(([op, n]) => `${n} to ${op}`);
    const policy = r.policyViolations.length > 0 ? `; ${r.policyViolations.length} policy ${r.policyViolations.length === 1 ? "finding" : "findings"}` : "";
    lines.push(`  ${r.stack}: ${r.status === "succeeded" ? (counts.length > 0 ? counts.join(", ") : "no changes") : r.status}${policy}`);
  }
  lines.push(`(Each stack's preview, policy results included, is above; \`details\` lists every step of the ${kind}.)`);
  return lines.join("\n");
}

async function deletionProtection(plan: RunPlan, workspace: StackWorkspace, repoRoot: string): Promise<ProtectedResource[]> {
  const found: ProtectedResource[] = [];
  for (const planned of plan.waves.flat()) {
    try {
      const stack = await workspace.createOrSelectStack({ stackName: planned.stack, workDir: repoRoot });
      const state = await stack.exportStack();
      found.push(...protectedResources(planned.stack, state.deployment ?? {}));
    } catch {
      // A stack that cannot be read fails in its own step, which reports why.
    }
  }
  return found;
}

function formatProtection(blockers: readonly ProtectedResource[]): string {
  return [
    `warning: deletion protection will stop this destroy at ${blockers.length} ${blockers.length === 1 ? "resource" : "resources"}; the stacks that need them are kept too:`,
    ...blockers.map((b) => `  ${b.stack}: ${b.type} ${b.name}: ${b.reason}`),
  ].join("\n");
}

function writeJson(repoRoot: string, plan: RunPlan, results: readonly StackResult[], exitCode: number): void {
  const dir = path.join(repoRoot, ".orderflow", plan.env);
  fs.mkdirSync(dir, { recursive: true });
  // The engine's events stay out: they are the CLI's own record, and large.
  const stacks = results.map(({ events: _events, ...rest }) => rest);
  const body = { operation: plan.operation, env: plan.env, exitCode, waves: plan.waves.map((w) => w.map((s) => s.stack)), stacks };
  fs.writeFileSync(path.join(dir, `${plan.operation}-summary.json`), `${JSON.stringify(body, null, 2)}\n`);
}
