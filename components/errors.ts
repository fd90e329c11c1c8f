/**
 * A component was given options it cannot build. The message names the component, the option, what was received and
 * what to do instead; it is thrown before any child resource is created.
 */
export class ComponentArgumentError extends Error {
  constructor(component: string, message: string) {
    super(`${component}: ${message}`);
    this.name = "ComponentArgumentError";
  }
}

/** Fails unless `value` is an integer within [min, max]; the message names the option, the range and the value. */
export function requireIntegerInRange(
  component: string,
  option: string,
  value: number | undefined,
  min: number,
  max: number,
  unit = "",
): void {
  if (value === undefined) return;
  const suffix = unit ? ` ${unit}` : "";
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ComponentArgumentError(
      component,
      `\`${option}\` must be an integer from ${min} to ${max}${suffix}, but ${value} was provided.`,
    );
  }
}

/** Fails when both of two mutually exclusive options are set, naming both. */
export function requireAtMostOne(component: string, a: [string, unknown], b: [string, unknown]): void {
  if (a[1] !== undefined && b[1] !== undefined) {
    throw new ComponentArgumentError(component, `Only one of \`${a[0]}\` or \`${b[0]}\` can be provided.`);
  }
}
