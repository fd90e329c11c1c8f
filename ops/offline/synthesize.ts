import type { CloudIdentity } from "../engine/fake-outputs";
import { runProgram, type ProgramRun } from "../engine/run-program";
import { withUpstreams, deploymentOrder } from "../../stacks/graph";
import { stackName, type Environment, type StackKind } from "../../stacks/environments";
import { REPO_ROOT } from "../repo-root";
import { loadStackConfig, projectName } from "../../stacks/stack-config";

/** One stack with every value resolved, as after `pulumi up`. */
export type ResolvedStack = Omit<SynthesizedStack, "preview">;

/** One stack, synthesized twice: as a first preview sees it (AWS-computed values unknown) and fully resolved. */
export interface SynthesizedStack {
  readonly kind: StackKind;
  readonly stack: string;
  readonly config: Record<string, string>;
  /** What a reader should know about the stack's configuration (see loadStackConfig). */
  readonly warnings: readonly string[];
  readonly cloud: CloudIdentity;
  /** The run with every value resolved, as after `pulumi up`; its outputs feed the stacks downstream. */
  readonly resolved: ProgramRun;
  /** The run as a first `pulumi preview` sees it: the stack's own computed values unknown, upstream outputs known. */
  readonly preview: ProgramRun;
}

export interface SynthesizeOptions {
  readonly env: Environment;
  /** Only this kind and the stacks it reads from. @default every stack of the environment */
  readonly only?: StackKind;
  /** Where the stacks' files are. @default the repository root */
  readonly root?: string;
  /** Replaces the program run for a stack kind (tests inject failures); defaults to the stack's own program. */
  readonly program?: () => unknown;
}

const DEFAULT_ACCOUNT = "123456789012";

/**
 * Synthesizes the stacks of one environment one at a time, in-process, under the recording engine. Each stack's
 * StackReferences resolve to the outputs of the upstream stacks synthesized before it, so a missing contract output
 * fails here as it would in the cloud. Call `stack()` in dependency order (`deploymentOrder()`).
 */
export class EnvironmentSynthesizer {
  private readonly root: string;
  private readonly project: string;
  private readonly outputsByQualifiedName = new Map<string, Record<string, unknown>>();

  constructor(
    readonly env: Environment,
    private readonly options: { root?: string; program?: () => unknown } = {},
  ) {
    this.root = options.root ?? REPO_ROOT;
    this.project = projectName(this.root);
  }

  async stack(kind: StackKind): Promise<SynthesizedStack> {
    return this.synthesize(kind, true);
  }

  /**
   * The stack with every value resolved, without the preview pass: for readers of the resolved graph only (the
   * account check of `up`), which would otherwise run each program twice and discard half. Downstream stacks read
   * the same outputs either way, so `stack()` and `resolvedStack()` may be mixed in one synthesizer.
   */
  async resolvedStack(kind: StackKind): Promise<ResolvedStack> {
    return this.synthesize(kind, false);
  }

  private async synthesize(kind: StackKind, withPreview: true): Promise<SynthesizedStack>;
  private async synthesize(kind: StackKind, withPreview: false): Promise<ResolvedStack>;
  private async synthesize(kind: StackKind, withPreview: boolean): Promise<ResolvedStack> {
    const stack = stackName(this.env, kind);
    try {
      const program = this.options.program ?? (await import("../../stacks/program")).runStack;
      const { config, warnings } = loadStackConfig(stack, this.root);
      const org = config[`${this.project}:org`] ?? "organization";
      const cloud = cloudIdentity(config);
      const common = {
        project: this.project,
        stack,
        organization: org,
        config,
        cloud,
        stackOutputs: (name: string) => this.outputsByQualifiedName.get(name),
      };
      const resolved = await runProgram(program, { ...common, preview: false });
      const preview = withPreview ? await runProgram(program, { ...common, preview: true }) : undefined;
      this.outputsByQualifiedName.set(`${org}/${this.project}/${stack}`, resolved.outputs);
      return { kind, stack, config, warnings, cloud, resolved, ...(preview ? { preview } : {}) };
    } catch (error) {
      throw new StackSynthesisError(stack, error);
    }
  }
}

/** Every stack of an environment (or one kind and its upstreams), in dependency order. */
export async function synthesizeEnvironment(options: SynthesizeOptions): Promise<SynthesizedStack[]> {
  const synthesizer = new EnvironmentSynthesizer(options.env, options);
  const kinds = options.only ? withUpstreams(options.only) : deploymentOrder();
  const done: SynthesizedStack[] = [];
  for (const kind of kinds) done.push(await synthesizer.stack(kind));
  return done;
}

/**
 * The same stacks with every value resolved, without the preview pass: for readers of the resolved graph only (the
 * local cloud), at about half the cost.
 */
export async function synthesizeResolvedEnvironment(options: SynthesizeOptions): Promise<ResolvedStack[]> {
  const synthesizer = new EnvironmentSynthesizer(options.env, options);
  const kinds = options.only ? withUpstreams(options.only) : deploymentOrder();
  const done: ResolvedStack[] = [];
  for (const kind of kinds) done.push(await synthesizer.resolvedStack(kind));
  return done;
}

/** A stack's program failed; the message names the stack and carries the program's own message. */
export class StackSynthesisError extends Error {
  constructor(
    readonly stack: string,
    readonly cause: unknown,
  ) {
    super(`Stack "${stack}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "StackSynthesisError";
  }
}

// The region is the provider's (aws:region); the account is the first of aws:allowedAccountIds when the stack pins
// one, as a real deployment would be refused anywhere else.
function cloudIdentity(config: Record<string, string>): CloudIdentity {
  const region = config["aws:region"] ?? "us-east-1";
  let account = DEFAULT_ACCOUNT;
  const allowed = config["aws:allowedAccountIds"];
  if (allowed) {
    const parsed = JSON.parse(allowed) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === "string") account = parsed[0];
  }
  return { account, region };
}
