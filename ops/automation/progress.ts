import { Listr } from "listr2";
import type { PlannedStack, RunPlan } from "./plan";
import type { StackResult } from "./stack-result";

/** What the runner tells the person watching. */
export interface ProgressReporter {
  start(plan: RunPlan): void;
  stackStarted(stack: PlannedStack): void;
  /** A chunk of the Pulumi CLI's output for a stack. */
  stackOutput(stack: PlannedStack, text: string): void;
  stackFinished(result: StackResult): void;
  /** Resolves once the display is done drawing. */
  finish(): Promise<void>;
}

/** The one-line verdict of a finished stack. */
export function verdict(result: StackResult): string {
  if (result.status === "skipped") return `skipped: ${result.skippedBecause} failed`;
  // The failure itself is reported once, in full, by the summary at the end of the run.
  if (result.status === "failed") return result.policyViolations.some((v) => v.level === "mandatory") ? "failed: mandatory policy violated (see the summary)" : "failed (see the summary)";
  if (result.drift) return result.drift.status === "drifted" ? `drifted (${result.drift.resources.length} resources)` : "in sync";
  const counts = Object.entries(result.changes ?? {})
    .filter(([op, n]) => op !== "same" && (n ?? 0) > 0)
    .map(([op, n]) => `${n} ${op}`);
  return counts.length > 0 ? counts.join(", ") : "no changes";
}

/**
 * Line output for CI logs and pipes: every line of every stack, prefixed with its stack so parallel stacks stay
 * readable when interleaved.
 */
export function plainReporter(write: (line: string) => void, options: { echo?: boolean } = {}): ProgressReporter {
  // Without echo, only starts and verdicts: the caller shows the CLI's output itself.
  const echo = options.echo ?? true;
  const partial = new Map<string, string>();
  return {
    start(plan) {
      const waves = plan.waves.map((wave) => wave.map((s) => s.stack).join(", "));
      write(`orderflow ${plan.operation} --env ${plan.env}: ${waves.map((w, i) => `wave ${i + 1} [${w}]`).join(" → ")}`);
    },
    stackStarted(stack) {
      write(`[${stack.stack}] ${stackVerb(stack)}`);
    },
    stackOutput(stack, text) {
      if (!echo) return;
      const lines = ((partial.get(stack.stack) ?? "") + text).split("\n");
      partial.set(stack.stack, lines.pop() ?? "");
      for (const line of lines) if (line.trim() !== "") write(`[${stack.stack}] ${line.trimEnd()}`);
    },
    stackFinished(result) {
      const rest = partial.get(result.stack);
      if (rest && rest.trim() !== "") write(`[${result.stack}] ${rest.trimEnd()}`);
      partial.delete(result.stack);
      write(`[${result.stack}] ${verdict(result)}`);
    },
    async finish() {},
  };
}

function stackVerb(stack: PlannedStack): string {
  return stack.after.length > 0 ? `started (after ${stack.after.join(", ")})` : "started";
}

/**
 * A live task list for terminals: one listr2 task per stack, which waits for the runner (the runner, not listr,
 * decides the order and the parallelism) and shows the stack's latest output line.
 */
export function listrReporter(): ProgressReporter {
  const tasks = new Map<string, { started: Deferred<(text: string) => void>; finished: Deferred<StackResult> }>();
  let running: Promise<unknown> = Promise.resolve();
  return {
    start(plan) {
      const stacks = plan.waves.flat();
      for (const s of stacks) tasks.set(s.stack, { started: deferred(), finished: deferred() });
      const list = new Listr(
        stacks.map((s) => ({
          title: `${s.stack}: waiting`,
          task: async (_ctx: unknown, task) => {
            const entry = tasks.get(s.stack)!;
            entry.started.resolve((text) => {
              const line = text.trim().split("\n").at(-1);
              if (line) task.output = line;
            });
            task.title = `${s.stack}: ${plan.operation}`;
            const result = await entry.finished.promise;
            task.title = `${s.stack}: ${verdict(result)}`;
            if (result.status === "skipped") task.skip(task.title);
            if (result.status === "failed") throw new Error(task.title);
          },
        })),
        { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
      );
      running = list.run().catch(() => undefined);
    },
    stackStarted() {},
    stackOutput(stack, text) {
      void tasks.get(stack.stack)?.started.promise.then((show) => show(text));
    },
    stackFinished(result) {
      tasks.get(result.stack)?.finished.resolve(result);
    },
    async finish() {
      // A run stopped early (the Pulumi CLI vanished) leaves tasks that will never hear back; close them.
      for (const [stack, entry] of tasks) {
        entry.finished.resolve({ kind: "platform", stack, status: "skipped", skippedBecause: "the run", policyViolations: [] });
      }
      await running;
    },
  };
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
