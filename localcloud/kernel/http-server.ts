import type http from "node:http";

/**
 * Stops a local server: no new connections, and the open ones (keep-alive sockets, a long poll held open) closed now
 * rather than when their clients let go, so that stopping the local cloud frees its ports at once.
 */
export function closeServer(server: http.Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
