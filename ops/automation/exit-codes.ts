/**
 * The process exit codes of every `orderflow` command. CI branches on them (drift.yml opens an issue on `drift`), so
 * they are a contract: change one and the workflows must change with it.
 */
export const ExitCode = {
  /** Everything ran and no mandatory policy was violated. */
  ok: 0,
  /** A mandatory policy was violated. */
  policyViolation: 1,
  /** `local --scenario`: a scenario's expectation did not hold (the same code as a failed check). */
  scenarioFailed: 1,
  /** `access`: a grant wider than anything can use, or a reachable action no grant allows (the same code as a failed check). */
  accessViolation: 1,
  /** The program, the Pulumi CLI or the command line failed. */
  error: 2,
  /** `drift` found resources whose cloud state no longer matches the program. */
  drift: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
