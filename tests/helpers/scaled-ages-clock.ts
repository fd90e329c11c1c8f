import { Clock } from "../../localcloud/kernel/clock";

/**
 * A clock whose age limits are scaled like every other wait. The local cloud measures a stream record's age in real
 * time (Clock.ageLimitMs explains why); tests of what happens when an age limit passes use this one, so a maximum age
 * passes in milliseconds at a small scale instead of in real seconds.
 */
export class ScaledAgesClock extends Clock {
  override ageLimitMs(seconds: number): number {
    return this.ms(seconds);
  }
}
