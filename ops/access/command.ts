import { Option } from "commander";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "../../stacks/environments";
import { ExitCode } from "../automation/exit-codes";
import { REPO_ROOT } from "../repo-root";
import { accessRecordFile, readAccessRecord } from "./access-record";
import { analyzeAccess } from "./analyze";
import { formatVerdict, problemCount } from "./report";
import { parseCommandLine, subcommand, type CommandIo } from "../commands/subcommand";

export type AccessCommandIo = CommandIo;

interface AccessOptions {
  readonly env: Environment;
  readonly record?: string;
  readonly static: boolean;
  readonly verbose: boolean;
}

/**
 * `orderflow access --env <env> [--record FILE | --static] [--verbose]`: the least-privilege verdict on an
 * environment. Exits 0 when every grant is reachable or used and every reachable action is granted, 1 when not (as a
 * violated mandatory policy does), 2 on an error. The last local run's record (`.orderflow/local/<env>/access.json`)
 * is read when it exists, unless `--static`.
 */
export async function runAccessCommand(argv: readonly string[], io: AccessCommandIo): Promise<number> {
  const parsed = parseCommandLine(() => parse(argv, io), io);
  if ("exitCode" in parsed) return parsed.exitCode;
  const options: AccessOptions = parsed.options;
  try {
    const file = options.static ? undefined : path.resolve(options.record ?? accessRecordFile(REPO_ROOT, options.env));
    const record = file ? readAccessRecord(file) : undefined;
    if (options.record && !record) throw new Error(`${options.record} does not exist: run \`orderflow local --env ${options.env} --scenario all\` first, or leave --record out.`);
    const verdict = await analyzeAccess({ env: options.env, ...(record ? { record } : {}) });
    const recordedFrom = record && file ? `${path.relative(process.cwd(), file)}, ${record.scenarios.length} scenarios at ${record.recordedAt}` : undefined;
    for (const line of formatVerdict(verdict, { verbose: options.verbose, ...(recordedFrom ? { recordedFrom } : {}) })) io.write(line);
    return problemCount(verdict) === 0 ? ExitCode.ok : ExitCode.accessViolation;
  } catch (error) {
    io.writeError(`error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.error;
  }
}

function parse(argv: readonly string[], io: AccessCommandIo): AccessOptions {
  const program = subcommand("orderflow access", io)
    .description("Least privilege, checked: every role's grants against what its code and AWS's services can ask for, and what the scenarios used.")
    .addOption(new Option("--env <env>", "the environment").choices([...ENVIRONMENTS]).makeOptionMandatory())
    .option("--record <file>", "a local run's access record (default: .orderflow/local/<env>/access.json when it exists)")
    .option("--static", "judge on the static analysis alone, ignoring any recorded run", false)
    .option("--verbose", "list each role's granted, reachable and used actions", false);
  program.parse(argv, { from: "user" });
  const opts = program.opts<{ env: Environment; record?: string; static: boolean; verbose: boolean }>();
  if (opts.record && opts.static) throw new Error("--record and --static exclude each other: --static ignores every record.");
  return { env: opts.env, ...(opts.record ? { record: opts.record } : {}), static: opts.static, verbose: opts.verbose };
}
