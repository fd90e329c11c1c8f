import type { StackKind } from "../../stacks/environments";
import { failureReport, isPulumiCliMissing, OperationError, PulumiCliMissingError, summarizeError } from "./errors";
import type { PlannedStack, RunPlan } from "./plan";
import type { ProgressReporter } from "./progress";
import type { StackResult } from "./stack-result";
import type { OperableStack, StackWorkspace } from "./workspace";

export interface RunnerOptions {
  readonly workspace: StackWorkspace;
  /** The Pulumi project directory (the repo root). */
  readonly workDir: string;
  /** How many stacks of one wave run at the same time, at least 1. */
  readonly parallel: number;
  readonly reporter: ProgressReporter;
  /** The operation on one stack; see runStackOperation. */
  readonly execute: (
    stack: OperableStack,
    planned: PlannedStack,
    onOutput: (text: string) => void,
  ) => Promise<Omit<StackResult, "kind" | "stack" | "skippedBecause">>;
}

/**
 * Runs a plan wave by wave, up to `parallel` stacks of a wave at a time. A stack whose prerequisites (see
 * PlannedStack.after) did not all succeed is skipped and names the failure it waited for; the others still run.
 * An OperationError (the Pulumi CLI is missing) stops the run: in-flight stacks finish, then it is rethrown.
 */
export async function runPlan(plan: RunPlan, options: RunnerOptions): Promise<StackResult[]> {
  const results = new Map<StackKind, StackResult>();
  let fatal: OperationError | undefined;
  options.reporter.start(plan);

  const runOne = async (planned: PlannedStack): Promise<void> => {
    const blocker = planned.after.map((kind) => results.get(kind)).find((r) => r !== undefined && r.status !== "succeeded");
    if (blocker) {
      const skipped: StackResult = {
        kind: planned.kind,
        stack: planned.stack,
        status: "skipped",
        skippedBecause: blocker.skippedBecause ?? blocker.stack,
        policyViolations: [],
      };
      results.set(planned.kind, skipped);
      options.reporter.stackFinished(skipped);
      return;
    }
    options.reporter.stackStarted(planned);
    const onOutput = (text: string) => options.reporter.stackOutput(planned, text);
    let result: StackResult;
    try {
      const stack = await options.workspace.createOrSelectStack({ stackName: planned.stack, workDir: options.workDir });
      result = { kind: planned.kind, stack: planned.stack, ...(await options.execute(stack, planned, onOutput)) };
    } catch (error) {
      if (error instanceof OperationError || isPulumiCliMissing(error)) {
        fatal ??= error instanceof OperationError ? error : new PulumiCliMissingError(summarizeError(error));
        return;
      }
      result = {
        kind: planned.kind,
        stack: planned.stack,
        status: "failed",
        error: failureReport(error),
        policyViolations: [],
      };
    }
    results.set(planned.kind, result);
    options.reporter.stackFinished(result);
  };

  for (const wave of plan.waves) {
    const queue = [...wave];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined && fatal === undefined; next = queue.shift()) await runOne(next);
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, options.parallel), wave.length) }, worker));
    if (fatal) break;
  }
  await options.reporter.finish();
  if (fatal) throw fatal;
  return plan.waves.flat().flatMap((planned) => results.get(planned.kind) ?? []);
}
