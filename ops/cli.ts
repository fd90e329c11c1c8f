#!/usr/bin/env node
/**
 * `orderflow <up|preview|destroy|drift> --env <env> [--stack <kind|stack>] [--json] [--diff] [--suppress-outputs]
 * [--parallel N]`, plus `--offline` and `--verbose` for preview and `--yes` for up and destroy: one commander
 * subcommand per operation, so that `orderflow <operation> --help` lists that operation's own options.
 *
 * Exit codes (ops/automation/exit-codes.ts): 0 ok, 1 a mandatory policy violated, 2 program or usage error, 3 drift.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DOMAINS, ENVIRONMENTS, parseEnvironmentStackName, type Environment, type StackKind } from "../stacks/environments";
import { OperationError, UsageError } from "./automation/errors";
import { ExitCode } from "./automation/exit-codes";
import { OPERATIONS, type Operation } from "./automation/plan";
import { currentMachine } from "./automation/preflight";
import { runOperation, type OperationContext } from "./automation/run-operation";
// Types only: the offline preview itself is loaded on demand (see loadOfflinePreview).
import type { RunOfflinePreview } from "./offline/preview";

/** What `main` needs from outside; tests replace parts of it. */
export interface CliContext extends Partial<OperationContext> {
  readonly writeError?: (text: string) => void;
  readonly loadOfflinePreview?: () => Promise<RunOfflinePreview>;
}

/** Stacks of one wave at a time when `--parallel` is not given: the CLI's own default for `pulumi up --parallel` is per resource, not per stack. */
export const DEFAULT_PARALLEL = 4;

interface ParsedCommand {
  readonly operation: Operation;
  readonly env: Environment;
  readonly stack?: StackKind;
  readonly offline: boolean;
  readonly json: boolean;
  readonly parallel: number;
  readonly diff: boolean;
  readonly suppressOutputs: boolean;
  readonly verbose: boolean;
  readonly yes: boolean;
}

