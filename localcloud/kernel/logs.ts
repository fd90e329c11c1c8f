import { appendFileSync } from "node:fs";
import path from "node:path";

/**
 * The local cloud's logs: each function's and service's output in its own file under `.orderflow/local/<env>/logs/`
 * (what CloudWatch Logs would hold), and the most recent lines in memory for scenarios to read.
 */
export class LogStore {
  private readonly recent = new Map<string, string[]>();

  constructor(
    readonly dir: string,
    private readonly keep = 20_000,
  ) {}

  /** A writer for one component's log (`createShipment`, `labelWorker`, `orders-access`). */
  writer(component: string): (line: string) => void {
    const file = path.join(this.dir, `${component}.log`);
    return (line) => {
      appendFileSync(file, `${line}\n`);
      const lines = this.recent.get(component) ?? [];
      lines.push(line);
      if (lines.length > this.keep) lines.splice(0, lines.length - this.keep);
      this.recent.set(component, lines);
    };
  }

  lines(component: string): readonly string[] {
    return this.recent.get(component) ?? [];
  }
}
