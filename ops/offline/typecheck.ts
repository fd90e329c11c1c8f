import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../repo-root";

/**
 * `pulumi preview` runs a TypeScript program through ts-node with type-checking (@pulumi/pulumi, cmd/run/run.js:
 * `tsn.register({ typeCheck: true, compilerOptions: {..., ...tsconfig} })`), so a type error stops it before any
 * resource is registered. The offline preview checks the same program (package.json's `main` and what it imports) with
 * the project's compiler options, so what it passes the real preview passes too.
 *
 * The compiler is TypeScript 7 (tsgo, @typescript/native-preview, as `npm test`'s type-check): a cold check of the
 * stacks takes it some 2 s of CPU where TypeScript 5 took 16 (measured on this project). Two options differ from the
 * project's, because TypeScript 7 removed them: `module: "preserve"` with `moduleResolution: "bundler"` stand for
 * CommonJS with node10 resolution (they resolve the same imports here; tsconfig.check.json does the same for the
 * whole repository), and `rootDir` is set to the project, whose files TypeScript 7 would otherwise require under the
 * generated config's own directory.
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
const CHECK_CONFIG = "tsconfig.json";
const TSGO_PACKAGE = path.dirname(require.resolve("@typescript/native-preview/package.json"));
// The package's launcher, which hands the process over to the native compiler of this platform (its optional dependency).
const TSGO = path.join(TSGO_PACKAGE, "bin", "tsgo");

/**
 * Type-checks the project's Pulumi program. The last result is reused while no file of the program (its sources,
 * tsconfig.json, node_modules) changed: checking that takes a few `stat` calls, where building the program takes
 * seconds (it parses some 4,000 declaration files). Otherwise the compiler runs in a child process, so that it runs
 * beside the synthesis on the other core, with its incremental state kept in the cache so that only what changed is
 * checked again.
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

/** Runs the compiler on the program alone (a config in the cache extending the project's) and returns what it found. */
export function runTypeCheck(options: TypeCheckOptions = {}): Promise<TypeCheckResult> {
  const { projectDir, cacheDir, key } = resolved(options);
  const configFile = writeCheckConfig(projectDir, cacheDir);
  return new Promise((resolve, reject) => {
    // --listFiles: the files of the program, for the cache's change check; --pretty false: one diagnostic a line.
    const child = spawn(process.execPath, [TSGO, "-p", configFile, "--pretty", "false", "--listFiles"], { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      // tsgo exits 0 without errors, 1 or 2 when it reported some; anything else is the compiler failing.
      if (signal || code === null || code > 2) {
        reject(new Error(`The type-check of ${projectDir} stopped (${signal ? `signal ${signal}` : `exit code ${code}`}):\n${(stderr || stdout).trim()}`));
        return;
      }
      const { errors, files } = parseCompilerOutput(stdout, projectDir);
      if (code !== 0 && errors.length === 0) {
        reject(new Error(`The type-check of ${projectDir} failed (exit code ${code}) without naming an error:\n${(stderr || stdout).trim()}`));
        return;
      }
      const checked = [path.join(projectDir, "tsconfig.json"), path.join(projectDir, "package.json"), path.join(projectDir, "node_modules", ".package-lock.json"), ...files]
        .filter((file, i, all) => all.indexOf(file) === i && fs.existsSync(file))
        .map((file) => {
          const stat = fs.statSync(file);
          return [file, stat.mtimeMs, stat.size] as const;
        });
      const result: CachedCheck = { key, errors, files: checked };
      // Written beside and renamed, so a preview running at the same time never reads half a file.
      const target = path.join(cacheDir, RESULT_FILE);
      const staging = `${target}.${process.pid}`;
      fs.writeFileSync(staging, JSON.stringify(result));
      fs.renameSync(staging, target);
      resolve({ ok: errors.length === 0, errors, cached: false, files: checked.length });
    });
  });
}

/**
 * The config the compiler runs with: the project's, for the program alone (ts-node checks what the entry imports, not
 * the tests or tools the tsconfig also includes), with TypeScript 7's module options (see TypeCheckOptions) and its
 * incremental state in the cache. It lives in the cache, inside the project by default, so that `types` are looked
 * up in the same node_modules/@types folders as from the project itself.
 */
function writeCheckConfig(projectDir: string, cacheDir: string): string {
  fs.mkdirSync(cacheDir, { recursive: true });
  const base = path.join(projectDir, "tsconfig.json");
  const config = {
    ...(fs.existsSync(base) ? { extends: base } : {}),
    compilerOptions: {
      rootDir: projectDir,
      module: "preserve",
      moduleResolution: "bundler",
      noEmit: true,
      incremental: true,
      tsBuildInfoFile: path.join(cacheDir, "program.tsbuildinfo"),
    },
    files: [programEntry(projectDir)],
    include: [],
  };
  const file = path.join(cacheDir, CHECK_CONFIG);
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * tsgo's output with `--pretty false --listFiles`: `file(line,col): error TS1234: message` or `error TS1234: message`
 * per diagnostic, its further lines indented; every other line a file of the program. Errors come back as `tsc
 * --pretty` heads them, without the code frame: `file:line:col - error TS1234: message` (paths from the project).
 */
export function parseCompilerOutput(output: string, projectDir: string): { errors: string[]; files: string[] } {
  const errors: string[] = [];
  const files: string[] = [];
  let inDiagnostic = false;
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const located = /^(.+)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (located) {
      const [, file, row, column, code, message] = located;
      errors.push(`${path.relative(projectDir, path.resolve(projectDir, file))}:${row}:${column} - error ${code}: ${message}`);
      inDiagnostic = true;
    } else if (/^error TS\d+: /.test(line)) {
      errors.push(line);
      inDiagnostic = true;
    } else if (/^\s/.test(line) && inDiagnostic) {
      errors[errors.length - 1] += `\n${line.trim()}`;
    } else {
      inDiagnostic = false;
      const file = path.resolve(projectDir, line.trim());
      if (!file.split(path.sep).includes("node_modules")) files.push(file);
    }
  }
  return { errors, files };
}

/** The program Pulumi's Node.js runtime runs: package.json's `main`, else index.ts. */
function programEntry(projectDir: string): string {
  const packageFile = path.join(projectDir, "package.json");
  const main = fs.existsSync(packageFile) ? (JSON.parse(fs.readFileSync(packageFile, "utf8")) as { main?: string }).main : undefined;
  return path.resolve(projectDir, main ?? "index.ts");
}

function resolved(options: TypeCheckOptions): { projectDir: string; cacheDir: string; key: string } {
  const projectDir = path.resolve(options.projectDir ?? REPO_ROOT);
  const cacheDir = path.resolve(options.cacheDir ?? path.join(projectDir, ".orderflow", "cache", "typecheck"));
  // A result is for one project, one way of checking (this file) and one compiler.
  const compiler = (JSON.parse(fs.readFileSync(path.join(TSGO_PACKAGE, "package.json"), "utf8")) as { version: string }).version;
  const key = createHash("sha256").update(`${projectDir}\0${fs.readFileSync(__filename, "utf8")}\0${compiler}`).digest("hex").slice(0, 16);
  return { projectDir, cacheDir, key };
}
