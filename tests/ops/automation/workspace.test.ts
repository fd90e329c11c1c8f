import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { policyPackOptions } from "../../../ops/automation/policy";
import { REPO_ROOT } from "../../../ops/repo-root";
import { backendUrl, ensureFileBackend, workspaceEnv } from "../../../ops/automation/workspace";
import { fakeMachine, FakeWorkspace, runFake, tempRepo } from "../../helpers/fake-workspace";

describe("ops/automation workspace: backend, passphrase and policy pack", () => {
  it("uses a file backend under <repo>/.pulumi unless PULUMI_BACKEND_URL says otherwise", () => {
    assert.equal(backendUrl(fakeMachine({ env: {} }), "/srv/orderflow"), "file:///srv/orderflow/.pulumi");
    assert.equal(backendUrl(fakeMachine({ env: { PULUMI_BACKEND_URL: "s3://state-bucket" } }), "/srv/orderflow"), "s3://state-bucket");
    assert.equal(backendUrl(fakeMachine({ env: {} })), pathToFileURL(path.join(REPO_ROOT, ".pulumi")).href);
    assert.ok(fs.existsSync(path.join(REPO_ROOT, "Pulumi.yaml")), "REPO_ROOT is not the Pulumi project");
  });

  it("passes the backend and the passphrase to every Pulumi command", () => {
    const env = workspaceEnv(fakeMachine({ env: { PULUMI_CONFIG_PASSPHRASE: "", OTHER: "x" } }), "file:///r/.pulumi");
    assert.deepEqual(env, { PULUMI_BACKEND_URL: "file:///r/.pulumi", PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_CONFIG_PASSPHRASE: "" });
    assert.equal(workspaceEnv(fakeMachine({ env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/p" } }), "s3://b").PULUMI_CONFIG_PASSPHRASE_FILE, "/p");
  });

  it("creates the file backend's directory, including under ~", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-backend-"));
    ensureFileBackend(pathToFileURL(path.join(root, "state")).href, "/nowhere");
    assert.ok(fs.statSync(path.join(root, "state")).isDirectory());
    ensureFileBackend("file://~/.pulumi-orderflow", root);
    assert.ok(fs.statSync(path.join(root, ".pulumi-orderflow")).isDirectory());
    assert.doesNotThrow(() => ensureFileBackend("https://api.pulumi.com", root));
  });

  it("attaches the policy pack, with the environment's config file only when there is one", () => {
    const repo = tempRepo({ dev: { "dynamodb-pitr": "advisory" } });
    assert.deepEqual(policyPackOptions("dev", repo), {
      policyPacks: [path.join(repo, "policies")],
      policyPackConfigs: [path.join(repo, "policies", "config", "dev.json")],
    });
    assert.deepEqual(policyPackOptions("prod", repo), { policyPacks: [path.join(repo, "policies")] });
  });

  it("gives preview and up the policy pack, and destroy none", async () => {
    const repo = tempRepo({ dev: {} });
    const options = async (operation: "up" | "preview" | "destroy") => {
      const ws = new FakeWorkspace();
      await runFake(ws, { operation, stack: "platform" }, repo);
      assert.equal(ws.selected[0].workDir, repo);
      return ws.calls[0].options;
    };
    for (const operation of ["up", "preview"] as const) {
      const o = await options(operation);
      assert.deepEqual(o.policyPacks, [path.join(repo, "policies")], operation);
      assert.deepEqual(o.policyPackConfigs, [path.join(repo, "policies", "config", "dev.json")], operation);
      assert.notEqual(o.refresh, true, `${operation} must not refresh`);
    }
    const destroy = await options("destroy");
    assert.equal(destroy.policyPacks, undefined);
    assert.ok(fs.statSync(path.join(repo, ".pulumi")).isDirectory(), "the default file backend was not created");
  });
});
