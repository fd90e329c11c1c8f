// Mocha's configuration. The test files run in two worker processes (this machine and CI have 2 cores), each file
// whole in one worker; the spec reporter prints a file's results when it ends, so the output reads as in a serial run.
// Each file runs in a fresh Mocha instance, but a worker keeps its loaded modules (Pulumi, the stacks) for the files
// after; process-wide state (env vars, the X-Ray SDK's context-missing strategy) is therefore shared as in a serial run,
// in an order that depends on timing: a test that needs such state sets it itself.
const fs = require("node:fs");
const path = require("node:path");

// The slowest files (10-50 s each: they synthesize whole environments, start policy packs or the local cloud) start
// first, so that the two workers end together instead of one running the last long file while the other waits. The
// handlers' bundles are built before any of them (tests/prebundle.ts), so none builds them again.
const SLOWEST_FIRST = [
  "tests/ops/offline/preview.test.ts",
  "tests/ops/policy/analyzer-client.test.ts",
  "tests/localcloud/cloud.e2e.test.ts",
  "tests/stacks/stacks.test.ts",
  "tests/ops/automation/account.test.ts",
];

const testFiles = fs
  .readdirSync(path.join(__dirname, "tests"), { recursive: true })
  .map((file) => path.join("tests", file).split(path.sep).join("/"))
  .filter((file) => file.endsWith(".test.ts"))
  .sort();
for (const file of SLOWEST_FIRST) {
  if (!testFiles.includes(file)) throw new Error(`.mocharc.js lists ${file} among the slowest test files, but it does not exist`);
}

// In parallel mode a worker keeps its module cache from file to file: a spec file that another file of the same worker
// imported first is not loaded again, so its tests would silently not run. Test files share code through tests/helpers.
for (const file of testFiles) {
  const imported = /from\s+["']([^"']+\.test)["']/.exec(fs.readFileSync(path.join(__dirname, file), "utf8"));
  if (imported) throw new Error(`${file} imports the test file ${imported[1]}: move what it shares to tests/helpers/, or its tests may not run in parallel mode`);
}

module.exports = {
  require: ["./ops/register.js", "tests/setup.ts", "tests/prebundle.ts"],
  extension: ["ts"],
  spec: [...SLOWEST_FIRST, ...testFiles.filter((file) => !SLOWEST_FIRST.includes(file))],
  parallel: true,
  jobs: 2,
  timeout: 20000,
  reporter: "spec",
};
