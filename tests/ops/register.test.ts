import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../ops/repo-root";

describe("ops/register.js (the TypeScript loader of the CLI, the tests and their children)", function () {
  this.timeout(60_000);
  const dir = path.join(REPO_ROOT, ".orderflow", "cache", "test", `register-${randomUUID()}`);
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("loads a module after a Ctrl-C in the terminal ended esbuild's service (as `orderflow local` does while stopping)", () => {
    mkdirSync(dir, { recursive: true });
    // Content no earlier run transpiled, so each file goes through esbuild rather than the transpile cache.
    const marker = randomUUID();
    writeFileSync(path.join(dir, "later.ts"), `export const loaded: string = ${JSON.stringify(marker)};\n`);
    writeFileSync(
      path.join(dir, "main.ts"),
      [
        `import { execFileSync } from "node:child_process";`,
        `const marker: string = ${JSON.stringify(randomUUID())};`,
        // esbuild's service: a child of this process, in its process group, as the terminal's SIGINT finds it.
        `const services = execFileSync("ps", ["-o", "pid=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })`,
        `  .split("\\n").map((line: string) => line.trim().split(/\\s+/)).filter(([, comm]) => comm === "esbuild").map(([pid]) => Number(pid));`,
        `if (services.length === 0) throw new Error("no esbuild service runs beside " + marker);`,
        `for (const pid of services) process.kill(pid, "SIGINT");`,
        `const gone = (pid: number) => { try { process.kill(pid, 0); return false; } catch { return true; } };`,
        `const until = Date.now() + 10_000;`,
        `while (!services.every(gone) && Date.now() < until) execFileSync("sleep", ["0.05"]);`,
        `console.log(require("./later").loaded);`,
      ].join("\n"),
    );
    const printed = execFileSync(process.execPath, ["-r", path.join(REPO_ROOT, "ops", "register.js"), path.join(dir, "main.ts")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    assert.equal(printed.trim(), marker);
  });
});
