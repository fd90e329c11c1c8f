/**
 * Local time: every duration the graph configures (visibility timeouts, batching windows, retry intervals, delays) is
 * honoured as configured, multiplied by the scale (`--time-scale`; 1 is real time, 0.01 makes a 65 s visibility
 * timeout 650 ms). Timestamps stay real, so what handlers read of the clock is true.
 */
export class Clock {
  constructor(readonly scale: number = 1) {
    if (!(scale > 0 && scale <= 1)) throw new RangeError(`--time-scale must be above 0 and at most 1, but ${scale} was given.`);
  }

  /** A configured duration in seconds, as local milliseconds. */
  ms(seconds: number): number {
    return seconds * 1000 * this.scale;
  }

  /**
   * A stream record's maximum age in milliseconds: real time, never scaled. A record's age counts from its write, and
   * most of it is the time the pipe takes to reach it, one batch after another at this machine's speed: scaled, the
   * pipe's hour would be 36 s at 0.01, less than a backlog takes to clear, and records AWS delivers would be dropped.
   * The scaled retries run out of attempts first, as they do in AWS. (An event's maximum age, which counts from its
   * first delivery and so mostly waits between retries, is scaled with them.)
   */
  ageLimitMs(seconds: number): number {
    return seconds * 1000;
  }

  now(): number {
    return Date.now();
  }

  /** Waits a configured duration; resolves early (without error) when the signal aborts. */
  sleep(seconds: number, signal?: AbortSignal): Promise<void> {
    return sleepMs(this.ms(seconds), signal);
  }
}

/** Waits `ms` real milliseconds, or until the signal aborts. */
export function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
