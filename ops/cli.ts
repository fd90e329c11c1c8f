#!/usr/bin/env node
/**
 * `orderflow <up|preview|destroy|drift> --env <env> [--stack <kind>] [--offline] [--json] [--parallel N]`
 *
 * Exit codes (ops/automation/exit-codes.ts): 0 ok, 1 a mandatory policy violated, 2 program or usage error, 3 drift.
 */
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { DOMAINS, ENVIRONMENTS, type Environment, type StackKind } from "../stacks/environments";
import { OperationError, UsageError } from "./automation/errors";
import { ExitCode } from "./automation/exit-codes";
import { OPERATIONS, type Operation } from "./automation/plan";
import { currentMachine } from "./automation/preflight";
import { runOperation, type OperationContext } from "./automation/run-operation";

/** What `--offline` hands to the offline preview (ops/offline/preview.ts). */
export interface OfflinePreviewOptions {
  readonly env: Environment;
  /** Limits the run to this kind and its upstreams. */
  readonly stack?: StackKind;
  /** Write `.orderflow/<env>/*.json`. */
  readonly json: boolean;
  readonly parallel: number;
}

/** The offline preview's entry point: resolves to the exit code. */
export type RunOfflinePreview = (options: OfflinePreviewOptions) => Promise<number>;

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
}

/** Runs the command line (`argv` without node and the script) and resolves to the exit code; never exits itself. */
export async function main(argv: readonly string[], context: CliContext = {}): Promise<number> {
  const write = context.write ?? ((text: string) => process.stdout.write(`${text}\n`));
  const writeError = context.writeError ?? ((text: string) => process.stderr.write(`${text}\n`));
  // `local` has options of its own (ops/local/command.ts), loaded only when asked for.
  if (argv[0] === "local") return (await import("./local/command")).runLocalCommand(argv.slice(1), { write, writeError });
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
    if (parsed.offline) {
      const runOfflinePreview = await (context.loadOfflinePreview ?? loadOfflinePreview)();
      return await runOfflinePreview({ env: parsed.env, stack: parsed.stack, json: parsed.json, parallel: parsed.parallel });
    }
    const outcome = await runOperation(
      { operation: parsed.operation, env: parsed.env, stack: parsed.stack, parallel: parsed.parallel, json: parsed.json },
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

function parse(argv: readonly string[], write: (text: string) => void, writeError: (text: string) => void): ParsedCommand {
  const program = new Command("orderflow")
    .description("Preview, deploy, destroy and check for drift all stacks of an orderflow environment, in dependency order.")
    .addArgument(new Argument("<operation>", "what to do with the environment's stacks").choices(OPERATIONS))
    .addOption(new Option("--env <env>", "the environment").choices(ENVIRONMENTS).makeOptionMandatory())
    .addOption(new Option("--stack <kind>", "only this stack and the stacks it needs (for destroy: and the stacks that need it)").choices(["platform", ...DOMAINS]))
    .option("--offline", "preview without the Pulumi CLI or AWS, against an in-process engine (preview only)", false)
    .option("--json", "also write the results as JSON under .orderflow/<env>/", false)
    .option("--parallel <n>", "how many stacks of one wave run at the same time", parsePositiveInteger, DEFAULT_PARALLEL)
    .exitOverride()
    .configureOutput({ writeOut: (s) => write(s.trimEnd()), writeErr: (s) => writeError(s.trimEnd()) })
    .showHelpAfterError("(run `npm run orderflow -- --help` for usage)")
    .addHelpText(
      "after",
      "\nAlso: `orderflow local --env <env>` runs an environment on this machine (see `npm run orderflow -- local --help`).\n" +
        "--env is required. Exit codes: 0 ok, 1 a mandatory policy violated, 2 an error (program, configuration, Pulumi CLI), 3 drift.\n" +
        "Examples: npm start (= preview --env dev --offline); npm run orderflow -- up --env staging; npm run orderflow -- drift --env prod",
    );
  program.parse([...argv], { from: "user" });
  const options = program.opts<{ env: Environment; stack?: StackKind; offline: boolean; json: boolean; parallel: number }>();
  const operation = program.args[0] as Operation;
  if (options.offline && operation !== "preview") {
    throw new UsageError(
      `--offline works only with preview (got \`orderflow ${operation} --offline\`): ${operation} needs the Pulumi CLI and AWS. Run \`npm run orderflow -- preview --env ${options.env} --offline\`, or drop --offline.`,
    );
  }
  return { operation, ...options };
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
