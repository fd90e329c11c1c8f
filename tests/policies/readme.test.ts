import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { orderflowPolicies } from "../../policies/all";

describe("policies/README.md", () => {
  const readme = readFileSync(path.join(__dirname, "..", "..", "policies", "README.md"), "utf8");

  it("lists every policy of the pack once, with its default enforcement level", () => {
    for (const policy of orderflowPolicies) {
      const rows = readme.split("\n").filter((line) => line.startsWith(`| \`${policy.name}\` |`));
      assert.equal(rows.length, 1, `policies/README.md has ${rows.length} rows for ${policy.name}`);
      assert.ok(rows[0].startsWith(`| \`${policy.name}\` | ${policy.enforcementLevel}`), `${policy.name} is ${policy.enforcementLevel}, the README says: ${rows[0]}`);
    }
    const documented = [...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented.filter((name) => !orderflowPolicies.some((p) => p.name === name)), [], "the README documents policies the pack does not have");
  });
});
