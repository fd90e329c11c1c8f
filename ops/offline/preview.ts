import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Listr, ListrLogger, ProcessOutput } from "listr2";
import type { StaleExemption } from "../../policies/lib/stale-exemptions";
import { deploymentOrder, withUpstreams } from "../../stacks/graph";
import { stackName, type Environment, type StackKind } from "../../stacks/environments";
import { ExitCode } from "../automation/exit-codes";
import { startPolicyPack, type PolicyPackSession } from "../policy/analyzer-client";
import { evaluateRecordedStack } from "../policy/evaluate";
import { staleExemptionsOf } from "../policy/stale-exemptions";
import type { PolicyPackConfig, PolicyResult } from "../policy/results";
import { REPO_ROOT } from "../repo-root";
import { architectureDiagram } from "./architecture";
import { OutputDir } from "./output-dir";
import { isDeferral, stackPolicyReport, type StackPolicyReport } from "./policy-report";
import { previewDigest } from "./preview-json";
import { failedVerdict, renderStackPreview, renderSummary, stackVerdict, type PackIdentity, type StackPreview } from "./report";
import { projectName } from "./stack-config";
import { EnvironmentSynthesizer, type SynthesizedStack } from "./synthesize";
import { typeCheckProgram, type TypeCheckResult } from "./typecheck";

/** What `orderflow preview --offline` asks of the offline preview. */
export interface OfflinePreviewOptions {
  readonly env: Environment;
  /** Limits the run to this kind and its upstreams. */
  readonly stack?: StackKind;
  /** Write `.orderflow/<env>/*.json`, and print the run on stdout as `pulumi preview --json` does. */
  readonly json: boolean;
  readonly parallel: number;
  /** Each resource's inputs instead of the plan table, as `pulumi preview --diff`. */
  readonly diff?: boolean;
  /** No `Outputs:` sections, as `--suppress-outputs`. */
  readonly suppressOutputs?: boolean;
  /** List each check deferred at preview, not only their count. */
  readonly verbose?: boolean;
}

/** The offline preview's entry point, as the CLI loads it: resolves to the exit code. */
export type RunOfflinePreview = (options: OfflinePreviewOptions) => Promise<number>;

/** Where the preview writes and what it prints to; tests give their own. */
export interface PreviewIo {
  /** Standard output: the report, or with --json only the JSON document. */
  readonly write: (text: string) => void;
  /** Standard error: errors, and with --json the report. */
  readonly writeError: (text: string) => void;
  /** Live task list on a terminal, plain lines elsewhere, nothing in tests. */
  readonly renderer: "default" | "simple" | "silent";
  /** The repository root (Pulumi.yaml, policies/, .orderflow/). */
  readonly root: string;
  /** Type-checks the program. @default typeCheckProgram on the repository's program */
  readonly typeCheck?: () => Promise<TypeCheckResult>;
  /** Where the progress display draws. @default standard output; standard error with --json */
  readonly progress?: NodeJS.WriteStream;
  /**
   * The environment's policy pack, already started (`startPreviewPack`): used as is and left running, so that tests
   * previewing one environment again and again start it once. @default started for the run and closed after it
   */
  readonly policyPack?: PolicyPackSession;
}

export interface OfflinePreviewResult {
  readonly exitCode: number;
  readonly stacks: readonly SynthesizedStack[];
  readonly policy: readonly StackPolicyReport[];
  /** Where the diagram (and, with --json, the JSON) was written. */
  readonly outputDir: string;
  /** Environment-wide: exemptions no stack uses; undefined for a --stack run, which cannot tell. */
  readonly staleExemptions?: readonly StaleExemption[];
}

/**
 * `orderflow preview --env <env> --offline`: every stack of the environment in dependency order, against the in-process
 * engine, with the policy pack run over the analyzer protocol twice per stack (as a first preview sees it, and with
 * every value resolved), and the program type-checked beside them. Resolves to the exit code: 0, 1 on a mandatory
 * violation, 2 on a type error, a program or configuration error.
 */
export async function runOfflinePreview(options: OfflinePreviewOptions, io: PreviewIo = processIo()): Promise<number> {
  return (await offlinePreview(options, io)).exitCode;
}

