import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../repo-root";

/**
 * `pulumi preview` runs a TypeScript program through ts-node with type-checking (@pulumi/pulumi, cmd/run/run.js:
 * `tsn.register({ typeCheck: true, compilerOptions: {..., ...tsconfig} })`), so a type error stops it before any
 * resource is registered. The offline preview checks the same program with the same compiler options, so what it
 * passes the real preview passes too.
 */
export interface TypeCheckOptions {
  /** The Pulumi project: its tsconfig.json and package.json (whose `main` is the program). @default the repository */
  readonly projectDir?: string;
  /** Where the last result and the compiler's incremental state are kept. @default `<project>/.orderflow/cache/typecheck` */
  readonly cacheDir?: string;
}

export interface TypeCheckResult {
  readonly ok: boolean;
  /** The compiler's errors, one per entry: `path/to/file.ts:12:5 - error TS2322: message` (paths from the project). */
  readonly errors: readonly string[];
  /** True when nothing the program is made of changed since the last check, whose result this is. */
  readonly cached: boolean;
  /** How many files were checked for changes: the program's own, its config, and node_modules' lockfile. */
  readonly files: number;
}

/** What the worker leaves in the cache: its result and what it was computed from. */
interface CachedCheck {
  readonly key: string;
  readonly errors: readonly string[];
  /**
   * The program's own files, its config, and node_modules' hidden lockfile (which stands for every declaration file
   * under node_modules), each with the modification time and size it had when checked.
   */
  readonly files: readonly (readonly [file: string, mtimeMs: number, size: number])[];
}

const RESULT_FILE = "result.json";
const WORKER = path.join(__dirname, "typecheck-worker.ts");

/**
 * Type-checks the project's Pulumi program. The last result is reused while no file of the program (its sources,
 * tsconfig.json, node_modules) changed: checking that takes a few `stat` calls, where building the program takes
 * seconds (it parses some 4,000 declaration files). Otherwise the compiler runs in a child
 * process, so that it runs beside the synthesis on the other core, with TypeScript's incremental state kept in the
 * cache so that only what changed is checked again.
 */
export function typeCheckProgram(options: TypeCheckOptions = {}): Promise<TypeCheckResult> {
  return cachedTypeCheck(options) ?? runTypeCheck(options);
}

/** The last result, when no file of the program changed since; undefined when the compiler must run. */
export function cachedTypeCheck(options: TypeCheckOptions = {}): Promise<TypeCheckResult> | undefined {
  const { cacheDir, key } = resolved(options);
  let cached: CachedCheck;
  try {
    cached = JSON.parse(fs.readFileSync(path.join(cacheDir, RESULT_FILE), "utf8")) as CachedCheck;
  } catch {
    return undefined;
  }
  if (cached.key !== key) return undefined;
  for (const [file, mtimeMs, size] of cached.files) {
    try {
      const stat = fs.statSync(file);
      if (stat.mtimeMs !== mtimeMs || stat.size !== size) return undefined;
    } catch {
      return undefined;
    }
  }
  return Promise.resolve({ ok: cached.errors.length === 0, errors: cached.errors, cached: true, files: cached.files.length });
}

/** Runs the compiler in a child process (see typecheck-worker.ts) and returns what it found. */
export function runTypeCheck(options: TypeCheckOptions = {}): Promise<TypeCheckResult> {
  const { projectDir, cacheDir, key } = resolved(options);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", path.join(REPO_ROOT, "ops", "register.js"), WORKER], {
      stdio: ["pipe", "ignore", "pipe"],
      env: { ...process.env, ORDERFLOW_TYPECHECK: JSON.stringify({ projectDir, cacheDir, key }) },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.stdin.end();
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code !== 0) {
        reject(new Error(`The type-check of ${projectDir} stopped (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${stderr.trim()}`));
        return;
      }
      const result = cachedTypeCheck({ projectDir, cacheDir });
      if (result) result.then((r) => resolve({ ...r, cached: false }), reject);
      else reject(new Error(`The type-check of ${projectDir} left no result in ${cacheDir}.`));
    });
  });
}

function resolved(options: TypeCheckOptions): { projectDir: string; cacheDir: string; key: string } {
  const projectDir = path.resolve(options.projectDir ?? REPO_ROOT);
  const cacheDir = path.resolve(options.cacheDir ?? path.join(projectDir, ".orderflow", "cache", "typecheck"));
  // A result is for one project, one worker (how it checks) and one Node version.
  const key = createHash("sha256").update(`${projectDir}\0${fs.readFileSync(WORKER, "utf8")}\0${process.version}`).digest("hex").slice(0, 16);
  return { projectDir, cacheDir, key };
}
