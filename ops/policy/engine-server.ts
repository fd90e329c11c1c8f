import * as grpc from "@grpc/grpc-js";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { EngineService, type IEngineServer } from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";

/** One message a policy pack logged through `pulumi.log` (or its runtime's unhandled-error handler). */
export interface EngineLogEntry {
  readonly severity: "debug" | "info" | "warning" | "error";
  readonly message: string;
  /** The resource the message is about, when the logger named one. */
  readonly urn?: string;
}

/** The engine side a policy pack process talks to: an address to hand it, and what it logged. */
export interface EngineServer {
  /** `127.0.0.1:<port>`, the first argument of run-policy-pack, as the CLI passes its own engine's address. */
  readonly address: string;
  readonly logs: readonly EngineLogEntry[];
  /**
   * Resolves with the first entry (logged so far or later) that `matches`; rejects after `timeoutMs`. The pack's Log
   * calls are not awaited by the pack, so an entry may arrive after the RPC that caused it has answered.
   */
  whenLogged(matches: (entry: EngineLogEntry) => boolean, timeoutMs: number): Promise<EngineLogEntry>;
  close(): Promise<void>;
}

const SEVERITIES: Record<engineProto.LogSeverity, EngineLogEntry["severity"]> = {
  [engineProto.LogSeverity.DEBUG]: "debug",
  [engineProto.LogSeverity.INFO]: "info",
  [engineProto.LogSeverity.WARNING]: "warning",
  [engineProto.LogSeverity.ERROR]: "error",
};

/**
 * Serves the few Engine RPCs a Node.js Pulumi process may call: Log (kept, so messages reach the caller instead of
 * the pack's stdout, which carries its port), the root-resource pair, StartDebugging and RequirePulumiVersion.
 */
export async function startEngineServer(): Promise<EngineServer> {
  const logs: EngineLogEntry[] = [];
  const waiters = new Set<(entry: EngineLogEntry) => void>();
  let rootResource = "";
  const server = new grpc.Server();
  const implementation: IEngineServer = {
    log: (call, callback) => {
      const urn = call.request.getUrn();
      const entry: EngineLogEntry = {
        severity: SEVERITIES[call.request.getSeverity()] ?? "info",
        message: call.request.getMessage(),
        ...(urn ? { urn } : {}),
      };
      logs.push(entry);
      for (const waiter of waiters) waiter(entry);
      callback(null, emptyResponse("log"));
    },
    getRootResource: (_call, callback) => {
      callback(null, new engineProto.GetRootResourceResponse().setUrn(rootResource));
    },
    setRootResource: (call, callback) => {
      rootResource = call.request.getUrn();
      callback(null, new engineProto.SetRootResourceResponse());
    },
    startDebugging: (_call, callback) => callback(null, emptyResponse("startDebugging")),
    requirePulumiVersion: (_call, callback) => callback(null, new engineProto.RequirePulumiVersionResponse()),
  };
  server.addService(EngineService, implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
  return {
    address: `127.0.0.1:${port}`,
    logs,
    whenLogged: (matches, timeoutMs) => {
      const earlier = logs.find(matches);
      if (earlier) return Promise.resolve(earlier);
      return new Promise<EngineLogEntry>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching log entry within ${timeoutMs} ms; logged so far:\n${logs.map((l) => l.message).join("\n")}`));
        }, timeoutMs);
        const waiter = (entry: EngineLogEntry) => {
          if (!matches(entry)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(entry);
        };
        waiters.add(waiter);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}

// The generated serializer checks `instanceof Empty` against the google-protobuf copy under @pulumi/pulumi, which is
// not the project's own copy; the service definition carries the right class.
function emptyResponse(method: "log" | "startDebugging"): Empty {
  const EmptyOfPulumi = (EngineService[method] as unknown as { responseType: new () => Empty }).responseType;
  return new EmptyOfPulumi();
}
