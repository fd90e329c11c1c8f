import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { InvocationFault } from "../../faults/fault-injector";
import type { FunctionSpec } from "./spec";

/** What one invocation asks of an environment. */
export interface InvocationRequest {
  readonly requestId: string;
  readonly event: unknown;
  readonly traceId?: string;
  readonly clientContext?: unknown;
  /** Faults to inject into this invocation, inside the environment as FIS's Lambda extension injects them. */
  readonly inject?: InvocationFault;
}

/** The runtime's answer: a payload, or the error the handler threw in the Node.js runtime's shape. */
export type InvocationOutcome =
  | { readonly ok: true; readonly payload: unknown }
  | { readonly ok: false; readonly error: FunctionErrorPayload; readonly fatal?: boolean };

export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** Where an environment's output goes, line by line, with the log stream Lambda writes it to (the environment's). */
export type LogSink = (line: string, stream: "stdout" | "stderr", logStream?: string) => void;

const BOOTSTRAP = path.join(__dirname, "bootstrap.js");

/**
 * One execution environment of a function: a child process that loaded the deployed archive's handler. It serves one
 * invocation at a time; a timeout or a crash ends it, as Lambda discards a sandbox whose invocation timed out.
 */
export class ExecutionEnvironment {
  private child?: ChildProcess;
  private pending?: { requestId: string; resolve: (outcome: InvocationOutcome) => void; timer: NodeJS.Timeout };
  /** Milliseconds the handler module took to load, once ready. */
  initMs = 0;
  /** The environment's log stream, as Lambda names it (`2026/12/07/[$LATEST]<32 hex>`). */
  readonly logStream = `${new Date().toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]${randomBytes(16).toString("hex")}`;
  busy = false;
  dead = false;

  private constructor(
    readonly spec: FunctionSpec,
    private readonly log: LogSink,
  ) {}

  /** Starts an environment and loads the handler (the cold start); rejects with the init error, as Lambda reports it. */
  static async start(spec: FunctionSpec, environment: Record<string, string>, log: LogSink): Promise<ExecutionEnvironment> {
    const env = new ExecutionEnvironment(spec, log);
    await env.boot(environment);
    return env;
  }

  private boot(environment: Record<string, string>): Promise<void> {
    const logStream = this.logStream;
    const child = fork(BOOTSTRAP, [], {
      cwd: this.spec.codeDir,
      // Lambda's runtime process sees the function's variables and its own, nothing of ours; no loader flags either.
      env: { ...environment, AWS_LAMBDA_LOG_STREAM_NAME: logStream },
      execArgv: [],
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      serialization: "advanced",
    });
    this.child = child;
    pipeLines(child.stdout!, (line) => this.log(line, "stdout", logStream));
    pipeLines(child.stderr!, (line) => this.log(line, "stderr", logStream));
    child.on("message", (message: { type: string; requestId?: string; ok?: boolean; payload?: unknown; error?: FunctionErrorPayload }) => {
      const pending = this.pending;
      if (message.type === "result" && pending !== undefined && pending.requestId === message.requestId) {
        const { resolve, timer } = pending;
        clearTimeout(timer);
        this.pending = undefined;
        resolve(message.ok ? { ok: true, payload: message.payload } : { ok: false, error: message.error! });
      }
    });
    child.on("exit", (code, signal) => {
      this.dead = true;
      if (this.pending) {
        const { resolve, timer, requestId } = this.pending;
        clearTimeout(timer);
        this.pending = undefined;
        // The runtime process died during the invocation (an uncaught error, process.exit, out of memory).
        resolve({
          ok: false,
          fatal: true,
          error: { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` },
        });
      }
    });
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type: string; initMs?: number; error?: FunctionErrorPayload }) => {
        if (message.type === "ready") {
          this.initMs = message.initMs ?? 0;
          child.off("message", onMessage);
          resolve();
        } else if (message.type === "init-error") {
          child.off("message", onMessage);
          this.dead = true;
          reject(new InitError(message.error!));
        }
      };
      child.on("message", onMessage);
      child.once("exit", (code) => reject(new InitError({ errorType: "Runtime.ExitError", errorMessage: `Runtime exited during init with exit status ${code}` })));
      child.once("error", (error) => reject(new InitError({ errorType: "Runtime.Unknown", errorMessage: error.message })));
    });
  }

  /** Runs one invocation; the function's timeout ends the environment and answers `Sandbox.Timedout`. */
  invoke(request: InvocationRequest, timeoutMs: number, invokedFunctionArn: string): Promise<InvocationOutcome> {
    if (this.dead || !this.child) return Promise.resolve({ ok: false, fatal: true, error: { errorType: "Runtime.ExitError", errorMessage: "The execution environment has ended." } });
    const child = this.child;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.requestId !== request.requestId) return;
        this.pending = undefined;
        this.dead = true;
        child.kill("SIGKILL");
        resolve({
          ok: false,
          fatal: true,
          error: { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${request.requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds` },
        });
      }, timeoutMs);
      this.pending = { requestId: request.requestId, resolve, timer };
      child.send({
        type: "invoke",
        requestId: request.requestId,
        event: request.event,
        traceId: request.traceId,
        clientContext: request.clientContext,
        inject: request.inject,
        deadlineMs: Date.now() + timeoutMs,
        invokedFunctionArn,
      });
    });
  }

  /** Ends the environment and waits for its process to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }
}

/** A function whose handler did not load: the init error, in the runtime's shape. */
export class InitError extends Error {
  constructor(readonly payload: FunctionErrorPayload) {
    super(`${payload.errorType}: ${payload.errorMessage}`);
    this.name = "InitError";
  }
}

function pipeLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (line.length > 0) each(line);
  });
  stream.on("end", () => {
    if (rest.length > 0) each(rest);
  });
}
