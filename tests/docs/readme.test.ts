import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

describe("README.md", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("asks for a Node that every installed package accepts, so `npm ci` on the oldest one admitted warns of no engine", () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string } }> };
    const engines = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
    const floor = Number(/^>=\s*(\d+)$/.exec(engines)![1]);
    // The form packages use when they drop a Node line: a single `>=N` bound (minor versions of the same line aside).
    const newer = Object.entries(lock.packages)
      .filter(([key, entry]) => {
        const bound = /^>=\s*v?(\d+)/.exec(entry.engines?.node?.trim() ?? "");
        return key !== "" && bound !== null && !entry.engines!.node!.includes("||") && Number(bound[1]) > floor;
      })
      .map(([key]) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length));
    assert.deepEqual([...new Set(newer)], [], `package.json asks for Node ${engines}, but these packages need a newer Node`);
    assert.match(readme, new RegExp(`Node\\.js ${floor} or later`), `README.md does not say that Node ${floor} or later is needed`);
  });

  it("links the policy pack's own documentation", () => {
    assert.match(readme, /\[policies\/README\.md\]\(policies\/README\.md\)/);
  });
});
