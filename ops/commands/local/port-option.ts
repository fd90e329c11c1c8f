import { InvalidArgumentError } from "commander";

/** Like `sam local start-api`, the local cloud's API listens on 3000 unless told otherwise. */
export const DEFAULT_PORT = 3000;

/** The AWS endpoint listens where LocalStack's does, the port operators point `--endpoint-url` at. */
export const DEFAULT_AWS_PORT = 4566;

/**
 * A commander parser for `--port`: a whole number from `lowest` to 65535. Serving takes 0 (any free port); a client
 * that must reach a running cloud needs a real one, so it takes 1 at the lowest.
 */
export function portOption(lowest: 0 | 1, flag = "--port"): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < lowest || n > 65535) throw new InvalidArgumentError(`${flag} must be a whole number from ${lowest} to 65535, but "${value}" was given.`);
    return n;
  };
}
