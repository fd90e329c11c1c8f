import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Listr } from "listr2";
import { ExitCode } from "../automation/exit-codes";
import { startPolicyPack, type PolicyPackSession } from "../policy/analyzer-client";
import { evaluateRecordedStack } from "../policy/evaluate";
import type { PolicyPackConfig, PolicyResult } from "../policy/results";
import { deploymentOrder, withUpstreams } from "../../stacks/graph";
import { stackName, type Environment, type StackKind } from "../../stacks/environments";
import { architectureDiagram } from "./architecture";
import { cloudResources, countsByType, renderPlanTree } from "./plan";
import { isDeferral, stackPolicyReport, type StackPolicyReport } from "./policy-report";
import { REPO_ROOT } from "../repo-root";
import { projectName } from "./stack-config";
import { EnvironmentSynthesizer, type SynthesizedStack } from "./synthesize";

/** What `orderflow preview --offline` asks of the offline preview. */
export interface OfflinePreviewOptions {
  readonly env: Environment;
  /** Limits the run to this kind and its upstreams. */
  readonly stack?: StackKind;
  /** Write `.orderflow/<env>/*.json`. */
  readonly json: boolean;
  readonly parallel: number;
}

/** The offline preview's entry point, as the CLI loads it: resolves to the exit code. */
export type RunOfflinePreview = (options: OfflinePreviewOptions) => Promise<number>;

/** Where the preview writes and what it prints to; tests give their own. */
export interface PreviewIo {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
  /** Live task list on a terminal, plain lines elsewhere, nothing in tests. */
  readonly renderer: "default" | "simple" | "silent";
  /** The repository root (Pulumi.yaml, policies/, .orderflow/). */
  readonly root: string;
}

export interface OfflinePreviewResult {
  readonly exitCode: number;
  readonly stacks: readonly SynthesizedStack[];
  readonly policy: readonly StackPolicyReport[];
  /** Where the diagram (and, with --json, the JSON) was written. */
  readonly outputDir: string;
}

/**
 * `orderflow preview --env <env> --offline`: every stack of the environment in dependency order, against the in-process
 * engine, with the policy pack run over the analyzer protocol twice per stack (as a first preview sees it, and with
 * every value resolved). Resolves to the exit code: 0, 1 on a mandatory violation, 2 on a program error.
 */
export async function runOfflinePreview(options: OfflinePreviewOptions, io: PreviewIo = processIo()): Promise<number> {
  return (await offlinePreview(options, io)).exitCode;
}

/**
 * The preview itself, with everything it found. `program` replaces the stacks' own program (tests inject failures).
 */
export async function offlinePreview(
  options: OfflinePreviewOptions,
  io: PreviewIo = processIo(),
  program?: () => unknown,
): Promise<OfflinePreviewResult> {
  const outputDir = path.join(io.root, ".orderflow", options.env);
  const kinds = options.stack ? withUpstreams(options.stack) : deploymentOrder();
  const synthesizer = new EnvironmentSynthesizer(options.env, { root: io.root, ...(program ? { program } : {}) });
  const stacks: SynthesizedStack[] = [];
  const reports: StackPolicyReport[] = [];
  const results: { stack: string; pass: "preview" | "resolved"; results: PolicyResult[] }[][] = [];
  // The pack starts while the platform stack is synthesized: it takes a moment, and it does not depend on the stacks.
  const session = startPack(options.env, io.root);
  session.catch(() => undefined);

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
  const skipped: string[] = [];
  // Failures after synthesis (the policy pack could not start, or a policy threw) end the run too.
  const taskErrors: string[] = [];
  const tasks = new Listr(
    kinds.map((kind, index) => ({
      title: `${stackName(options.env, kind)}: synthesize`,
      task: async (_ctx: unknown, task: { title: string; skip(message: string): void }) => {
        let stack: SynthesizedStack;
        try {
          stack = await synthesized[index];
        } catch (error) {
          if (!(error instanceof SkippedStack)) throw error;
          skipped.push(`${stackName(options.env, kind)} (${error.message})`);
          task.skip(`${stackName(options.env, kind)}: skipped, ${error.message}`);
          return;
        }
        stacks[index] = stack;
        task.title = `${stack.stack}: ${cloudResources(stack.resolved.resources).length} resources; policies`;
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
        reports[index] = stackPolicyReport(stack.stack, previewPass, resolvedPass);
        task.title = `${stack.stack}: ${cloudResources(stack.resolved.resources).length} resources, ${verdict(reports[index])}`;
      },
    })),
    { concurrent: true, exitOnError: false, renderer: io.renderer, rendererOptions: { collapseErrors: false } },
  );

  await tasks.run().catch(() => undefined);
  await closePack(session);
  const done = stacks.filter(Boolean);
  const policy = reports.filter(Boolean);
  const errors = [...failed.values(), ...taskErrors];
  if (errors.length > 0) {
    io.writeError(`\n${errors.map((e) => `${e}\n`).join("")}${skipped.length > 0 ? `Skipped: ${skipped.join("; ")}.\n` : ""}`);
    return { exitCode: ExitCode.error, stacks: done, policy, outputDir };
  }

  mkdirSync(outputDir, { recursive: true });
  // The environment's diagram is drawn from every stack; a --stack run draws its part beside it, not over it.
  const diagramFile = path.join(outputDir, options.stack ? `architecture.${options.stack}.mmd` : "architecture.mmd");
  writeFileSync(diagramFile, architectureDiagram(done.map((s) => ({ stack: s.stack, resources: s.resolved.resources }))));
  if (options.json) writeJson(outputDir, done, results.flat());
  io.write(renderReport(done, policy, diagramFile, options.json, outputDir));
  const violated = policy.some((r) => r.mandatory.length > 0);
  return { exitCode: violated ? ExitCode.policyViolation : ExitCode.ok, stacks: done, policy, outputDir };
}

