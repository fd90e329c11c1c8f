/**
 * ECS's service throttle logic: when a service's tasks keep failing to start (PENDING straight to STOPPED, as when the
 * image cannot be pulled), the scheduler waits longer and longer between launches, up to 27 minutes, never gives up,
 * and reports "(service <name>) is unable to consistently start tasks successfully." A task that stops after it was
 * RUNNING, even at once, does not count. AWS documents the cap, not the steps: the wait doubles here from 10 seconds.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html
 */
export const SERVICE_THROTTLE_MAX_SECONDS = 27 * 60;
const FIRST_WAIT_SECONDS = 10;

/** Seconds the scheduler waits before the next launch, after `failures` launches in a row failed to start (0: none). */
export function serviceThrottleSeconds(failures: number): number {
  if (failures <= 0) return 0;
  return Math.min(SERVICE_THROTTLE_MAX_SECONDS, FIRST_WAIT_SECONDS * 2 ** Math.min(failures - 1, 20));
}

/** The service event ECS records once the throttle is on (from the second failed launch in a row). */
export function throttleEventMessage(serviceName: string, failures: number): string | undefined {
  return failures >= 2 ? `(service ${serviceName}) is unable to consistently start tasks successfully.` : undefined;
}
