import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { contentTag, contextFiles } from "../../components/build-context";

// A build context like the repository's: a .dockerignore that keeps the lockfile and the handlers only.
function context(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "orderflow-context-"));
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  write(".dockerignore", "# only what the image builds from\n*\n!package.json\n!package-lock.json\n!handlers/\n");
  write("package.json", '{"name":"x"}');
  write("package-lock.json", "{}");
  write("handlers/shipping/worker/Dockerfile", "FROM node:24-slim\nCOPY handlers/ handlers/\n");
  write("handlers/shipping/worker/main.ts", "console.log('v1');\n");
  write("handlers/shared/events.ts", "export const x = 1;\n");
  write("README.md", "# readme\n");
  write("node_modules/left-pad/index.js", "module.exports = 1;\n");
  write(".pulumi/stacks/dev.json", "{}");
  return dir;
}

describe("components/build-context", () => {
  let dir: string;
  let build: { context: string; dockerfile: string; platform: string };
  beforeEach(() => {
    dir = context();
    build = { context: dir, dockerfile: path.join(dir, "handlers/shipping/worker/Dockerfile"), platform: "linux/amd64" };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lists the files Docker sends: those the .dockerignore keeps, sorted", () => {
    assert.deepEqual(contextFiles(dir), [
      "handlers/shared/events.ts",
      "handlers/shipping/worker/Dockerfile",
      "handlers/shipping/worker/main.ts",
      "package-lock.json",
      "package.json",
    ]);
  });

  it("tags the same sources alike, whatever their timestamps, and in a form ECR accepts", () => {
    const before = contentTag(build);
    utimesSync(path.join(dir, "handlers/shipping/worker/main.ts"), new Date(2000, 0, 1), new Date(2000, 0, 1));
    assert.equal(contentTag(build), before);
    // ECR image tags: up to 128 letters, digits, _ . -, starting with a letter or digit.
    assert.match(before, /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/);
  });

  it("gives a new tag when a source, the lockfile, the Dockerfile, the platform or a build arg changes", () => {
    const tags = new Set([contentTag(build)]);
    writeFileSync(path.join(dir, "handlers/shipping/worker/main.ts"), "console.log('v2');\n");
    tags.add(contentTag(build));
    writeFileSync(path.join(dir, "package-lock.json"), '{"lockfileVersion":3}');
    tags.add(contentTag(build));
    writeFileSync(build.dockerfile, "FROM node:24-slim\nCOPY handlers/ handlers/\nUSER node\n");
    tags.add(contentTag(build));
    tags.add(contentTag({ ...build, platform: "linux/arm64" }));
    tags.add(contentTag({ ...build, args: { NODE_ENV: "production" } }));
    writeFileSync(path.join(dir, "handlers/new-file.ts"), "");
    tags.add(contentTag(build));
    symlinkSync("shared/events.ts", path.join(dir, "handlers/link.ts"));
    tags.add(contentTag(build));
    assert.equal(tags.size, 8, "every change gives a tag of its own");
  });

  it("keeps the tag when only files the .dockerignore excludes change", () => {
    const before = contentTag(build);
    writeFileSync(path.join(dir, "README.md"), "# changed\n");
    writeFileSync(path.join(dir, "node_modules/left-pad/index.js"), "module.exports = 2;\n");
    writeFileSync(path.join(dir, ".pulumi/stacks/dev.json"), '{"changed":true}');
    assert.equal(contentTag(build), before);
  });

  it("without a .dockerignore, hashes the whole context", () => {
    rmSync(path.join(dir, ".dockerignore"));
    assert.ok(contextFiles(dir).includes("node_modules/left-pad/index.js"));
    assert.ok(contextFiles(dir).includes("README.md"));
  });
});
