import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:net";
import { runLocalCommand } from "../../../../ops/commands/local/command";

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}

describe("orderflow local --aws-port", function () {
  this.timeout(20_000);

  it("defaults to 4566 and says so in --help, with 0 for any free port", async () => {
    const out: string[] = [];
    assert.equal(await runLocalCommand(["--help"], { write: (t) => out.push(t), writeError: (t) => out.push(t) }), 0);
    // Commander wraps the help at 80 columns: read it as one line.
    assert.match(out.join("\n").replace(/\s+/g, " "), /--aws-port <port> the AWS endpoint's port: every service's API, for the AWS CLI and SDKs \(0: any free port\) \(default: 4566\)/);
  });

  it("exits 2 at once naming --aws-port when the endpoint's port is taken, before anything starts", async () => {
    const { server, port } = await listening();
    try {
      const err: string[] = [];
      const started = performance.now();
      const code = await runLocalCommand(["--env", "dev", "--port", "0", "--aws-port", String(port)], { write: () => undefined, writeError: (t) => err.push(t) });
      const ms = performance.now() - started;
      assert.equal(code, 2);
      assert.equal(err.join("\n"), `error: the AWS endpoint's port ${port} is in use; pass another with --aws-port (or --aws-port 0 for any free one).`);
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    } finally {
      server.close();
    }
  });

  it("refuses a port that is not one", async () => {
    const err: string[] = [];
    assert.equal(await runLocalCommand(["--env", "dev", "--aws-port", "65536"], { write: () => undefined, writeError: (t) => err.push(t) }), 2);
    assert.match(err.join("\n"), /--aws-port must be a whole number from 0 to 65535, but "65536" was given/);
  });
});
