import { strict as assert } from "node:assert";
import {
  AwsCredentialsMissingError,
  PassphraseMissingError,
  PulumiCliMissingError,
  PULUMI_INSTALL_URL,
} from "../../../ops/automation/errors";
import { findPulumiCli, hasAwsCredentials, preflight } from "../../../ops/automation/preflight";
import { runOperation } from "../../../ops/automation/run-operation";
import { fakeMachine, FakeWorkspace, tempRepo } from "../../helpers/fake-workspace";
import { plainReporter } from "../../../ops/automation/progress";

const FILE_BACKEND = "file:///repo/.pulumi";
const withCreds = { PATH: "/usr/bin:/opt/pulumi/bin", AWS_PROFILE: "dev", PULUMI_CONFIG_PASSPHRASE: "" };

describe("ops/automation preflight: what a real operation needs before it starts", () => {
  it("finds pulumi on the PATH, as the Automation API's default command does", () => {
    assert.equal(findPulumiCli(fakeMachine()), "/opt/pulumi/bin/pulumi");
    assert.equal(findPulumiCli(fakeMachine({ env: { PATH: "/usr/bin:/bin" } })), undefined);
  });

  it("without pulumi says what to install and that the offline preview needs none", () => {
    const machine = fakeMachine({ env: { ...withCreds, PATH: "/usr/bin" } });
    assert.throws(
      () => preflight(machine, FILE_BACKEND),
      (error: Error) => {
        assert.ok(error instanceof PulumiCliMissingError);
        assert.ok(error.message.includes(PULUMI_INSTALL_URL), error.message);
        assert.match(error.message, /`npm start` \(the offline preview of dev/);
        return true;
      },
    );
  });

  it("accepts any one AWS credential source: a variable, or the shared credentials or config file", () => {
    assert.ok(hasAwsCredentials(fakeMachine({ env: { AWS_ACCESS_KEY_ID: "AKIA..." } })));
    assert.ok(hasAwsCredentials(fakeMachine({ env: { AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" } })));
    assert.ok(hasAwsCredentials(fakeMachine({ env: {}, files: ["/home/tester/.aws/credentials"] })));
    assert.ok(hasAwsCredentials(fakeMachine({ env: {}, files: ["/home/tester/.aws/config"] })));
    assert.ok(hasAwsCredentials(fakeMachine({ env: { AWS_SHARED_CREDENTIALS_FILE: "/ci/creds" }, files: ["/ci/creds"] })));
    assert.ok(!hasAwsCredentials(fakeMachine({ env: { AWS_PROFILE: "" } })));
  });

  it("without credentials names the variables it looked for and how to set them", () => {
    const machine = fakeMachine({ env: { PATH: "/opt/pulumi/bin", PULUMI_CONFIG_PASSPHRASE: "x" } });
    assert.throws(
      () => preflight(machine, FILE_BACKEND),
      (error: Error) => {
        assert.ok(error instanceof AwsCredentialsMissingError);
        for (const hint of ["AWS_ACCESS_KEY_ID", "AWS_PROFILE", "~/.aws/credentials", "aws configure", "configure-aws-credentials", "--offline"]) {
          assert.ok(error.message.includes(hint), `missing "${hint}" in: ${error.message}`);
        }
        return true;
      },
    );
    assert.doesNotThrow(() => preflight(fakeMachine({ env: { PATH: "/opt/pulumi/bin", PULUMI_CONFIG_PASSPHRASE: "x", ORDERFLOW_SKIP_CREDENTIALS_CHECK: "1" } }), FILE_BACKEND));
  });

  it("needs a passphrase (even empty) for the file backend only", () => {
    const noPassphrase = fakeMachine({ env: { PATH: "/opt/pulumi/bin", AWS_PROFILE: "dev" } });
    assert.throws(() => preflight(noPassphrase, FILE_BACKEND), PassphraseMissingError);
    assert.throws(() => preflight(noPassphrase, FILE_BACKEND), /PULUMI_CONFIG_PASSPHRASE_FILE/);
    assert.doesNotThrow(() => preflight(noPassphrase, "https://api.pulumi.com"));
    assert.doesNotThrow(() => preflight(fakeMachine({ env: { ...withCreds } }), FILE_BACKEND));
    assert.doesNotThrow(() => preflight(fakeMachine({ env: { PATH: "/opt/pulumi/bin", AWS_PROFILE: "dev", PULUMI_CONFIG_PASSPHRASE_FILE: "/p" } }), FILE_BACKEND));
  });

  it("stops the run before touching any stack when the machine is not ready", async () => {
    const ws = new FakeWorkspace();
    await assert.rejects(
      runOperation(
        { operation: "up", env: "dev", parallel: 2, json: false },
        { machine: fakeMachine({ env: { PATH: "/usr/bin" } }), workspace: ws, reporter: plainReporter(() => {}), write: () => {}, repoRoot: tempRepo() },
      ),
      PulumiCliMissingError,
    );
    assert.equal(ws.selected.length, 0);
  });

  it("turns the Automation API's spawn ENOENT into the same install advice", async () => {
    const missing: FakeWorkspace = Object.assign(new FakeWorkspace(), {
      createOrSelectStack: async () => {
        throw new Error("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT");
      },
    });
    await assert.rejects(
      runOperation(
        { operation: "preview", env: "dev", parallel: 2, json: false },
        { machine: fakeMachine(), workspace: missing, reporter: plainReporter(() => {}), write: () => {}, repoRoot: tempRepo() },
      ),
      (error: Error) => error instanceof PulumiCliMissingError && error.message.includes("spawn pulumi ENOENT") && error.message.includes(PULUMI_INSTALL_URL),
    );
  });
});
