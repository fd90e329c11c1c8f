import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { preparePolicyPack } from "../../../ops/policy/pack-cache";

const FIXTURE_PACK = path.join(__dirname, "..", "..", "fixtures", "policy-pack");

describe("ops/policy preparePolicyPack (bundled pack cache)", () => {
  let work: string;
  let pack: string;
  let cache: string;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-pack-cache-"));
    pack = path.join(work, "pack");
    cache = path.join(work, "cache");
    fs.cpSync(FIXTURE_PACK, pack, { recursive: true });
  });

  afterEach(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("bundles the pack's own modules, keeps packages external, and carries name, version and manifest", () => {
    const dir = preparePolicyPack(pack, cache);
    const bundle = fs.readFileSync(path.join(dir, "index.js"), "utf8");
    assert.match(bundle, /dead-letter-beside-queue/, "./queues is bundled");
    assert.match(bundle, /function-timeout/, "./functions is bundled");
    assert.match(bundle, /require\("@pulumi\/policy"\)/, "@pulumi/policy stays a require");
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")), {
      name: "orderflow-fixture-policies",
      version: "1.2.3",
      private: true,
      main: "index.js",
    });
    assert.equal(
      fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"),
      fs.readFileSync(path.join(pack, "PulumiPolicy.yaml"), "utf8"),
    );
  });

  it("reuses the bundle until a source changes, then replaces it", () => {
    const first = preparePolicyPack(pack, cache);
    const marker = path.join(first, "marker");
    fs.writeFileSync(marker, "");
    assert.equal(preparePolicyPack(pack, cache), first);
    assert.ok(fs.existsSync(marker), "the cached directory was not rebuilt");

    fs.appendFileSync(path.join(pack, "functions.ts"), "\n// changed\n");
    const second = preparePolicyPack(pack, cache);
    assert.notEqual(second, first);
    assert.ok(!fs.existsSync(first), "the stale bundle is removed");
    assert.deepEqual(fs.readdirSync(cache), [path.basename(second)]);
  });

  it("names the file and line of a syntax error, and leaves nothing behind", () => {
    fs.writeFileSync(path.join(pack, "functions.ts"), "export const = ;\n");
    assert.throws(() => preparePolicyPack(pack, cache), /Could not build the policy pack[\s\S]*functions\.ts:1: /);
    assert.deepEqual(fs.readdirSync(cache), []);
  });

  it("says what is missing from a directory that is not a pack", () => {
    fs.rmSync(path.join(pack, "PulumiPolicy.yaml"));
    assert.throws(() => preparePolicyPack(pack, cache), /has no PulumiPolicy\.yaml/);
    fs.writeFileSync(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ name: "p", version: "1.0.0", main: "missing.ts" }));
    assert.throws(() => preparePolicyPack(pack, cache), /entry point .*missing\.ts \(package\.json "main"\) does not exist/);
  });
});
