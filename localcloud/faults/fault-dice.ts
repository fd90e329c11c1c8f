import { createHash, randomInt } from "node:crypto";

/**
 * Reproducible random draws: the n-th draw of a named stream (`sendEmail/environmentCrash`) is SHA-256 of the seed, the
 * stream and n, read as a number in [0, 1). Each resource's faults are therefore the same sequence under the same seed,
 * whatever the other resources drew before: which message meets the n-th draw still depends on timing, as it would in
 * AWS, but the pattern of faults does not.
 */
export class FaultDice {
  private readonly counters = new Map<string, number>();

  constructor(readonly seed: number = randomSeed()) {}

  /** The next draw of a stream, in [0, 1). */
  next(stream: string): number {
    const n = this.counters.get(stream) ?? 0;
    this.counters.set(stream, n + 1);
    return createHash("sha256").update(`${this.seed}\0${stream}\0${n}`).digest().readUIntBE(0, 6) / 2 ** 48;
  }

  /** True `percentage` percent of the time. */
  chance(stream: string, percentage: number | undefined): boolean {
    return percentage !== undefined && percentage > 0 && this.next(stream) * 100 < percentage;
  }

  /** A whole number in [min, max]. */
  between(stream: string, min: number, max: number): number {
    return min + Math.floor(this.next(stream) * (max - min + 1));
  }

  /** One of the items. */
  pick<T>(stream: string, items: readonly T[]): T {
    return items[Math.floor(this.next(stream) * items.length)];
  }
}

/** A seed for a run that was given none (printed, so that the run can be repeated). */
export function randomSeed(): number {
  return randomInt(0, 2 ** 32 - 1);
}
