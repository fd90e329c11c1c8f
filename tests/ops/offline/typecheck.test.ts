import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCompilerOutput, typeCheckProgram } from "../../../ops/offline/typecheck";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// A Pulumi project beside the repository's, whose program passes `"NEW_IMAGES"` where the Table component's
// `StreamView` allows `"NEW_IMAGE" | "NEW_AND_OLD_IMAGES"`: the mistake `pulumi preview` stops at. The type is declared
// in the fixture rather than imported from components/table.ts, which would make each check parse the AWS provider's
// 4,000 declaration files (seconds); the main preview test type-checks the real program.
function projectWithProgram(program: string): string {
  const scratch = path.join(ROOT, ".orderflow", "cache", "test");
  fs.mkdirSync(scratch, { recursive: true });
  const dir = fs.mkdtempSync(path.join(scratch, "typecheck-"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", lib: ["ES2022"], types: [] } }));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "typecheck-fixture", main: "index.ts" }));
  fs.writeFileSync(path.join(dir, "index.ts"), program);
  return dir;
}

const program = (stream: string) =>
  [
    `type StreamView = "NEW_IMAGE" | "NEW_AND_OLD_IMAGES";`,
    `interface TableArgs { partitionKey: { name: string; type: "S" | "N" }; stream?: StreamView }`,
    `export const orders: TableArgs = { partitionKey: { name: "id", type: "S" }, stream: ${JSON.stringify(stream)} };`,
    "",
  ].join("\n");

describe("ops/offline type-check (the program as `pulumi preview` type-checks it)", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it("fails a program tsc rejects, with the compiler's message and the file:line of the error", async () => {
    const dir = projectWithProgram(program("NEW_IMAGES"));
    dirs.push(dir);
    const result = await typeCheckProgram({ projectDir: dir });
    assert.equal(result.ok, false);
    assert.equal(result.cached, false);
    assert.equal(result.errors.length, 1, result.errors.join("\n"));
    assert.match(result.errors[0], /^index\.ts:3:\d+ - error TS2820: Type '"NEW_IMAGES"' is not assignable to type 'StreamView \| undefined'\. Did you mean '"NEW_IMAGE"'\?$/);
  });

  it("reuses the result while nothing changed, and checks again once the program changes", async () => {
    const dir = projectWithProgram(program("NEW_IMAGES"));
    dirs.push(dir);
    const first = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: first.ok, cached: first.cached }, { ok: false, cached: false });
    const again = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: again.ok, cached: again.cached, errors: again.errors }, { ok: false, cached: true, errors: first.errors });
    fs.writeFileSync(path.join(dir, "index.ts"), program("NEW_IMAGE"));
    const fixed = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: fixed.ok, cached: fixed.cached, errors: fixed.errors }, { ok: true, cached: false, errors: [] });
  });
});

describe("ops/offline type-check: reading the compiler's output", () => {
  it("keeps each error with its further lines, names files from the project, and lists the program's own files only", () => {
    const output = [
      "/p/node_modules/@types/node/index.d.ts",
      "/p/stacks/index.ts",
      "stacks/index.ts(4,7): error TS2322: Type '{ a: string; }' is not assignable to type 'Args'.",
      "  Object literal may only specify known properties, and 'a' does not exist in type 'Args'.",
      "error TS2688: Cannot find type definition file for 'mocha'.",
      "  The file is in the program because:",
      "/p/components/table.ts",
      "",
    ].join("\n");
    assert.deepEqual(parseCompilerOutput(output, "/p"), {
      errors: [
        "stacks/index.ts:4:7 - error TS2322: Type '{ a: string; }' is not assignable to type 'Args'.\nObject literal may only specify known properties, and 'a' does not exist in type 'Args'.",
        "error TS2688: Cannot find type definition file for 'mocha'.\nThe file is in the program because:",
      ],
      files: ["/p/stacks/index.ts", "/p/components/table.ts"],
    });
  });
});
