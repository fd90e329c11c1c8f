import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { OperationError } from "../../ops/automation/errors";

/** Who holds an environment's run lock: what `run.lock` says. */
interface LockHolder {
  readonly pid: number;
  readonly port: number;
  readonly started: string;
}

/** Another run owns the environment's files; the message says which and how to stop it. The CLI exits 2. */
export class RunLockedError extends OperationError {}

/** A held run lock; release() removes it (only if it is still this run's). */
export interface RunLock {
  readonly file: string;
  release(): void;
}

/**
 * Takes `<outputDir>/run.lock` for this process before a run touches anything under `.orderflow/local/<env>/` (its
 * logs, traces and outbox are emptied at start): a second run of the same environment is refused with the first run's
 * pid and port, and leaves the first run's files alone. The file is created exclusively (O_EXCL), so two runs starting
 * at once cannot both take it; a lock whose process no longer exists (a run that was killed) is taken over.
 */
export function acquireRunLock(outputDir: string, port: number): RunLock {
  const file = path.join(outputDir, "run.lock");
  mkdirSync(outputDir, { recursive: true });
  const mine: LockHolder = { pid: process.pid, port, started: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: "wx", mode: 0o644 });
      return { file, release: () => release(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder.pid)) {
      const env = path.basename(outputDir);
      throw new RunLockedError(
        `another local cloud of ${env} is running (pid ${holder.pid}, API port ${holder.port || "any"}, since ${holder.started}) and owns ${path.relative(process.cwd(), outputDir) || outputDir}/; this run touched nothing. Stop that one first (Ctrl-C in its terminal, or kill ${holder.pid}).`,
      );
    }
    // Its process is gone (killed, or the machine restarted): the lock is stale.
    rmSync(file, { force: true });
  }
  throw new RunLockedError(`could not take ${file}: another run took it at the same moment; try again.`);
}

function release(file: string): void {
  // Only this process's lock: a lock another run took over after this one was presumed dead stays.
  if (readHolder(file)?.pid === process.pid) rmSync(file, { force: true });
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(file, "utf8")) as Partial<LockHolder>;
    return typeof holder.pid === "number" ? { pid: holder.pid, port: Number(holder.port ?? 0), started: String(holder.started ?? "?") } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process exists: signal 0 checks without sending anything (EPERM: it exists, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
