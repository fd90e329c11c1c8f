import { strict as assert } from "node:assert";
import { runAccessCommand } from "../../../ops/access/command";

// The command's own errors; its verdicts are verdict.test.ts's (the same analysis, without a process per run).
describe("orderflow access: the command line", () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runAccessCommand(argv, { write: (t) => out.push(t), writeError: (t) => err.push(t) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  it("needs --env, one of the environments", async () => {
    assert.equal((await run([])).code, 2);
    const wrong = await run(["--env", "qa"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.err, /Allowed choices are dev, staging, prod/);
  });

  it("refuses --record with --static, and a record that does not exist, with exit 2", async () => {
    const both = await run(["--env", "dev", "--static", "--record", "x.json"]);
    assert.equal(both.code, 2);
    assert.match(both.err, /--record and --static exclude each other/);
    const missing = await run(["--env", "dev", "--record", "/nonexistent/access.json"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /\/nonexistent\/access\.json does not exist: run `orderflow local --env dev --scenario all` first/);
  });
});
