import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..", "..");
const FOLDERS = ["components", "stacks", "handlers", "ops", "localcloud", "policies"];

/** Every TypeScript source file under the project's source folders (dependencies and caches left out). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" || entry.name.startsWith(".") ? [] : sources(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

/** The project files a file imports, type-only imports and `import()` included, as the compiler resolves them. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith("."))
    .flatMap((name) => {
      const base = path.resolve(path.dirname(file), name);
      const found = [`${base}.ts`, path.join(base, "index.ts")].find((f) => fs.existsSync(f));
      return found ? [found] : [];
    });
}

/** The import circles of a graph, each as the files along it, first file repeated at the end. */
function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "visiting" | "done">();
  const trail: string[] = [];
  const visit = (file: string) => {
    state.set(file, "visiting");
    trail.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "visiting") found.push([...trail.slice(trail.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    trail.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe("source: imports run one way", () => {
  it("has no import circle, not even of types, among components, stacks, handlers, ops, localcloud and policies", () => {
    const files = FOLDERS.flatMap((folder) => sources(path.join(ROOT, folder)));
    const graph = new Map(files.map((file) => [file, importsOf(file)]));
    const found = circles(graph).map((c) => c.map((f) => path.relative(ROOT, f)).join(" -> "));
    assert.deepEqual(found, [], `import circles:\n${found.join("\n")}`);
  });

  it("finds a circle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    assert.deepEqual(circles(graph), [["a.ts", "b.ts", "c.ts", "a.ts"]]);
  });
});