/**
 * The preview itself, with everything it found. `program` replaces the stacks' own program (tests inject failures);
 * the type-check, which is of the stacks' own program, is then skipped.
 */
export async function offlinePreview(
  options: OfflinePreviewOptions,
  io: PreviewIo = processIo(),
  program?: () => unknown,
): Promise<OfflinePreviewResult> {
  const started = Date.now();
  const out = new OutputDir(path.join(io.root, ".orderflow", options.env), options.env, options.stack);
  const kinds = options.stack ? withUpstreams(options.stack) : deploymentOrder();
  // A failed run ends as a passing one does: with the verdict, last, saying what failed.
  const failure = (message: string, reason: string, stacks: readonly SynthesizedStack[] = [], policy: readonly StackPolicyReport[] = []): OfflinePreviewResult => {
    io.writeError(`${message}\n\n${failedVerdict(options.env, reason)}\n`);
    return { exitCode: ExitCode.error, stacks, policy, outputDir: out.dir };
  };
  // Every run leaves the directory as it made it: nothing of an earlier run of the same scope survives, even a failed run.
  out.clear(kinds.map((kind) => stackName(options.env, kind)));

  // Pulumi's Node.js runtime type-checks the program before running it; here the check runs beside the synthesis,
  // and a result already known (nothing changed since a failed check) stops the run at once.
  const typeCheck = program ? undefined : (io.typeCheck ?? (() => typeCheckProgram()))();
  typeCheck?.catch(() => undefined);
  const known = typeCheck && (await Promise.race([typeCheck, new Promise<undefined>((resolve) => setImmediate(() => resolve(undefined)))]).catch(() => undefined));
  if (known && !known.ok) return failure(typeErrors(known), typeCheckReason(known));

  let synthesizer: EnvironmentSynthesizer;
  let session: Promise<PolicyPackSession>;
  try {
    synthesizer = new EnvironmentSynthesizer(options.env, { root: io.root, ...(program ? { program } : {}) });
    // The pack starts while the platform stack is synthesized: it takes a moment, and it does not depend on the stacks.
    session = io.policyPack ? Promise.resolve(io.policyPack) : startPreviewPack(options.env, io.root);
    session.catch(() => undefined);
  } catch (error) {
    return failure(`error: ${error instanceof Error ? error.message : String(error)}`, "the run could not start");
  }

  // Stacks are synthesized one after another (each reads the outputs of those before it), but a stack's policy
  // passes run in the pack's own process while the next stack is synthesized here: two cores, both busy. A stack
  // whose upstream failed is skipped; the others still run, so one broken domain does not hide the rest.
  const failed = new Map<StackKind, string>();
  let previous: Promise<unknown> = Promise.resolve();
  const synthesized = kinds.map((kind) => {
    const next = previous
      .catch(() => undefined)
      .then(() => {
        const upstream = withUpstreams(kind).find((k) => k !== kind && failed.has(k));
        if (upstream) throw new SkippedStack(stackName(options.env, upstream));
        return synthesizer.stack(kind);
      });
    next.catch((error: unknown) => {
      if (!(error instanceof SkippedStack)) failed.set(kind, error instanceof Error ? error.message : String(error));
    });
    previous = next;
    return next;
  });
  const previews: StackPreview[] = [];
  const results: { stack: string; pass: "preview" | "resolved"; results: PolicyResult[] }[][] = [];
  const skipped: string[] = [];
  // Failures after synthesis (the policy pack could not start, or a policy threw) end the run too.
  const taskErrors: string[] = [];
  // The type-check is a task of its own, and no stack is marked previewed before it passes: `pulumi preview` runs
  // nothing of a program that does not type-check.
  const typeCheckTask = typeCheck
    ? [
        {
          title: "type-check",
          task: async (_ctx: unknown, task: { title: string }) => {
            const result = await typeCheck;
            if (!result.ok) throw new Error(`${typeCheckReason(result)} (listed below)`);
            task.title = `type-check: passed${result.cached ? " (no file of the program changed)" : ""}`;
          },
        },
      ]
    : [];
  const tasks = new Listr(
    [
      ...typeCheckTask,
      ...kinds.map((kind, index) => ({
      title: `${stackName(options.env, kind)}: synthesize`,
      task: async (_ctx: unknown, task: { title: string; skip(message: string): void }) => {
        let stack: SynthesizedStack;
        try {
          stack = await synthesized[index];
        } catch (error) {
          if (!(error instanceof SkippedStack)) throw new Error(`${firstLine(error)} (in full below)`);
          skipped.push(`${stackName(options.env, kind)} (${error.message})`);
          task.skip(`${stackName(options.env, kind)}: skipped, ${error.message}`);
          return;
        }
        task.title = `${stack.stack}: policies`;
        let previewPass: PolicyResult[];
        let resolvedPass: PolicyResult[];
        try {
          const pack = await session;
          [previewPass, resolvedPass] = await Promise.all([
            evaluateRecordedStack(pack, stack.preview.resources),
            evaluateRecordedStack(pack, stack.resolved.resources),
          ]);
        } catch (error) {
          taskErrors.push(`${stack.stack}: ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
        results[index] = [
          { stack: stack.stack, pass: "preview", results: previewPass },
          { stack: stack.stack, pass: "resolved", results: resolvedPass },
        ];
        previews[index] = { stack, policy: stackPolicyReport(stack.stack, previewPass, resolvedPass) };
        const verdict = `${stack.stack}: ${stackVerdict(previews[index])}`;
        if (typeCheck) {
          task.title = `${verdict}; waiting for the type-check`;
          const checked = await typeCheck.catch(() => undefined);
          if (!checked?.ok) {
            task.title = `${stack.stack}: not previewed`;
            task.skip("the program does not type-check");
            return;
          }
        }
        task.title = verdict;
        // A stack the pack fails is marked failed in the progress display, as the CLI marks it, never with a check.
        if (previews[index].policy.mandatory.length > 0) throw new Error(`${task.title} (mandatory policy violated)`);
      },
      })),
    ],
    {
      concurrent: true,
      exitOnError: false,
      renderer: io.renderer,
      rendererOptions: { collapseErrors: false, logger: progressLogger(io, options.json) },
    },
  );

  await tasks.run().catch(() => undefined);
  if (!io.policyPack) await closePack(session);
  const done = previews.filter(Boolean);
  const stacks = done.map((p) => p.stack);
  const policy = done.map((p) => p.policy);
  const errors = [...failed.values(), ...taskErrors];
  let checked: TypeCheckResult | undefined;
  try {
    checked = await typeCheck;
  } catch (error) {
    errors.unshift(`The type-check could not run: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (checked && !checked.ok) return failure(`\n${typeErrors(checked)}`, typeCheckReason(checked), stacks, policy);
  if (errors.length > 0) {
    const reason = [
      failed.size > 0 ? `${failed.size} ${failed.size === 1 ? "stack" : "stacks"} failed (${[...failed.keys()].map((k) => stackName(options.env, k)).join(", ")})` : undefined,
      taskErrors.length > 0 ? `the policy pack failed on ${taskErrors.length} ${taskErrors.length === 1 ? "stack" : "stacks"}` : undefined,
      errors.length > failed.size + taskErrors.length ? "the type-check could not run" : undefined,
      skipped.length > 0 ? `${skipped.length} skipped` : undefined,
    ].filter(Boolean).join(", ");
    return failure(`\n${errors.map((e) => `error: ${e.trimEnd()}`).join("\n")}${skipped.length > 0 ? `\nSkipped: ${skipped.join("; ")}.` : ""}`, reason, stacks, policy);
  }

  const pack = await packIdentity(session);
  let stale: StaleExemption[] | undefined;
  try {
    stale = options.stack ? undefined : await staleExemptionsOf(policyConfigFile(options.env, io.root), stacks.map((s) => s.resolved.resources));
  } catch (error) {
    return failure(`error: ${error instanceof Error ? error.message : String(error)}`, "the policy config could not be read", stacks, policy);
  }
  const report = options.json ? io.writeError : io.write;
  const reportOptions = { diff: options.diff ?? false, suppressOutputs: options.suppressOutputs ?? false, verbose: options.verbose ?? false };
  for (const preview of done) report(`\n${await renderStackPreview(preview, pack, reportOptions)}`);

  const files = [out.write(out.diagramFile, architectureDiagram(stacks.map((s) => ({ stack: s.stack, resources: s.resolved.resources }))))];
  if (options.json) files.push(...writeJson(out, stacks, results.flat()));
  report(
    `\n${renderSummary({
      env: options.env,
      previews: done,
      pack,
      ...(stale ? { stale } : {}),
      policyConfig: path.join("policies", "config", `${options.env}.json`),
      ...(checked ? { typeCheck: checked } : {}),
      files: files.map((f) => path.relative(io.root, f)),
    })}`,
  );
  if (options.json) io.write(`${JSON.stringify(await previewDigest(done, stale ?? [], Date.now() - started), null, 4)}\n`);
  const violated = policy.some((r) => r.mandatory.length > 0);
  return { exitCode: violated ? ExitCode.policyViolation : ExitCode.ok, stacks, policy, outputDir: out.dir, ...(stale ? { staleExemptions: stale } : {}) };
}

// The renderers' own logger (listr2's defaults: icons, every level on one stream), on the stream the progress goes to.
// With --json, standard output carries the JSON document alone.
function progressLogger(io: PreviewIo, json: boolean): ListrLogger {
  const stream = io.progress ?? (json ? process.stderr : process.stdout);
  return new ListrLogger({ useIcons: true, toStderr: [], processOutput: new ProcessOutput(stream, stream) });
}

/** A stack not run because a stack it reads from failed; its message names that stack. */
class SkippedStack extends Error {
  constructor(upstream: string) {
    super(`${upstream} failed`);
    this.name = "SkippedStack";
  }
}

/** The first line of an error's message: the progress display shows one line per task (listr2 wraps it in `[FAILED: …]`). */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim().replace(/:$/, "");
}

function typeCheckReason(result: TypeCheckResult): string {
  return `the program does not type-check (${result.errors.length} ${result.errors.length === 1 ? "error" : "errors"})`;
}

// As ts-node reports a program that does not compile: the compiler's messages, each with its file:line.
function typeErrors(result: TypeCheckResult): string {
  return [
    `error: the program does not type-check, so \`pulumi preview\` would stop before running it (TypeScript, with tsconfig.json's options):`,
    ...result.errors.map((e) => `    ${e.replace(/\n/g, "\n    ")}`),
  ].join("\n");
}

function policyConfigFile(env: string, root: string): string {
  return path.join(root, "policies", "config", `${env}.json`);
}

function readPolicyConfig(env: string, root: string): PolicyPackConfig | undefined {
  const file = policyConfigFile(env, root);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
  } catch (error) {
    throw new Error(`${path.relative(root, file)} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The pack a preview of the environment runs: `<root>/policies`, with the environment's policy config. */
export async function startPreviewPack(env: string, root: string): Promise<PolicyPackSession> {
  const config = readPolicyConfig(env, root);
  return startPolicyPack({ packDir: path.join(root, "policies"), ...(config ? { config } : {}), stack: { project: projectName(root), stack: env, dryRun: true } });
}

async function closePack(session: Promise<PolicyPackSession>): Promise<void> {
  try {
    await (await session).close();
  } catch {
    // The pack failed to start: the error was already reported by the task that awaited it.
  }
}

async function packIdentity(session: Promise<PolicyPackSession>): Promise<PackIdentity> {
  const { info } = await session;
  return { name: info.name, version: info.version, path: "policies" };
}

function writeJson(out: OutputDir, stacks: readonly SynthesizedStack[], results: readonly { stack: string; pass: string; results: PolicyResult[] }[]): string[] {
  const files = stacks.map((stack) => {
    const document = {
      stack: stack.stack,
      outputs: stack.resolved.outputs,
      resources: stack.resolved.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent ?? null,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        inputs: r.inputs,
        outputs: r.outputs,
      })),
    };
    return out.write(out.stackFile(stack.stack), `${JSON.stringify(document, null, 2)}\n`);
  });
  // `deferred` marks every check a real preview would put off, the runtime's and the policies' own alike.
  const marked = results.map((r) => ({ ...r, results: r.results.map((x) => ({ ...x, deferred: isDeferral(x) })) }));
  return [...files, out.write(out.policyFile, `${JSON.stringify(marked, null, 2)}\n`)];
}

function processIo(): PreviewIo {
  return {
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
    renderer: process.stdout.isTTY && process.stderr.isTTY ? "default" : "simple",
    root: REPO_ROOT,
  };
}
