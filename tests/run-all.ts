// `npm test`: the type-check, the lint and the mocha suite, at the same time. tsc and eslint each use one core for
// their whole run; started one after another before mocha, they left CI's second core idle for some 16 s. Here they
// run beside mocha's two workers. Mocha writes to the terminal as it goes; the type-check's and the lint's output
// (nothing, when they pass) is printed after it, so that no compiler message lands inside the spec report. Every
// check runs to its end, even when another fails, and the exit code is the first failure's.
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(ROOT, "node_modules", ".bin", name);

interface Check {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Prints as it runs; the others are buffered and printed at the end. */
  readonly live?: boolean;
}

// The commands of `npm run typecheck`, `npm run lint` and `npm run test:unit`, the first two keeping what they found in
// .orderflow/cache between runs: tsc's incremental state (only changed files and their dependents are checked again)
// and ESLint's results per file (keyed by content and config; the rules are not type-aware, so a file's result depends
// on it alone). Warm, they cost some 13 and 1 s of CPU instead of 24 and 12; a fresh clone does the full work once.
const CHECKS: readonly Check[] = [
  // TypeScript 7, the native compiler (@typescript/native-preview's tsgo), over tsconfig.check.json: a quarter of
  // TypeScript 5.9's CPU for the same files and checks (measured on a clean clone: 5.8 s against 24.1 s), which mocha's
  // workers get back on a 2-core machine. ts-node, typescript-eslint and the offline preview keep TypeScript 5.
  { name: "typecheck", command: bin("tsgo"), args: ["-p", "tsconfig.check.json", "--incremental", "--tsBuildInfoFile", ".orderflow/cache/tsgo/tsconfig.tsbuildinfo"] },
  { name: "lint", command: bin("eslint"), args: ["--cache", "--cache-location", ".orderflow/cache/eslint/", "."] },
  { name: "mocha", command: bin("mocha"), args: process.argv.slice(2), live: true },
];

interface Outcome {
  readonly check: Check;
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

function run(check: Check): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(check.command, check.args, { cwd: ROOT, stdio: check.live ? "inherit" : ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
    const done = (code: number, extra = "") =>
      resolve({ check, code, output: Buffer.concat(chunks).toString("utf8") + extra, seconds: (Date.now() - started) / 1000 });
    child.on("error", (error) => done(1, `${check.command} could not start: ${error.message}\n`));
    child.on("close", (code, signal) => done(code ?? 1, signal ? `${check.name} was stopped by ${signal}\n` : ""));
  });
}

async function main(): Promise<number> {
  const outcomes = await Promise.all(CHECKS.map(run));
  for (const { check, code, output, seconds } of outcomes) {
    if (check.live) continue;
    const verdict = code === 0 ? "passed" : `failed (exit code ${code})`;
    process.stdout.write(`\n${check.name}: ${verdict} in ${seconds.toFixed(1)} s\n${output}`);
  }
  const failed = outcomes.filter((o) => o.code !== 0);
  if (failed.length > 0) process.stderr.write(`\nnpm test failed: ${failed.map((o) => o.check.name).join(", ")}\n`);
  return failed[0]?.code ?? 0;
}

main().then((code) => (process.exitCode = code));
