import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runEnvCommand } from "../../../../ops/commands/local/env-command";
import { operatorAccessFile, publishOperatorAccess, withdrawOperatorAccess, type OperatorAccess } from "../../../../localcloud/operator/access";

const ACCESS: OperatorAccess = {
  env: "dev",
  pid: process.pid,
  endpointUrl: "http://127.0.0.1:4566",
  region: "eu-west-1",
  accessKeyId: "ASIAEXAMPLE000000000",
  secretAccessKey: "it's/a+secret=",
  sessionToken: "token/with+symbols==",
  roleArn: "arn:aws:iam::123456789012:role/orderflow-local-operator",
};

describe("orderflow local env", () => {
  let root: string;
  let dir: string;
  const run = (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runEnvCommand(argv, { write: (t) => out.push(t), writeError: (t) => err.push(t) }, root);
    return { code, out: out.join("\n"), err: err.join("\n") };
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "orderflow-env-"));
    dir = path.join(root, ".orderflow", "local", "dev");
    mkdirSync(dir, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("prints the exports a shell evals: the endpoint, the operator's session, the region", () => {
    publishOperatorAccess(dir, ACCESS);
    const { code, out, err } = run(["--env", "dev"]);
    assert.equal(code, 0, err);
    assert.match(out, /^export AWS_ENDPOINT_URL=http:\/\/127\.0\.0\.1:4566 AWS_ACCESS_KEY_ID=ASIAEXAMPLE000000000 /);
    // What the shell makes of it: every value exactly, the quote in the secret included.
    const evaluated = execFileSync("bash", ["-c", `${out}; printf '%s\\n' "$AWS_ENDPOINT_URL" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_REGION" "$AWS_DEFAULT_REGION"`], { encoding: "utf8" });
    assert.deepEqual(evaluated.trimEnd().split("\n"), [ACCESS.endpointUrl, ACCESS.accessKeyId, ACCESS.secretAccessKey, ACCESS.sessionToken, ACCESS.region, ACCESS.region]);
    assert.match(err, /--endpoint-url "\$AWS_ENDPOINT_URL"/, "it says the AWS CLI v1 needs --endpoint-url");
    assert.deepEqual(JSON.parse(run(["--env", "dev", "--json"]).out), { AWS_ENDPOINT_URL: ACCESS.endpointUrl, AWS_ACCESS_KEY_ID: ACCESS.accessKeyId, AWS_SECRET_ACCESS_KEY: ACCESS.secretAccessKey, AWS_SESSION_TOKEN: ACCESS.sessionToken, AWS_REGION: ACCESS.region, AWS_DEFAULT_REGION: ACCESS.region });
  });

  it("writes the file for the user's eyes only, even over one with wider rights", () => {
    writeFileSync(operatorAccessFile(dir), "{}");
    chmodSync(operatorAccessFile(dir), 0o644);
    publishOperatorAccess(dir, ACCESS);
    assert.equal(statSync(operatorAccessFile(dir)).mode & 0o777, 0o600);
  });

  it("refuses, exit 2, when no cloud of the environment runs: no file, or the process that wrote it is gone", () => {
    const none = run(["--env", "dev"]);
    assert.equal(none.code, 2);
    assert.match(none.err, /no local cloud of dev is running .*npm run orderflow -- local --env dev/);
    const gone = execFileSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).trim();
    publishOperatorAccess(dir, { ...ACCESS, pid: Number(gone) });
    assert.equal(run(["--env", "dev"]).code, 2);
    assert.equal(run(["--env", "nowhere"]).code, 2);
  });

  it("leaves another run's file alone when it stops", () => {
    publishOperatorAccess(dir, { ...ACCESS, pid: process.pid + 1 });
    withdrawOperatorAccess(dir);
    assert.ok(existsSync(operatorAccessFile(dir)));
    publishOperatorAccess(dir, ACCESS);
    withdrawOperatorAccess(dir);
    assert.ok(!existsSync(operatorAccessFile(dir)));
  });
});
