import { appendFileSync } from "node:fs";
import path from "node:path";
import type { Usage } from "./usage";

/**
 * The local cloud's logs: each function's and service's output in its own file under `.orderflow/local/<env>/logs/`
 * (what CloudWatch Logs would hold), and the most recent lines in memory for scenarios to read.
 */
export class LogStore {
  private readonly recent = new Map<string, string[]>();

  constructor(
    readonly dir: string,
    private readonly keep = 20_000,
    /** Reports the bytes CloudWatch Logs would ingest (kernel/usage.ts). */
    private readonly meter?: (usage: Usage) => void,
  ) {}

  /**
   * A writer for one component's log (`createShipment`, `labelWorker`, `orders-access`). `local`: a log of the local
   * cloud's own (its activity), which CloudWatch would not hold, so nothing is billed for it.
   */
  writer(component: string, options: { local?: boolean } = {}): (line: string) => void {
    const file = path.join(this.dir, `${component}.log`);
    return (line) => {
      appendFileSync(file, `${line}\n`);
      // Ingestion is billed by each event's UTF-8 bytes plus 26 bytes of metadata
      // (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
      if (!options.local) this.meter?.({ "logs.ingestedBytes": Buffer.byteLength(line) + 26 });
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