/** Runs the command line (`argv` without node and the script) and resolves to the exit code; never exits itself. */
export async function main(argv: readonly string[], context: CliContext = {}): Promise<number> {
  const write = context.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const writeError = context.writeError ?? ((text: string) => process.stderr.write(`${text}\n`));
  // `local` has options of its own (ops/commands/local/command.ts), loaded only when asked for.
  if (argv[0] === "local") return (await import("./commands/local/command")).runLocalCommand(argv.slice(1), { write, writeError });
  // `access` too (ops/access/command.ts): it loads the TypeScript compiler, which no other command needs.
  if (argv[0] === "access") return (await import("./access/command")).runAccessCommand(argv.slice(1), { write, writeError });
  let parsed: ParsedCommand;
  try {
    parsed = parse(argv, write, writeError);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; commander's own code for its errors is 1, which here means a policy violation.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.error;
    }
    writeError(`error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.error;
  }

  try {
    const { operation, env, stack, json, parallel, diff, suppressOutputs, verbose, yes } = parsed;
    if (parsed.offline) {
      const runOfflinePreview = await (context.loadOfflinePreview ?? loadOfflinePreview)();
      return await runOfflinePreview({ env, ...(stack ? { stack } : {}), json, parallel, diff, suppressOutputs, verbose });
    }
    const outcome = await runOperation(
      { operation, env, ...(stack ? { stack } : {}), parallel, json, diff, suppressOutputs, yes },
      { ...context, machine: context.machine ?? currentMachine(), write },
    );
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof OperationError) {
      writeError(`error: ${error.message}`);
      return error.exitCode;
    }
    writeError(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return ExitCode.error;
  }
}

/** What each operation does, as its own `--help` says it. */
const DESCRIPTIONS: Record<Operation, string> = {
  preview: "Preview every stack of the environment, in dependency order, with the policy pack (`pulumi preview`); --offline needs no Pulumi CLI and no AWS account.",
  up: "Deploy every stack of the environment in dependency order: platform, the domains in parallel, checkout (`pulumi up`). Shows every stack's plan and asks first.",
  drift: "Check every stack of the environment for drift (`pulumi preview --refresh --expect-no-changes`); exits 3 on drift.",
  destroy: "Destroy every stack of the environment in reverse dependency order (`pulumi destroy`). Names the protected resources and asks first.",
};

/** Each operation's example lines, after its options. */
const EXAMPLES: Record<Operation, string> = {
  preview: "npm start (= preview --env dev --offline); npm run orderflow -- preview --offline --stack dev.orders --diff; npm run orderflow -- preview --env dev",
  up: "npm run orderflow -- up --env staging; npm run orderflow -- up --env dev --stack shipping --yes",
  drift: "npm run orderflow -- drift --env prod",
  destroy: "npm run orderflow -- destroy --env dev",
};

/** The options an operation takes besides the common ones (--env, --stack, --json, --parallel, --diff, --suppress-outputs). */
function addOperationOptions(command: Command, operation: Operation): void {
  if (operation === "preview") {
    command
      .option("--offline", "preview without the Pulumi CLI or AWS, against an in-process engine", false)
      .option("--verbose", "list every check a real preview defers, not only their count (with --offline)", false);
  } else {
    // Not offered, but named: `up --offline` gets the advice below rather than commander's "unknown option".
    command.addOption(new Option("--offline").hideHelp().default(false));
  }
  if (operation === "up" || operation === "destroy") {
    command.option("-y, --yes", `go ahead without asking, after showing the plan (needed without a terminal)`, false);
  }
}

function parse(argv: readonly string[], write: (text: string) => void, writeError: (text: string) => void): ParsedCommand {
  const program = new Command("orderflow")
    .description("Preview, deploy, destroy and check for drift all stacks of an orderflow environment, in dependency order.")
    .exitOverride()
    .configureOutput({ writeOut: (s) => write(s.trimEnd()), writeErr: (s) => writeError(s.trimEnd()) })
    .showHelpAfterError("(run `npm run orderflow -- --help` for usage)")
    .addHelpText(
      "after",
      "\n--env is required, unless --stack names a stack (--stack dev.orders). `orderflow <command> --help` lists a command's options.\n" +
        "Exit codes: 0 ok, 1 a mandatory policy violated, 2 an error (program, type-check, configuration, Pulumi CLI, a declined or impossible confirmation), 3 drift.\n" +
        "Examples: npm start (= preview --env dev --offline); npm run orderflow -- preview --offline --stack dev.orders --diff; npm run orderflow -- up --env staging; npm run orderflow -- drift --env prod",
    );
  let parsed: ParsedCommand | undefined;
  for (const operation of OPERATIONS) {
    const command = program
      .command(operation)
      .description(DESCRIPTIONS[operation])
      .addOption(new Option("--env <env>", "the environment (required unless --stack names a whole stack)").choices(ENVIRONMENTS))
      .option(
        "--stack <stack>",
        `only this stack and the stacks it needs${operation === "destroy" ? " and the stacks that need it" : ""}: a kind (${["platform", ...DOMAINS].join(", ")}) or a stack name (dev, dev.orders)`,
      )
      .option("--json", operation === "preview" ? "also write the results as JSON under .orderflow/<env>/; with --offline, print the preview as `pulumi preview --json` does on stdout" : "also write the results as JSON under .orderflow/<env>/", false)
      .option("--diff", "show each resource's inputs, as `pulumi preview --diff`", false)
      .option("--suppress-outputs", "do not show the stacks' outputs", false)
      .option("--parallel <n>", "how many stacks of one wave run at the same time", parsePositiveInteger, DEFAULT_PARALLEL);
    addOperationOptions(command, operation);
    command
      .showHelpAfterError(`(run \`npm run orderflow -- ${operation} --help\` for its options)`)
      .addHelpText("after", `\nExit codes: 0 ok, 1 a mandatory policy violated, 2 an error${operation === "drift" ? ", 3 drift" : ""}.\nExamples: ${EXAMPLES[operation]}`)
      .action((options: OperationOptions) => {
        parsed = parsedCommand(operation, options);
      });
  }
  // Dispatched before parsing (main); listed here so that the top-level help names it.
  program.command("local").description("Run an environment on this machine, or print a local customer's token (`orderflow local --help`, `orderflow local token --help`).");
  program.parse([...argv], { from: "user" });
  if (parsed === undefined) {
    // No command: commander prints the help and throws; reached only if it did not.
    throw new UsageError("name an operation: up, preview, destroy or drift (run `npm run orderflow -- --help`)");
  }
  return parsed;
}

