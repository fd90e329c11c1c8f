import { appendFileSync } from "node:fs";
import path from "node:path";
import type { Usage } from "./usage";

/** One line of a log, as CloudWatch Logs keeps it: when it was written, and the stream it went to. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  /** A function's execution environment (`2026/12/07/[$LATEST]<id>`, as Lambda names it), a task's stream. */
  readonly logStream: string;
}

/**
 * The local cloud's logs: each function's and service's output in its own file under `.orderflow/local/<env>/logs/`
 * (what CloudWatch Logs would hold), and the most recent lines in memory for scenarios to read.
 */
export class LogStore {
  private readonly recent = new Map<string, LogEvent[]>();

  constructor(
    readonly dir: string,
    private readonly keep = 20_000,
    /** Reports the bytes CloudWatch Logs would ingest (kernel/usage.ts). */
    private readonly meter?: (usage: Usage) => void,
  ) {}

  /**
   * A writer for one component's log (`createShipment`, `labelWorker`, `orders-access`); each line goes to the stream
   * the writer is given, else to `options.stream` (the component's name by default). `local`: a log of the local
   * cloud's own (its activity), which CloudWatch would not hold, so nothing is billed for it.
   */
  writer(component: string, options: { local?: boolean; stream?: string } = {}): (line: string, logStream?: string) => void {
    const file = path.join(this.dir, `${component}.log`);
    return (line, logStream) => {
      appendFileSync(file, `${line}\n`);
      // Ingestion is billed by each event's UTF-8 bytes plus 26 bytes of metadata
      // (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
      if (!options.local) this.meter?.({ "logs.ingestedBytes": Buffer.byteLength(line) + 26 });
      const events = this.recent.get(component) ?? [];
      events.push({ timestamp: Date.now(), message: line, logStream: logStream ?? options.stream ?? component });
      if (events.length > this.keep) events.splice(0, events.length - this.keep);
      this.recent.set(component, events);
    };
  }

  lines(component: string): readonly string[] {
    return this.events(component).map((e) => e.message);
  }

  /** The recent events of a component's log, oldest first (CloudWatch Logs' API reads them). */
  events(component: string): readonly LogEvent[] {
    return this.recent.get(component) ?? [];
  }
}
