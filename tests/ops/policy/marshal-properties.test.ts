import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import { marshalProperties } from "../../../ops/policy/marshal-properties";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

describe("ops/policy marshalProperties (engine's analyzer encoding)", () => {
  it("keeps plain JSON values, nested, and leaves out undefined entries", async () => {
    const wire = await marshalProperties({ a: 1, b: "x", c: true, d: null, e: [1, { f: "g" }], h: { i: undefined, j: 2 }, k: undefined });
    assert.deepEqual(wire, { a: 1, b: "x", c: true, d: null, e: [1, { f: "g" }], h: { j: 2 } });
  });

  it("sends unknowns, at any depth, as the unknown sentinel string", async () => {
    const wire = await marshalProperties({ arn: pulumi.unknown, tags: { owner: pulumi.unknown }, list: [pulumi.unknown] });
    assert.deepEqual(wire, { arn: UNKNOWN, tags: { owner: UNKNOWN }, list: [UNKNOWN] });
  });

  it("keeps secrets as secret objects, including secret Outputs", async () => {
    const recorded = { [SIG]: SECRET, value: { password: "p" } };
    const wire = await marshalProperties({ recorded, output: pulumi.secret("s") });
    assert.deepEqual(wire, { recorded: { [SIG]: SECRET, value: { password: "p" } }, output: { [SIG]: SECRET, value: "s" } });
  });

  it("drops internal keys at the top level only", async () => {
    const wire = await marshalProperties({ __defaults: ["name"], name: "n", nested: { __kept: 1 } });
    assert.deepEqual(wire, { name: "n", nested: { __kept: 1 } });
  });

  it("sends assets and archives as signature objects", async () => {
    const wire = await marshalProperties({
      code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = 1") }),
      file: new pulumi.asset.FileArchive("./dist"),
    });
    assert.deepEqual(wire.file, { [SIG]: "0def7320c3a5731c473e5ecbe6d01bc7", path: "./dist" });
    assert.deepEqual(wire.code, {
      [SIG]: "0def7320c3a5731c473e5ecbe6d01bc7",
      assets: { "index.js": { [SIG]: "c44067f5952c0a294b673a41bacd8c17", text: "exports.handler = 1" } },
    });
  });

  it("sends an unknown Output as unknown and a known one as its value", async () => {
    const unknownOutput = pulumi.output(pulumi.unknown as unknown as string);
    const wire = await marshalProperties({ a: unknownOutput, b: pulumi.output({ c: 1 }) });
    assert.deepEqual(wire, { a: UNKNOWN, b: { c: 1 } });
  });
});
