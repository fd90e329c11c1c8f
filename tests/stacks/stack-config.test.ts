import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigFileError, loadStackConfig } from "../../stacks/stack-config";

describe("stacks/stack-config: what the Pulumi CLI hands the program", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-config-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: orderflow\nruntime: nodejs\nconfig:\n  logLevel:\n    default: INFO\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("overlays the stack's file on the project's defaults, keys without a namespace being the project's", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n  orderflow:apiThrottle:\n    rateLimit: 20\n");
    assert.deepEqual(loadStackConfig("dev", dir), {
      config: { "orderflow:logLevel": "INFO", "aws:region": "eu-west-1", "orderflow:apiThrottle": '{"rateLimit":20}' },
      warnings: [],
    });
  });

  it("names the file and the place of a YAML error", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config:\n  orderflow:logLevel: DEBUG\n   aws:region: [us-east-1\n");
    assert.throws(() => loadStackConfig("dev", dir), (err: Error) => {
      assert.ok(err instanceof ConfigFileError);
      assert.match(err.message, /^Pulumi\.dev\.yaml: is not valid YAML: .* at line \d+, column \d+/);
      return true;
    });
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: [orderflow\n");
    assert.throws(() => loadStackConfig("dev", dir), /^ConfigFileError: Pulumi\.yaml: is not valid YAML/);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: orderflow\n");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: [1, 2]\n");
    assert.throws(() => loadStackConfig("dev", dir), /Pulumi\.dev\.yaml: `config` is not a map/);
  });

  it("warns when the environment's own file is missing, and not for a domain's (whose file only overrides)", () => {
    assert.deepEqual(loadStackConfig("dev", dir).warnings, ["Pulumi.dev.yaml was not found: stack dev runs with the defaults of Pulumi.yaml and stacks/settings.ts."]);
    assert.deepEqual(loadStackConfig("dev.orders", dir).warnings, []);
  });
});
