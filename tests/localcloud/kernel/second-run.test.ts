import { strict as assert } from "node:assert";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalCloud } from "../../../localcloud/cloud";
import { acquireRunLock, RunLockedError } from "../../../localcloud/kernel/run-lock";
import { PortInUseError } from "../../../localcloud/kernel/port-check";
import { runLocalCommand } from "../../../ops/commands/local/command";

/** A checkout where a first run of dev left its files: an outbox message, a trace, the activity log. */
function checkoutWithARun(): { root: string; outputDir: string; files: string[] } {
  const root = mkdtempSync(path.join(tmpdir(), "orderflow-second-run-"));
  const outputDir = path.join(root, ".orderflow", "local", "dev");
  const files = [path.join(outputDir, "outbox", "1-order.eml"), path.join(outputDir, "traces", "1-abc.json"), path.join(outputDir, "logs", "activity.log")];
  for (const file of files) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "the first run's");
  }
  return { root, outputDir, files };
}

function untouched(files: readonly string[]): void {
  for (const file of files) assert.equal(existsSync(file) && readFileSync(file, "utf8"), "the first run's", `${file} was touched`);
}

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe("orderflow local: a second run of the same environment", function () {
  this.timeout(20_000);

  it("on a port in use fails in under a second, before it touches the first run's outbox, traces or activity log", async () => {
    const { root, files } = checkoutWithARun();
    const { server, port } = await listening();
    try {
      const started = performance.now();
      await assert.rejects(LocalCloud.start({ env: "dev", port, root, stacks: [] }), (error: unknown) => {
        assert.ok(error instanceof PortInUseError, String(error));
        assert.match(error.message, new RegExp(`port ${port} \\(the API\\) is in use`));
        return true;
      });
      const ms = performance.now() - started;
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
      untouched(files);
    } finally {
      server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("as the CLI runs it: exits 2 naming the port, in under a second", async () => {
    const { server, port } = await listening();
    try {
      const err: string[] = [];
      const started = performance.now();
      const code = await runLocalCommand(["--env", "dev", "--port", String(port)], { write: () => undefined, writeError: (t) => err.push(t) });
      const ms = performance.now() - started;
      assert.equal(code, 2);
      assert.match(err.join("\n"), new RegExp(`port ${port} is in use; pass another with --port`));
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    } finally {
      server.close();
    }
  });

  it("on another port is refused while the first run holds the environment's lock, naming its pid, and touches nothing", async () => {
    const { root, outputDir, files } = checkoutWithARun();
    // The first run: a live process (this test's parent) holding dev's lock.
    writeFileSync(path.join(outputDir, "run.lock"), JSON.stringify({ pid: process.ppid, port: 3000, started: "2026-12-07T13:00:00.000Z" }));
    try {
      const started = performance.now();
      await assert.rejects(LocalCloud.start({ env: "dev", port: 0, root, stacks: [] }), (error: unknown) => {
        assert.ok(error instanceof RunLockedError, String(error));
        assert.match(error.message, new RegExp(`another local cloud of dev is running \\(pid ${process.ppid}, API port 3000, .*this run touched nothing`));
        return true;
      });
      assert.ok(performance.now() - started < 1000);
      untouched(files);
      assert.deepEqual(readdirSync(outputDir).sort(), ["logs", "outbox", "run.lock", "traces"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("takes over a lock whose process is gone, and releases its own only", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orderflow-run-lock-"));
    try {
      // A pid that cannot be running: above the kernel's pid_max.
      writeFileSync(path.join(dir, "run.lock"), JSON.stringify({ pid: 2 ** 22 + 1, port: 3000, started: "earlier" }));
      const lock = acquireRunLock(dir, 3001);
      assert.equal(JSON.parse(readFileSync(lock.file, "utf8")).pid, process.pid);
      assert.throws(() => acquireRunLock(dir, 3002), RunLockedError, "the same environment twice in one process is refused too");
      lock.release();
      assert.equal(existsSync(lock.file), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
