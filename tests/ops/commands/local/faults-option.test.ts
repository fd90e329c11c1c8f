import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runLocalCommand } from "../../../../ops/commands/local/command";

/** Runs `orderflow local` with these arguments; what it wrote, and its exit code. */
async function local(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runLocalCommand(argv, { write: (t) => out.push(t), writeError: (t) => err.push(t) });
  return { code, out, err };
}

describe("orderflow local --faults, --fault-seed, --orders", () => {
  it("refuses a bad fault file before starting anything, naming the file and the field (exit 2)", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "orderflow-faults-")), "faults.yaml");
    writeFileSync(file, "functions:\n  sendEmail:\n    throttle: { invocationPercentage: 101 }\n");
    const run = await local(["--env", "dev", "--faults", file, "--port", "0"]);
    assert.equal(run.code, 2);
    assert.deepEqual(run.out, [], "nothing started");
    assert.equal(run.err.join("\n"), `error: Fault file ${file} is not valid: functions.sendEmail.throttle.invocationPercentage: must be a percentage from 0 to 100.`);
  });

  it("refuses a seed or an order count that is not a whole number in range (exit 2)", async () => {
    const seed = await local(["--env", "dev", "--fault-seed", "-1"]);
    assert.equal(seed.code, 2);
    assert.match(seed.err.join("\n"), /--fault-seed must be a whole number from 0 to 4294967295, but "-1" was given/);
    const orders = await local(["--env", "dev", "--scenario", "chaos", "--orders", "2.5"]);
    assert.equal(orders.code, 2);
    assert.match(orders.err.join("\n"), /--orders must be a whole number from 1 to 10000, but "2\.5" was given/);
  });
});
