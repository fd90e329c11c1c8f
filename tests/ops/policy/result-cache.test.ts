import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { PolicyResultCache } from "../../../ops/policy/result-cache";
import type { PolicyPackInfo, PolicyResult } from "../../../ops/policy/results";
import { REPO_ROOT } from "../../../ops/repo-root";

const PACK = path.join(REPO_ROOT, "tests", "fixtures", "policy-pack");
const INFO = { name: "fixture", version: "0.0.1", supportsConfig: true, policies: [], initialConfig: {} } as unknown as PolicyPackInfo;
const resource = (name: string, inputs: Record<string, unknown>) => ({ urn: `urn:pulumi:dev::p::aws:s3/bucket:Bucket::${name}`, type: "aws:s3/bucket:Bucket", name, inputs }) as unknown as RecordedResource;
const finding = (message: string) => ({ policyName: "p", policyPackName: "fixture", policyPackVersion: "0.0.1", enforcementLevel: "advisory", message, description: "d" }) as PolicyResult;

describe("ops/policy/result-cache", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "orderflow-results-"));
    symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const open = (config?: Record<string, unknown>) => PolicyResultCache.open({ packDir: PACK, root, stack: { project: "p", stack: "dev", dryRun: true }, ...(config ? { config: config as never } : {}) });

  it("gives back an evaluation's results for exactly the same resources, and the pack's info", () => {
    const resources = [resource("a", { versioning: true })];
    assert.equal(open().results(resources), undefined);
    assert.equal(open().info(), undefined);
    open().store(INFO, resources, [finding("one")]);
    assert.deepEqual(open().results(resources), [finding("one")]);
    assert.deepEqual(open().info(), INFO);
    assert.equal(open().results([resource("a", { versioning: false })]), undefined, "another input is another evaluation");
  });

  it("is another cache for another config, and keeps only the latest key's files", () => {
    const resources = [resource("a", {})];
    open().store(INFO, resources, [finding("one")]);
    const other = open({ p: "mandatory" });
    assert.notEqual(other.key, open().key);
    assert.equal(other.results(resources), undefined);
    other.store(INFO, resources, []);
    assert.deepEqual(readdirSync(path.join(root, ".orderflow", "cache", "policy-results", "dev")), [other.key]);
  });

  it("is another cache once node_modules changed (npm rewrites its lockfile)", () => {
    const before = open().key;
    rmSync(path.join(root, "node_modules"));
    writeFileSync(path.join(root, "node_modules"), "");
    assert.notEqual(open().key, before);
  });
});
