import { createServer } from "node:net";
import { OperationError } from "../../ops/automation/errors";

/** A port the local cloud must listen on is taken; `code` is EADDRINUSE, as Node's own error. The CLI exits 2. */
export class PortInUseError extends OperationError {
  readonly code = "EADDRINUSE";
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(`port ${port} (${what}) is in use; pass another with --port (or --port 0 for any free one).`);
  }
}

/**
 * Fails at once when a port the local cloud will listen on is taken, before the run starts anything or touches a
 * file: a second `orderflow local` on the same port used to find out only when the API started, 8-13 s later. Binds
 * and releases the port on the address the server will use (0 = any free port: nothing to check).
 */
export async function requirePortsFree(ports: readonly { readonly port: number; readonly what: string }[], host = "127.0.0.1"): Promise<void> {
  for (const { port, what } of ports) {
    if (port === 0) continue;
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const probe = createServer();
      probe.once("error", resolve);
      probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
    });
    if (error?.code === "EADDRINUSE") throw new PortInUseError(port, what);
    if (error) throw error;
  }
}
