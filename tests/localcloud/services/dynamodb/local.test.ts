import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import {
  DynamoDBLocalError,
  JAVA_INSTALL_HINT,
  compiledLauncher,
  javaMajorVersion,
  locateDynamoDBLocal,
  startDynamoDBLocal,
  type DynamoDBLocal,
} from "../../../../localcloud/services/dynamodb/local";
import { REPO_ROOT } from "../../../../ops/repo-root";

const client = (endpoint: string, region: string, accessKeyId: string) =>
  new DynamoDBClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: "secret" }, maxAttempts: 1 });

/** Resolves once something can listen on the port again (on every interface, as DynamoDB Local does). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen({ port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The local addresses of the sockets listening on a TCP port, from /proc/net/tcp and tcp6 (what `ss -ltn` shows). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const found: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== "0A" || !local.endsWith(`:${hexPort}`)) continue;
      found.push(decodeProcAddress(local.split(":")[0]));
    }
  }
  return found;
}

/** /proc/net's hex address (each 32-bit word in host byte order, little-endian here) as text. */
function decodeProcAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((w) => Buffer.from(w, "hex").reverse());
  if (words.length === 1) return [...words[0]].join(".");
  const bytes = Buffer.concat(words);
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${[...bytes.subarray(12)].join(".")}`;
  return (bytes.toString("hex").match(/.{4}/g) ?? []).join(":");
}

function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./.test(address) || address === "0000:0000:0000:0000:0000:0000:0000:0001";
}

/** True while the process exists and is not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function eventually(condition: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`gave up waiting until ${what}`);
}

function rejectsWith(reason: DynamoDBLocalError["reason"], message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof DynamoDBLocalError, String(error));
    assert.equal(error.reason, reason);
    assert.match(error.message, message);
    assert.doesNotMatch(error.message, /\n/, "the error is one line");
    return true;
  };
}

describe("localcloud/services/dynamodb/local: AWS's DynamoDB Local as a child process", function () {
  this.timeout(60_000);
  const temp = mkdtempSync(path.join(tmpdir(), "orderflow-dynamodb-local-"));
  after(() => rmSync(temp, { recursive: true, force: true }));

  describe("a started instance", () => {
    let local: DynamoDBLocal;
    before(async () => {
      local = await startDynamoDBLocal();
    });
    after(() => local?.stop());

    it("answers on 127.0.0.1 and reports how long the JVM took to answer", async () => {
      assert.match(local.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(local.startupMs > 0 && local.startupMs < 60_000, String(local.startupMs));
      const answer = await client(local.endpoint, "us-east-1", "first").send(new ListTablesCommand({}));
      assert.deepEqual(answer.TableNames, []);
    });

    it("listens on the loopback interface only: no other address of this machine reaches the tables", async () => {
      // What `ss -ltn` reads: the kernel's listening sockets (state 0A) and the address each is bound to.
      const listening = listeningAddresses(local.port);
      assert.ok(listening.length > 0, `no listening socket found for port ${local.port}`);
      for (const address of listening) assert.ok(isLoopback(address), `DynamoDB Local listens on ${address}:${local.port}`);
      const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal);
      if (external) {
        const reached = await new Promise<string>((resolve) => {
          const socket = connect({ host: external.address, port: local.port }, () => resolve("connected"));
          socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
          socket.setTimeout(2000, () => resolve("timeout"));
        }).finally(() => undefined);
        assert.notEqual(reached, "connected", `${external.address}:${local.port} answered`);
      }
    });

    it("shows every credential and region the same tables (-sharedDb), as the local cloud's principals need", async () => {
      await client(local.endpoint, "eu-west-1", "functionA").send(
        new CreateTableCommand({
          TableName: "shared-by-all",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      const seen = await client(local.endpoint, "us-east-1", "taskRoleB").send(new ListTablesCommand({}));
      assert.deepEqual(seen.TableNames, ["shared-by-all"]);
    });

    it("stop() ends the JVM and leaves its port free; stopping again is harmless", async () => {
      await local.stop();
      assert.equal(local.exited, true);
      assert.equal(running(local.pid), false);
      assert.equal(await portIsFree(local.port), true);
      await local.stop();
    });
  });

  it("a port in use is a one-line error naming it", async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await assert.rejects(startDynamoDBLocal({ port }), rejectsWith("port-in-use", new RegExp(`Port ${port} .*already in use`)));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it("a port outside 1-65535 is refused before anything starts", async () => {
    await assert.rejects(startDynamoDBLocal({ port: 70_000 }), rejectsWith("invalid-port", /70000/));
  });

  it("without java on the PATH, says how to install it", async () => {
    const noJava = mkdtempSync(path.join(temp, "path-"));
    const env = { PATH: noJava, HOME: temp };
    await assert.rejects(startDynamoDBLocal({ env }), rejectsWith("java-missing", new RegExp(`no \`java\` was found.*${JAVA_INSTALL_HINT}`)));
  });

  it("with a Java older than 17, names the version found and how to install 17", async () => {
    const oldJava = mkdtempSync(path.join(temp, "java11-"));
    const java = path.join(oldJava, "java");
    // What Java 11's launcher prints; DynamoDB Local itself would die with UnsupportedClassVersionError.
    writeFileSync(java, `#!/bin/sh\necho 'openjdk version "11.0.22" 2024-01-16' >&2\necho 'Error: UnsupportedClassVersionError' >&2\nexit 1\n`);
    chmodSync(java, 0o755);
    await assert.rejects(
      startDynamoDBLocal({ env: { PATH: oldJava, HOME: temp } }),
      rejectsWith("java-too-old", new RegExp(`Java 11.*${JAVA_INSTALL_HINT}`)),
    );
  });

  it("compiles its launcher once, keeping the class where the next start finds it, and nothing half-written", async () => {
    // A `java` first on the PATH that notes each command line, then runs the real one. (Every start runs the kept
    // class: the started instance above did.)
    const logged = mkdtempSync(path.join(temp, "java-log-"));
    const realJava = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, "bin", "java") : execFileSync("sh", ["-c", "command -v java"], { encoding: "utf8" }).trim();
    writeFileSync(path.join(logged, "java"), `#!/bin/sh\necho "$*" >> ${JSON.stringify(path.join(logged, "calls"))}\nexec ${JSON.stringify(realJava)} "$@"\n`);
    chmodSync(path.join(logged, "java"), 0o755);
    const env = { ...process.env, JAVA_HOME: "", PATH: `${logged}${path.delimiter}${process.env.PATH ?? ""}` };
    const cacheDir = path.join(temp, "launcher");
    const { jar } = locateDynamoDBLocal();
    const compilations = () => readFileSync(path.join(logged, "calls"), "utf8").split("\n").filter((call) => call.includes("jdk.compiler")).length;
    const first = await compiledLauncher("java", jar, env, cacheDir);
    const second = await compiledLauncher("java", jar, env, cacheDir);
    assert.equal(second, first);
    assert.equal(compilations(), 1);
    assert.deepEqual(readdirSync(cacheDir), [path.basename(first)]);
    assert.deepEqual(readdirSync(first), ["LoopbackDynamoDBLocal.class"]);
  });

  it("reads the major version from java -version, old and new numbering", () => {
    assert.equal(javaMajorVersion('openjdk version "17.0.15" 2025-04-15'), 17);
    assert.equal(javaMajorVersion('java version "1.8.0_402"'), 8);
    assert.equal(javaMajorVersion('openjdk version "25" 2025-09-16'), 25);
    assert.equal(javaMajorVersion("command not found"), undefined);
  });

  it("dies with the process that started it: SIGTERM to the parent leaves no JVM and no port bound", async () => {
    const script = `require("./localcloud/services/dynamodb/local").startDynamoDBLocal().then((d) => console.log(JSON.stringify({ pid: d.pid, port: d.port })));`;
    const parent = spawn(process.execPath, ["-r", "./ops/register.js", "-e", script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let errors = "";
    parent.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    const started = await new Promise<{ pid: number; port: number }>((resolve, reject) => {
      let out = "";
      parent.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line) resolve(JSON.parse(line) as { pid: number; port: number });
      });
      parent.once("exit", (code) => reject(new Error(`the parent exited (${code}) before DynamoDB Local answered: ${errors}`)));
    });
    assert.equal(running(started.pid), true);
    const parentExit = new Promise<NodeJS.Signals | null>((resolve) => parent.once("exit", (_code, signal) => resolve(signal)));
    parent.kill("SIGTERM");
    assert.equal(await parentExit, "SIGTERM", "the parent still dies of the signal, as it would without DynamoDB Local");
    await eventually(() => !running(started.pid), "the JVM is gone");
    await eventually(() => portIsFree(started.port), "its port is free");
  });
});
