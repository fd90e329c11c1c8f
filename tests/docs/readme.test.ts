import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");

describe("README.md", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

  it("says why Node 20 works for each installed package that asks for a newer Node (what `npm ci` warns about)", () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { engines?: { node?: string } }> };
    const current = Number(process.versions.node.split(".")[0]);
    // The form packages use when they drop a Node line: a single `>=N` bound.
    const newer = Object.entries(lock.packages)
      .filter(([, entry]) => {
        const bound = /^>=\s*(\d+)/.exec(entry.engines?.node?.trim() ?? "");
        return bound !== null && !entry.engines!.node!.includes("||") && Number(bound[1]) > current;
      })
      .map(([key]) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length));
    for (const name of new Set(newer)) {
      assert.match(readme, new RegExp(`\`${name}\` requires Node \\d+`), `README.md does not say why ${name}, which asks for a newer Node, works on Node ${current}`);
    }
  });

  it("links the policy pack's own documentation", () => {
    assert.match(readme, /\[policies\/README\.md\]\(policies\/README\.md\)/);
  });
});