/** A stack not run because a stack it reads from failed; its message names that stack. */
class SkippedStack extends Error {
  constructor(upstream: string) {
    super(`${upstream} failed`);
    this.name = "SkippedStack";
  }
}

async function startPack(env: string, root: string): Promise<PolicyPackSession> {
  const packDir = path.join(root, "policies");
  const configFile = path.join(packDir, "config", `${env}.json`);
  const config = existsSync(configFile) ? (JSON.parse(readFileSync(configFile, "utf8")) as PolicyPackConfig) : undefined;
  return startPolicyPack({ packDir, ...(config ? { config } : {}), stack: { project: projectName(root), stack: env, dryRun: true } });
}

async function closePack(session: Promise<PolicyPackSession>): Promise<void> {
  try {
    await (await session).close();
  } catch {
    // The pack failed to start: the error was already reported by the task that awaited it.
  }
}

function verdict(report: StackPolicyReport): string {
  const parts = [
    `${report.mandatory.length} mandatory`,
    `${report.advisory.length} advisory`,
    ...(report.exempted.length > 0 ? [`${report.exempted.length} exempted`] : []),
    ...(report.deferred.length > 0 ? [`${report.deferred.length} deferred at preview`] : []),
  ];
  return parts.join(", ");
}

function renderReport(
  stacks: readonly SynthesizedStack[],
  reports: readonly StackPolicyReport[],
  diagramFile: string,
  json: boolean,
  outputDir: string,
): string {
  const out: string[] = [];
  for (const stack of stacks) {
    const report = reports.find((r) => r.stack === stack.stack)!;
    out.push("", `== ${stack.stack} ==`, renderPlanTree(stack.resolved.resources), "", "Resources by type:");
    for (const [type, count] of countsByType(stack.resolved.resources)) out.push(`  ${String(count).padStart(4)}  ${type}`);
    out.push("", `Policies: ${verdict(report)}`);
    const line = (label: string, r: PolicyResult) => `  [${label}] ${r.policyName}: ${findingOf(r)}`;
    for (const r of report.mandatory) out.push(line("mandatory", r));
    for (const r of report.advisory) out.push(line("advisory", r));
    for (const r of report.exempted) out.push(line("exempted", r));
    for (const d of report.deferred) {
      const outcome = d.resolved.length === 0 ? "passes with resolved values" : d.resolved.map((r) => `${r.enforcementLevel}: ${findingOf(r)}`).join("; ");
      out.push(`  [deferred at preview] ${d.policyName} on ${d.urn?.split("::").pop() ?? "the stack"}: ${outcome}`);
    }
  }
  const total = (pick: (r: StackPolicyReport) => readonly unknown[]) => reports.reduce((n, r) => n + pick(r).length, 0);
  out.push(
    "",
    `Summary: ${stacks.length} stacks, ${stacks.reduce((n, s) => n + cloudResources(s.resolved.resources).length, 0)} resources; ` +
      `${total((r) => r.mandatory)} mandatory, ${total((r) => r.advisory)} advisory, ${total((r) => r.exempted)} exempted, ` +
      `${total((r) => r.deferred)} checks a real preview would defer.`,
    `Architecture diagram: ${diagramFile}${json ? `; JSON: ${outputDir}/<stack>.json, policy.json` : ""}`,
    "",
  );
  return out.join("\n");
}

// The runtime prefixes a violation's message with the policy's description; the finding is the rest.
function findingOf(r: PolicyResult): string {
  return r.description && r.message.startsWith(r.description) ? r.message.slice(r.description.length).trim() : r.message;
}

function writeJson(outputDir: string, stacks: readonly SynthesizedStack[], results: readonly { stack: string; pass: string; results: PolicyResult[] }[]): void {
  for (const stack of stacks) {
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
    writeFileSync(path.join(outputDir, `${stack.stack}.json`), `${JSON.stringify(document, null, 2)}\n`);
  }
  // `deferred` marks every check a real preview would put off, the runtime's and the policies' own alike.
  const marked = results.map((r) => ({ ...r, results: r.results.map((x) => ({ ...x, deferred: isDeferral(x) })) }));
  writeFileSync(path.join(outputDir, "policy.json"), `${JSON.stringify(marked, null, 2)}\n`);
}

function processIo(): PreviewIo {
  return {
    write: (text) => process.stdout.write(text),
    writeError: (text) => process.stderr.write(text),
    renderer: process.stdout.isTTY ? "default" : "simple",
    root: REPO_ROOT,
  };
}
