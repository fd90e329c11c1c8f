import type { Activity } from "./activity";
import { addUsage, type Usage } from "./usage";

/** What one window of the local cloud's life was billed for. */
export interface MeasuredUsage {
  readonly usage: Usage;
  /** How long the cloud took to go quiet after the work (its asynchronous tail: emails, labels, retries). */
  readonly settleMs: number;
}

/**
 * Sums the usage the services report (Activity.meter) in a window: from `begin` until the work ends and the cloud has
 * been quiet for `quietMs` (no usage reported, no activity), so an order's asynchronous tail is counted with it. X-Ray's
 * traces recorded are counted from the distinct trace ids the activity names. Windows do not overlap: the cost of an
 * order is measured with nothing else running.
 */
export class UsageMeter {
  private window?: { usage: Record<string, number>; traces: Set<string>; lastAt: number };
  private readonly unsubscribe: (() => void)[] = [];

  constructor(activity: Activity) {
    this.unsubscribe.push(
      activity.onUsage((usage) => {
        if (!this.window) return;
        addUsage(this.window.usage, usage);
        this.window.lastAt = Date.now();
      }),
      activity.subscribe((record) => {
        if (!this.window) return;
        this.window.lastAt = Date.now();
        const root = record.traceId ? /(?:Root=)?(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(record.traceId)?.[1] : undefined;
        if (root) this.window.traces.add(root);
      }),
    );
  }

  /** Runs `work` in a window of its own and resolves to its result and the usage of the window. */
  async measure<T>(work: () => Promise<T>, options: { quietMs?: number; maxSettleMs?: number } = {}): Promise<{ result: T } & MeasuredUsage> {
    if (this.window) throw new Error("UsageMeter.measure: a window is open already; measurements do not overlap.");
    const quietMs = options.quietMs ?? 1500;
    const maxSettleMs = options.maxSettleMs ?? 30_000;
    this.window = { usage: {}, traces: new Set(), lastAt: Date.now() };
    try {
      const result = await work();
      const ended = Date.now();
      while (Date.now() - this.window.lastAt < quietMs && Date.now() - ended < maxSettleMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const usage = { ...this.window.usage, ...(this.window.traces.size > 0 ? { "xray.traces": this.window.traces.size } : {}) };
      return { result, usage, settleMs: Date.now() - ended };
    } finally {
      this.window = undefined;
    }
  }

  close(): void {
    for (const u of this.unsubscribe) u();
  }
}