/** The options commander parsed for one operation; those an operation does not take stay undefined. */
interface OperationOptions {
  readonly env?: Environment;
  readonly stack?: string;
  readonly offline?: boolean;
  readonly json: boolean;
  readonly parallel: number;
  readonly diff: boolean;
  readonly suppressOutputs: boolean;
  readonly verbose?: boolean;
  readonly yes?: boolean;
}

function parsedCommand(operation: Operation, options: OperationOptions): ParsedCommand {
  const { env, stack } = environmentAndStack(options.env, options.stack);
  const { json, parallel, diff, suppressOutputs } = options;
  if (options.offline && operation !== "preview") {
    throw new UsageError(
      `--offline works only with preview (got \`orderflow ${operation} --offline\`): ${operation} needs the Pulumi CLI and AWS. Run \`npm run orderflow -- preview --env ${env} --offline\`, or drop --offline.`,
    );
  }
  return {
    operation,
    env,
    ...(stack ? { stack } : {}),
    offline: options.offline ?? false,
    json,
    parallel,
    diff,
    suppressOutputs,
    verbose: options.verbose ?? false,
    yes: options.yes ?? false,
  };
}

/**
 * `--stack` as a Pulumi user writes it (`dev.orders`, or `dev` for the platform) or as a kind (`orders`). A full name
 * gives the environment too; with --env as well, both must agree.
 */
function environmentAndStack(env: Environment | undefined, stack: string | undefined): { env: Environment; stack?: StackKind } {
  const kinds: readonly string[] = ["platform", ...DOMAINS];
  if (stack === undefined || kinds.includes(stack)) {
    if (env === undefined) throw new UsageError("required option '--env <env>' not specified (or name a whole stack: --stack dev.orders)");
    return { env, ...(stack ? { stack: stack as StackKind } : {}) };
  }
  let identity;
  try {
    identity = parseEnvironmentStackName(stack);
  } catch {
    throw new UsageError(`--stack "${stack}" is neither a stack kind (${kinds.join(", ")}) nor a stack name (dev, dev.orders, prod.checkout, ...).`);
  }
  if (env !== undefined && env !== identity.env) {
    throw new UsageError(`--stack ${stack} is a stack of ${identity.env}, but --env is ${env}: drop --env, or name a stack of ${env} (--stack ${env}${identity.kind === "platform" ? "" : `.${identity.kind}`}).`);
  }
  return { env: identity.env, stack: identity.kind };
}

function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`--parallel must be a whole number of 1 or more, but "${value}" was given.`);
  return n;
}

/**
 * The offline preview lives in ops/offline/preview.ts and is loaded only for `--offline`, so real operations never
 * pay for the in-process engine.
 */
async function loadOfflinePreview(): Promise<RunOfflinePreview> {
  return (await import("./offline/preview")).runOfflinePreview;
}

if (require.main === module) {
  // Pulumi formats a stack trace for every resource and promise; mapping each through source maps costs the offline
  // preview over a second. The CLI's errors are messages, so it runs without them (tests keep them).
  process.setSourceMapsEnabled(false);
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
