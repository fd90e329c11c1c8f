import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "../repo-root";

/** The stack a pack is evaluated for: the CLI passes it in the environment and in ConfigureStack. */
export interface StackContext {
  readonly organization?: string;
  readonly project: string;
  readonly stack: string;
  /** True for a preview, false for an update. @default true */
  readonly dryRun?: boolean;
  /** Stack config (`namespace:key` → string), as the CLI puts it in PULUMI_CONFIG. */
  readonly config?: Readonly<Record<string, string>>;
  /** Stack tags, which policies read as `args.stackTags`. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface PolicyPackProcessOptions {
  /** The directory to run: it holds PulumiPolicy.yaml and the package.json whose `main` is the pack. */
  readonly runDir: string;
  /** The engine address the pack is given, as the CLI gives its own. */
  readonly engineAddress: string;
  readonly stack?: StackContext;
  /** How error messages name the pack. @default runDir */
  readonly displayName?: string;
  /** How long the pack may take to print its port. @default 30000 */
  readonly startupTimeoutMs?: number;
}

/** How a pack process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running policy pack: its analyzer's address, and what it wrote besides the port. */
export interface PolicyPackProcess {
  readonly pid: number;
  /** `127.0.0.1:<port>`: the Analyzer service. */
  readonly address: string;
  /** Standard error so far (the last 64 KiB). */
  stderr(): string;
  /** Standard output after the port line (a pack's `console.log`). */
  stdout(): string;
  /** Set once the process has exited. */
  exitStatus(): ExitStatus | undefined;
  /** Resolves when the process exits, for whatever reason. */
  readonly exited: Promise<ExitStatus>;
  /** Stops the process (SIGTERM, then SIGKILL after 2 s) and resolves once it is gone. */
  stop(): Promise<void>;
}

/** The pack process exited or stayed silent before printing its port. */
export class PolicyPackStartError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "PolicyPackStartError";
  }
}

const OUTPUT_LIMIT = 64 * 1024;

// Children still running when this process exits would outlive it; one hook kills them all.
const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of liveChildren) {
    child.kill("SIGKILL");
  }
});

/**
 * Starts a policy pack the way the Pulumi CLI's `pulumi-analyzer-policy` shim does: `node
 * @pulumi/pulumi/cmd/run-policy-pack <engine-address> .` in the pack's directory (the runtime reads `./package.json`
 * for the version), with the stack in PULUMI_* variables, and reads the analyzer's port from the first line of stdout.
 * run-policy-pack is resolved from the pack's directory upwards, so a pack without node_modules uses the repository's.
 */
export async function startPolicyPackProcess(options: PolicyPackProcessOptions): Promise<PolicyPackProcess> {
  const entry = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [options.runDir, REPO_ROOT] });
  const child = spawn(process.execPath, [entry, options.engineAddress, "."], {
    cwd: options.runDir,
    env: packEnvironment(options),
    stdio: ["ignore", "pipe", "pipe"],
  });
  liveChildren.add(child);

  let stderr = "";
  let stdout = "";
  let status: ExitStatus | undefined;
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-OUTPUT_LIMIT);
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      status = { code, signal };
      resolve(status);
    });
  });
  // A spawn failure (no such node binary) surfaces as 'error' without 'exit'.
  const spawnFailed = new Promise<Error>((resolve) => child.on("error", resolve));

  const stop = async (): Promise<void> => {
    if (status !== undefined || child.exitCode !== null) {
      return;
    }
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await exited;
    clearTimeout(timer);
  };

  const label = options.displayName ?? options.runDir;
  const port = await new Promise<number>((resolve, reject) => {
    let portSettled = false;
    let firstLine = "";
    const timeout = options.startupTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      void stop();
      reject(new PolicyPackStartError(
        `The policy pack in ${label} printed no port within ${timeout} ms.${stderrSuffix(stderr)}`,
        stderr,
      ));
    }, timeout);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      outcome();
    };
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      if (portSettled) {
        stdout = (stdout + chunk).slice(-OUTPUT_LIMIT);
        return;
      }
      firstLine += chunk;
      const newline = firstLine.indexOf("\n");
      if (newline < 0) {
        return;
      }
      portSettled = true;
      const line = firstLine.slice(0, newline).trim();
      stdout = firstLine.slice(newline + 1);
      const parsed = Number(line);
      if (/^\d+$/.test(line) && parsed > 0 && parsed < 65536) {
        settle(() => resolve(parsed));
      } else {
        void stop();
        settle(() => reject(new PolicyPackStartError(
          `The policy pack in ${label} printed "${line}" where its port was expected.${stderrSuffix(stderr)}`,
          stderr,
        )));
      }
    });
    void exited.then(async (exit) => {
      if (portSettled) {
        return;
      }
      portSettled = true;
      // Let the stderr pipe drain: the reason for the exit is usually its last line.
      await new Promise((r) => setImmediate(r));
      settle(() => reject(new PolicyPackStartError(
        `The policy pack in ${label} exited (${describeExit(exit)}) before it started serving.${stderrSuffix(stderr)}`,
        stderr,
      )));
    });
    void spawnFailed.then((err) => {
      if (!portSettled) {
        portSettled = true;
        liveChildren.delete(child);
        settle(() => reject(new PolicyPackStartError(`Could not start node for the policy pack: ${err.message}`, stderr)));
      }
    });
  });

  return {
    pid: child.pid ?? -1,
    address: `127.0.0.1:${port}`,
    stderr: () => stderr,
    stdout: () => stdout,
    exitStatus: () => status,
    exited,
    stop,
  };
}

function packEnvironment(options: PolicyPackProcessOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The CLI hands the engine address only as an argument, which run-policy-pack drops; in the environment it also
  // reaches @pulumi/pulumi's logger, so `pulumi.log` messages (and the runtime's report of an unhandled error) arrive
  // at our engine server as structured entries instead of being mixed into stdout.
  env.PULUMI_NODEJS_ENGINE = options.engineAddress;
  const stack = options.stack;
  if (stack !== undefined) {
    const dryRun = String(stack.dryRun ?? true);
    Object.assign(env, {
      PULUMI_NODEJS_PROJECT: stack.project,
      PULUMI_NODEJS_STACK: stack.stack,
      PULUMI_NODEJS_DRY_RUN: dryRun,
      PULUMI_PROJECT: stack.project,
      PULUMI_STACK: stack.stack,
      PULUMI_DRY_RUN: dryRun,
    });
    if (stack.organization) {
      env.PULUMI_NODEJS_ORGANIZATION = stack.organization;
      env.PULUMI_ORGANIZATION = stack.organization;
    }
    if (stack.config && Object.keys(stack.config).length > 0) {
      env.PULUMI_CONFIG = JSON.stringify(stack.config);
    }
  }
  return env;
}

export function describeExit(exit: ExitStatus): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

function stderrSuffix(stderr: string): string {
  const trimmed = stderr.trim();
  return trimmed ? `\nIts stderr:\n${trimmed}` : " It wrote nothing to stderr.";
}
