import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { StackKind } from "../../stacks/environments";

/**
 * The files an offline preview writes under `.orderflow/<env>/`, named so that a run can remove exactly what an earlier
 * run of the same scope wrote:
 * - a run over the whole environment owns `architecture.mmd`, `policy.json` and the stacks' `<stack>.json`, and removes
 *   every such file of an earlier run (a stack file of a stack that no longer exists included) and the results of
 *   earlier `--stack` runs (`architecture.<kind>.mmd`, `policy.<kind>.json`), which it supersedes;
 * - a `--stack <kind>` run writes `architecture.<kind>.mmd` and `policy.<kind>.json` beside the environment's, and the
 *   JSON of the stacks it ran (the same stacks, so the same content).
 * Other files (the real operations' `<operation>-summary.json`) are not the preview's and stay.
 */
export class OutputDir {
  constructor(
    readonly dir: string,
    private readonly env: string,
    private readonly only?: StackKind,
  ) {}

  get diagramFile(): string {
    return path.join(this.dir, this.only ? `architecture.${this.only}.mmd` : "architecture.mmd");
  }

  get policyFile(): string {
    return path.join(this.dir, this.only ? `policy.${this.only}.json` : "policy.json");
  }

  stackFile(stack: string): string {
    return path.join(this.dir, `${stack}.json`);
  }

  /** Removes what an earlier run of this scope wrote; call it before the run writes anything. */
  clear(stacksOfThisRun: readonly string[]): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const own = this.only
      ? new Set([path.basename(this.diagramFile), path.basename(this.policyFile), ...stacksOfThisRun.map((s) => `${s}.json`)])
      : undefined;
    const stackFile = new RegExp(`^${this.env.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\.[A-Za-z0-9-]+)?\\.json$`);
    for (const name of names) {
      const mine = own ? own.has(name) : stackFile.test(name) || /^architecture(\.[a-z]+)?\.mmd$/.test(name) || /^policy(\.[a-z]+)?\.json$/.test(name);
      if (mine) rmSync(path.join(this.dir, name), { force: true });
    }
  }

  write(file: string, content: string): string {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(file, content);
    return file;
  }
}
