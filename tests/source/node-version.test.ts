import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

// .nvmrc is the one place the project names its Node line: CI sets Node up from it, and what runs in AWS (the
// functions' runtime, the worker's image) and what the bundles are compiled for follow it.
describe("the Node version", () => {
  const major = read(".nvmrc").trim();

  it(".nvmrc names one Node major line, 22 or later", () => {
    assert.match(major, /^\d+$/);
    assert.ok(Number(major) >= 22, `.nvmrc names Node ${major}; the project needs 22 or later`);
  });

  it("the Lambda functions run on it and their bundles are compiled for it", () => {
    assert.match(read("components/function.ts"), new RegExp(`runtime: "nodejs${major}\\.x"`));
    assert.match(read("components/bundle.ts"), new RegExp(`target: "node${major}"`));
  });

  it("the label worker's image is built and runs on it", () => {
    const dockerfile = read("handlers/shipping/label-worker/Dockerfile");
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.ok(bases.length > 0);
    for (const base of bases) assert.equal(base, `node:${major}-slim`);
    assert.match(dockerfile, new RegExp(`--target=node${major}\\b`));
  });

  it(".ci/run makes sure a Node of package.json's engines runs the tests", () => {
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node;
    const floor = /^>=(\d+)$/.exec(engines)?.[1];
    assert.ok(floor, `package.json's engines.node is "${engines}", expected ">=N"`);
    const ci = read(".ci/run");
    assert.match(ci, new RegExp(`NODE_MIN_MAJOR=${floor}\\b`), ".ci/run checks another Node floor than package.json's engines");
  });
});
