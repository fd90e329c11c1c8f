/** One thing the local cloud did: an invocation, a delivery, a retry, a message dead-lettered. */
export interface ActivityRecord {
  readonly time: number;
  /** The name of the registry's service that did it (`sqs`, `lambda`...), or `iam`, or `local` for the cloud itself. */
  readonly service: string;
  /** What happened: `invoke`, `cold-start`, `throttled`, `deliver`, `retry`, `dead-letter`, `failed`... */
  readonly kind: string;
  /** The resource, by its component name (`createShipment`, `shipping`, `orderConfirmedToShipping`). */
  readonly name: string;
  /** A short human sentence. */
  readonly detail: string;
  /** True when something failed or was lost on the way. */
  readonly error?: boolean;
  readonly durationMs?: number;
  readonly traceId?: string;
}

export type ActivityListener = (record: ActivityRecord) => void;

/**
 * The local cloud's activity log: every service reports here, the console prints from it, and scenarios and the
 * benchmark read it (how many cold starts, which messages were dead-lettered).
 */
export class Activity {
  private readonly listeners = new Set<ActivityListener>();
  readonly records: ActivityRecord[] = [];

  record(record: Omit<ActivityRecord, "time">): void {
    const full = { time: Date.now(), ...record };
    this.records.push(full);
    // Keep memory bounded in a long `orderflow local` session; scenarios read recent records.
    if (this.records.length > 50_000) this.records.splice(0, 10_000);
    for (const listener of this.listeners) listener(full);
  }

  subscribe(listener: ActivityListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
