import { Command, CommanderError } from "commander";
import { ExitCode } from "../automation/exit-codes";

/** Where a command writes: its results, and its errors and notes. */
export interface CommandIo {
  readonly write: (text: string) => void;
  readonly writeError: (text: string) => void;
}

/**
 * A command's commander program as every `orderflow` command has it: it never exits the process itself (the caller
 * turns the outcome into an exit code), and its help and usage errors go through `io`.
 */
export function subcommand(name: string, io: CommandIo): Command {
  return new Command(name).exitOverride().configureOutput({ writeOut: (s) => io.write(s.trimEnd()), writeErr: (s) => io.writeError(s.trimEnd()) });
}

/**
 * The options `parse` reads from a command line, or the exit code when there are none to run with: 0 for `--help`,
 * 2 for a usage error (commander's own message already written, or ours written here as `error: ...`).
 */
export function parseCommandLine<T>(parse: () => T, io: CommandIo): { readonly options: T } | { readonly exitCode: number } {
  try {
    return { options: parse() };
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode === 0 ? ExitCode.ok : ExitCode.error };
    io.writeError(`error: ${(error as Error).message}`);
    return { exitCode: ExitCode.error };
  }
}
