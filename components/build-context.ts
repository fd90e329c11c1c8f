import ignore from "@balena/dockerignore";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

// An image's tag, made from what the image is built from. awsx's ecr.Image tags every build of a context with the same
// name (a hash of the context's path, the Dockerfile's path, the build args and the stack's name), so once a tag is in
// an IMMUTABLE repository, the next build with changed sources cannot be pushed: ECR answers ImageTagAlreadyExistsException
// to "an image with a tag that is already in the repository"
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html). A tag made from the content
// changes exactly when the image would, so immutability can stay.

/** What a Docker build reads: its context (filtered by the context's .dockerignore), Dockerfile, platform and args. */
export interface DockerBuildInputs {
  /** The build context, an absolute path. */
  readonly context: string;
  /** The Dockerfile, an absolute path (inside the context or not). */
  readonly dockerfile: string;
  readonly platform: string;
  readonly args?: Readonly<Record<string, string>>;
}

/**
 * The files Docker sends as the build context, as paths relative to it (with `/`), sorted: every file the context's
 * `.dockerignore` does not exclude, with Docker's matching rules (@balena/dockerignore). Directories that are excluded
 * and that no `!` pattern can re-include are not walked (node_modules, .git), as Docker's own walker skips them.
 */
export function contextFiles(context: string): string[] {
  const patterns = readDockerignore(context);
  const matcher = ignore().add(patterns);
  const reincludes = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1).replace(/^\/+/, ""));
  const files: string[] = [];
  const walk = (relativeDir: string) => {
    const entries = fs.readdirSync(path.join(context, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!matcher.ignores(relative) || mayReinclude(relative, reincludes)) walk(relative);
      } else if (!matcher.ignores(relative)) {
        files.push(relative);
      }
    }
  };
  walk("");
  return files.sort();
}

/**
 * The image tag for a build: `ctx-` and 40 hex characters of a SHA-256 over the context's files (paths and contents, or
 * link targets for symbolic links), the Dockerfile's path and contents, the platform and the build args. Timestamps and
 * the machine's paths play no part, so every machine tags the same sources alike.
 */
export function contentTag(build: DockerBuildInputs): string {
  const hash = createHash("sha256");
  const field = (label: string, value: string | Buffer) => {
    hash.update(`${label}\0${Buffer.byteLength(value)}\0`);
    hash.update(value);
  };
  for (const file of contextFiles(build.context)) {
    const absolute = path.join(build.context, file);
    const stat = fs.lstatSync(absolute);
    field(`file:${file}`, stat.isSymbolicLink() ? `link:${fs.readlinkSync(absolute)}` : fs.readFileSync(absolute));
  }
  field("dockerfile-path", path.relative(build.context, build.dockerfile).split(path.sep).join("/"));
  field("dockerfile", fs.readFileSync(build.dockerfile));
  field("platform", build.platform);
  for (const [key, value] of Object.entries(build.args ?? {}).sort(([a], [b]) => a.localeCompare(b))) field(`arg:${key}`, value);
  return `ctx-${hash.digest("hex").slice(0, 40)}`;
}

function readDockerignore(context: string): string[] {
  const file = path.join(context, ".dockerignore");
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

// Whether a `!` pattern could match something under an excluded directory: one that starts inside it, or one whose
// leading segments are wildcards (which could match anywhere).
function mayReinclude(directory: string, reincludes: readonly string[]): boolean {
  return reincludes.some((pattern) => pattern.startsWith(`${directory}/`) || /^[^/]*[*?[]/.test(pattern));
}
