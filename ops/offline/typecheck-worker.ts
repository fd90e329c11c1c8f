// The compiler half of ops/offline/typecheck.ts, run in a child process: type-checks a Pulumi project's program the
// way `pulumi preview` does, then writes the result and the files it was computed from into the cache directory.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

interface Request {
  readonly projectDir: string;
  readonly cacheDir: string;
  readonly key: string;
}

function main(request: Request): void {
  const { projectDir, cacheDir, key } = request;
  fs.mkdirSync(cacheDir, { recursive: true });
  const configFile = path.join(projectDir, "tsconfig.json");
  const errors: ts.Diagnostic[] = [];
  let options: ts.CompilerOptions = {};
  if (fs.existsSync(configFile)) {
    const parsed = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => errors.push(d) });
    if (parsed) {
      options = parsed.options;
      // A tsconfig's `include` may match no file for the program alone; that is not the program's error (TS18003).
      errors.push(...parsed.errors.filter((d) => d.code !== 18003));
    }
  }
  // Only the program and what it imports, as ts-node sees it: not the tests or tools the tsconfig also includes.
  const entry = programEntry(projectDir);
  const program = ts.createIncrementalProgram({
    rootNames: [entry],
    options: { ...options, noEmit: true, incremental: true, tsBuildInfoFile: path.join(cacheDir, "program.tsbuildinfo") },
  });
  errors.push(
    ...program.getConfigFileParsingDiagnostics(),
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
  );
  // With noEmit, emit() writes only the incremental state (the .tsbuildinfo) the next run starts from.
  program.emit();

  // The program's own files, and for everything under node_modules (declarations, the compiler's libs) the lockfile
  // npm rewrites whenever it changes node_modules: a few hundred stat calls instead of thousands on the next run.
  const own = program.getSourceFiles().map((f) => path.resolve(f.fileName)).filter((f) => !f.split(path.sep).includes("node_modules"));
  const installed = path.join(projectDir, "node_modules", ".package-lock.json");
  const files = [configFile, path.join(projectDir, "package.json"), installed, ...own]
    .filter((file, i, all) => all.indexOf(file) === i && fs.existsSync(file))
    .map((file) => {
      const stat = fs.statSync(file);
      return [file, stat.mtimeMs, stat.size] as const;
    });
  const result = { key, errors: errors.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => format(d, projectDir)), files };
  // Written beside and renamed, so a preview running at the same time never reads half a file.
  const target = path.join(cacheDir, "result.json");
  const staging = `${target}.${process.pid}`;
  fs.writeFileSync(staging, JSON.stringify(result));
  fs.renameSync(staging, target);
}

/** The program Pulumi's Node.js runtime runs: package.json's `main`, else index.ts. */
function programEntry(projectDir: string): string {
  const packageFile = path.join(projectDir, "package.json");
  const main = fs.existsSync(packageFile) ? (JSON.parse(fs.readFileSync(packageFile, "utf8")) as { main?: string }).main : undefined;
  return path.resolve(projectDir, main ?? "index.ts");
}

/** As `tsc --pretty` prints a diagnostic, without colours or the code frame: `file:line:col - error TS1234: message`. */
function format(diagnostic: ts.Diagnostic, projectDir: string): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
  if (!diagnostic.file || diagnostic.start === undefined) return `error TS${diagnostic.code}: ${message}`;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const file = path.relative(projectDir, diagnostic.file.fileName);
  return `${file}:${line + 1}:${character + 1} - error TS${diagnostic.code}: ${message}`;
}

main(JSON.parse(process.env.ORDERFLOW_TYPECHECK ?? "{}") as Request);
