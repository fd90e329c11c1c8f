import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { typeCheckProgram } from "../../../ops/offline/typecheck";

const ROOT = path.resolve(__dirname, "..", "..", "..");

// A Pulumi project beside the repository's (inside it, so that its imports resolve from the repository's
// node_modules), whose program passes a value the Table component's types do not allow.
function projectWithProgram(program: string, tsconfig: object = { extends: path.join(ROOT, "tsconfig.json"), include: [] }): string {
  const scratch = path.join(ROOT, ".orderflow", "cache", "test");
  fs.mkdirSync(scratch, { recursive: true });
  const dir = fs.mkdtempSync(path.join(scratch, "typecheck-"));
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "typecheck-fixture", main: "index.ts" }));
  fs.writeFileSync(path.join(dir, "index.ts"), program);
  return dir;
}

const program = (stream: string) =>
  [
    `import { Table } from ${JSON.stringify(path.join(ROOT, "components", "table"))};`,
    "",
    `export = () => new Table("orders", { partitionKey: { name: "id", type: "S" }, stream: ${JSON.stringify(stream)} });`,
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
    // A program without the AWS provider's or Node's declarations, so that each check takes a moment, not seconds.
    const typed = (value: string) => `type StreamView = "NEW_IMAGE" | "NEW_AND_OLD_IMAGES";\nexport const stream: StreamView = ${JSON.stringify(value)};\n`;
    const dir = projectWithProgram(typed("NEW_IMAGES"), { compilerOptions: { strict: true, target: "ES2022", lib: ["ES2022"], types: [] } });
    dirs.push(dir);
    const first = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: first.ok, cached: first.cached }, { ok: false, cached: false });
    const again = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: again.ok, cached: again.cached, errors: again.errors }, { ok: false, cached: true, errors: first.errors });
    fs.writeFileSync(path.join(dir, "index.ts"), typed("NEW_IMAGE"));
    const fixed = await typeCheckProgram({ projectDir: dir });
    assert.deepEqual({ ok: fixed.ok, cached: fixed.cached, errors: fixed.errors }, { ok: true, cached: false, errors: [] });
  });
});
