import { strict as assert } from "node:assert";
import { main } from "../../ops/cli";
import type { OfflinePreviewOptions } from "../../ops/offline/preview";
import { ExitCode } from "../../ops/automation/exit-codes";
import { plainReporter } from "../../ops/automation/progress";
import { fakeMachine, FakeWorkspace, quietAccount, stepEvent, tempRepo, urnOf } from "../helpers/fake-workspace";

/** Runs the CLI on fakes and keeps what it printed. */
async function cli(argv: string[], overrides: Parameters<typeof main>[1] = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    machine: fakeMachine(),
    workspace: new FakeWorkspace(),
    reporter: plainReporter(() => {}),
    repoRoot: tempRepo(),
    accountCheck: quietAccount(),
    write: (t) => out.push(t),
    writeError: (t) => err.push(t),
    loadOfflinePreview: async () => {
      throw new Error("the offline preview must not load for a real operation");
    },
    ...overrides,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("ops/cli: orderflow <operation> --env <env>", () => {
  it("runs a real operation on the environment's stacks and exits 0", async () => {
    const ws = new FakeWorkspace();
    const { code, out } = await cli(["up", "--env", "staging", "--stack", "inventory", "--parallel", "1", "--yes"], { workspace: ws });
    assert.equal(code, ExitCode.ok);
    assert.deepEqual(ws.startOrder, ["bootstrap.nonprod", "staging", "staging.inventory"]);
    assert.match(out, /Summary of orderflow up --env staging:/);
  });

  it("exits 3 on drift", async () => {
    const ws = new FakeWorkspace().behave("prod.payments", {
      events: [stepEvent("update", urnOf("prod.payments", "aws:lambda/function:Function", "chargePayment"), ["timeout"])],
      error: new Error("error: no changes were expected but changes were proposed"),
    });
    const { code, out } = await cli(["drift", "--env", "prod"], { workspace: ws });
    assert.equal(code, ExitCode.drift);
    assert.match(out, /prod\.payments\s+aws:lambda\/function:Function\s+chargePayment\s+update\s+timeout/);
  });

  it("dispatches --offline preview to the offline preview with the parsed options and returns its exit code", async () => {
    const seen: OfflinePreviewOptions[] = [];
    const { code } = await cli(["preview", "--env", "dev", "--offline", "--json", "--stack", "checkout"], {
      loadOfflinePreview: async () => async (options) => {
        seen.push(options);
        return ExitCode.policyViolation;
      },
    });
    assert.equal(code, ExitCode.policyViolation);
    assert.deepEqual(seen, [{ env: "dev", stack: "checkout", json: true, parallel: 4, diff: false, suppressOutputs: false, verbose: false }]);
  });

  it("refuses --offline with anything but preview, saying what to run instead (exit 2)", async () => {
    const { code, err } = await cli(["up", "--env", "dev", "--offline"]);
    assert.equal(code, ExitCode.error);
    assert.match(err, /--offline works only with preview.*Run `npm run orderflow -- preview --env dev --offline`/);
  });

  it("exits 2 on usage errors, naming the allowed values", async () => {
    const cases: [string[], RegExp][] = [
      [["deploy", "--env", "dev"], /unknown command 'deploy'/],
      [["up", "--env", "dev", "--verbose"], /unknown option '--verbose'[\s\S]*orderflow -- up --help/],
      [["drift", "--env", "dev", "--yes"], /unknown option '--yes'/],
      [["up"], /required option '--env <env>' not specified/],
      [["up", "--env", "qa"], /Allowed choices are dev, staging, prod/],
      [["up", "--env", "dev", "--stack", "billing"], /--stack "billing" is neither a stack kind \(platform, orders, .*\) nor a stack name \(dev, dev\.orders/],
      [["up", "--env", "dev", "--stack", "prod.orders"], /--stack prod\.orders is a stack of prod, but --env is dev/],
      [["up", "--env", "dev", "--parallel", "two"], /--parallel must be a whole number of 1 or more, but "two" was given/],
    ];
    for (const [argv, message] of cases) {
      const { code, err } = await cli(argv);
      assert.equal(code, ExitCode.error, argv.join(" "));
      assert.match(err, message, argv.join(" "));
    }
  });

  it("takes --stack as a Pulumi user writes it: a full stack name, which also gives the environment", async () => {
    const seen: OfflinePreviewOptions[] = [];
    const loadOfflinePreview = async () => async (options: OfflinePreviewOptions) => {
      seen.push(options);
      return ExitCode.ok;
    };
    await cli(["preview", "--offline", "--stack", "dev.orders", "--diff", "--suppress-outputs", "--verbose"], { loadOfflinePreview });
    await cli(["preview", "--offline", "--env", "prod", "--stack", "prod"], { loadOfflinePreview });
    assert.deepEqual(
      seen.map((o) => [o.env, o.stack, o.diff, o.suppressOutputs, o.verbose]),
      [
        ["dev", "orders", true, true, true],
        ["prod", "platform", false, false, false],
      ],
    );
    const ws = new FakeWorkspace();
    assert.equal((await cli(["up", "--stack", "staging.inventory", "--yes"], { workspace: ws })).code, ExitCode.ok);
    assert.deepEqual(ws.startOrder, ["bootstrap.nonprod", "staging", "staging.inventory"]);
  });

  it("passes --diff and --suppress-outputs on to the Pulumi CLI in real operations", async () => {
    const ws = new FakeWorkspace();
    assert.equal((await cli(["preview", "--env", "dev", "--stack", "platform", "--diff", "--suppress-outputs"], { workspace: ws })).code, ExitCode.ok);
    assert.deepEqual(ws.calls.map((c) => [c.method, c.options.diff, c.options.suppressOutputs]), [
      ["preview", true, true],
      ["preview", true, true],
    ]);
  });

  it("exits 0 for --help and prints the usage, naming every command", async () => {
    const { code, out } = await cli(["--help"]);
    assert.equal(code, ExitCode.ok);
    assert.match(out, /Usage: orderflow \[options\] \[command\]/);
    for (const command of ["up", "preview", "destroy", "drift", "local"]) assert.match(out, new RegExp(`^  ${command} `, "m"), command);
  });

  it("prints each operation's own options for `<operation> --help`, not the top-level help", async () => {
    const own: Record<string, { has: string[]; lacks: string[] }> = {
      preview: { has: ["--offline", "--verbose", "--diff", "--json"], lacks: ["--yes"] },
      up: { has: ["--yes", "--diff", "--parallel"], lacks: ["--offline", "--verbose"] },
      drift: { has: ["--env", "--stack", "exits 3 on drift"], lacks: ["--yes", "--offline"] },
      destroy: { has: ["--yes", "reverse dependency order"], lacks: ["--offline", "--verbose"] },
    };
    for (const [operation, { has, lacks }] of Object.entries(own)) {
      const { code, out } = await cli([operation, "--help"]);
      assert.equal(code, ExitCode.ok, operation);
      assert.match(out, new RegExp(`^Usage: orderflow ${operation} \\[options\\]`), operation);
      for (const text of has) assert.ok(out.includes(text), `${operation} --help names ${text}`);
      for (const text of lacks) assert.ok(!out.includes(text), `${operation} --help does not offer ${text}`);
    }
  });

  it("prints the install advice and exits 2 when the Pulumi CLI is missing", async () => {
    const ws = new FakeWorkspace();
    const { code, err } = await cli(["preview", "--env", "dev"], { workspace: ws, machine: fakeMachine({ env: { PATH: "/usr/bin", AWS_PROFILE: "x" } }) });
    assert.equal(code, ExitCode.error);
    assert.match(err, /The Pulumi CLI was not found on the PATH/);
    assert.match(err, /https:\/\/www\.pulumi\.com\/docs\/install\//);
    assert.equal(ws.selected.length, 0);
  });
});
