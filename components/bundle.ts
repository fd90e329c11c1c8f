import * as pulumi from "@pulumi/pulumi";
import { buildSync, formatMessagesSync, version as esbuildVersion, type BuildFailure, type Message, type Metafile } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ownCodeSourceMap } from "./own-code-source-map";

/** Where handlers live unless told otherwise: `<repo>/handlers`. */
export const DEFAULT_HANDLERS_ROOT = path.resolve(__dirname, "..", "handlers");

/** The file Lambda loads (`index.handler`), and its source map next to it. */
export const BUNDLE_FILE = "index.js";
export const SOURCE_MAP_FILE = `${BUNDLE_FILE}.map`;

export interface BundleOptions {
  /** The handler file, relative to `handlersRoot` (`"orders/place-order.ts"`); it exports `handler`. */
  handler: string;
  /**
   * The directory handler paths are relative to.
   * @default `<repo>/handlers`
   */
  handlersRoot?: string;
}

/** One handler, bundled: the archive's files and their hash. */
export interface Bundle {
  /** The handler file, relative to the handlers root. */
  readonly handler: string;
  /** The handlers root the bundle was built from (absolute). */
  readonly handlersRoot: string;
  /** The archive's files by name: the minified CommonJS bundle and its source map (of the own code only). */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 of the files' names and contents, in name order: equal for equal code, on any machine. */
  readonly hash: string;
  /** esbuild's warnings, formatted; bundling succeeded despite them. */
  readonly warnings: readonly string[];
  /** The files the bundle was built from (absolute paths): the handler's, and those of every package it bundles. */
  readonly inputs: readonly string[];
  /** The files as a Pulumi archive: a directory named by their hash (see archiveOf), so nothing but content to diff. */
  archive(): pulumi.asset.FileArchive;
}

/** esbuild could not bundle a handler, or the handler file is not there. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

/** One input file of a bundle, as last seen: a changed size or mtime sends the check to the content hash. */
type InputStamp = readonly [file: string, size: number, mtimeMs: number, sha256: string];

interface CacheEntry {
  readonly files: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  readonly inputs: readonly InputStamp[];
}

// Bundles are kept in memory for the process and on disk across processes (a preview runs every stack's program
// twice; CI and `npm start` run them again). Either is reused only while every file the bundle was built from is
// unchanged, so a cache never hides an edit; the content decides, so a cached bundle is the same bytes as a new one.
const cache = new Map<string, CacheEntry>();
const DISK_CACHE_DIR = path.resolve(__dirname, "..", ".orderflow", "cache", "bundles");
// Part of every cache key: a new esbuild, or any change to the code that builds bundles (its options, the source
// map's cut), must not reuse old bundles.
const BUILD_KEY = [esbuildVersion, ...[__filename, require.resolve("./own-code-source-map")].map(sha256OfFile)].join("\0");

/**
 * Packages that every Lambda bundle takes from a module of ours instead, for every handler and every AWS client it
 * uses: each module says why the replacement is safe in Lambda. esbuild resolves them by path, and they are inputs of
 * the bundle like any other file (an edit to one rebuilds the bundles that use it).
 */
export const LAMBDA_ALIASES: Readonly<Record<string, string>> = {
  // The SDK's default credential chain, narrowed to the environment variables Lambda sets.
  "@aws-sdk/credential-provider-node": path.join(__dirname, "lambda-bundle-aliases", "credential-provider-node.ts"),
  // The X-Ray SDK's semver, used only by its AWS SDK v2 patcher.
  semver: path.join(__dirname, "lambda-bundle-aliases", "semver.ts"),
  // The event-stream serde, loaded only for operations with an event-stream member (none in the clients we use).
  "@smithy/core/event-streams": path.join(__dirname, "lambda-bundle-aliases", "smithy-event-streams.ts"),
};

/**
 * Bundles a handler (a path under the handlers root, e.g. "orders/place-order.ts") into `index.js` and its source
 * map: minified, tree-shaken CommonJS for Node 24 (Lambda's nodejs24.x) with every dependency, the AWS SDK included, bundled in. The bundle
 * is for AWS Lambda only: it relies on what Lambda provides (see LAMBDA_ALIASES).
 */
export function bundleHandler(options: BundleOptions): Bundle {
  const { handlersRoot, entry, key } = cacheKey(options);
  let cached = cache.get(key) ?? readDiskCache(key);
  if (!cached || !cached.inputs.every(isUnchanged)) {
    const { files, metafile, warnings } = build(options.handler, entry, handlersRoot);
    cached = { files, warnings, inputs: inputStamps(metafile, handlersRoot) };
    writeDiskCache(key, cached);
  }
  cache.set(key, cached);
  const files = cached.files;
  const hash = hashFiles(files);
  return {
    handler: options.handler,
    handlersRoot,
    files,
    hash,
    warnings: cached.warnings,
    inputs: cached.inputs.map(([file]) => file),
    archive: () => archiveOf(files, hash),
  };
}

// Archives are directories named by their content's hash, written once.
const ARCHIVE_DIR = path.resolve(__dirname, "..", ".orderflow", "cache", "archives");

/**
 * The bundle's files as a Pulumi archive: a directory of the files, named by their hash. Why a directory and not an
 * archive of string assets: the engine compares archives by their hash alone, and a directory's hash is taken over
 * the same sorted, timestamp-free tar as an asset map's, so both give the same hash for the same files on any machine;
 * but a directory travels to the engine as its path, where string assets send every byte of the bundle (0.5-1 MB a
 * function) through each registration.
 */
function archiveOf(files: Readonly<Record<string, string>>, hash: string): pulumi.asset.FileArchive {
  const dir = path.join(ARCHIVE_DIR, hash);
  if (!fs.existsSync(dir)) {
    const temporary = `${dir}.${process.pid}.tmp`;
    fs.mkdirSync(temporary, { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(temporary, name), text);
    try {
      fs.renameSync(temporary, dir);
    } catch (error) {
      // Another process wrote the same content first: its directory is as good as ours.
      fs.rmSync(temporary, { recursive: true, force: true });
      if (!fs.existsSync(dir)) throw error;
    }
  }
  return new pulumi.asset.FileArchive(dir);
}

function cacheKey(options: BundleOptions): { handlersRoot: string; entry: string; key: string } {
  const handlersRoot = path.resolve(options.handlersRoot ?? DEFAULT_HANDLERS_ROOT);
  const entry = resolveEntry(options.handler, handlersRoot);
  const key = createHash("sha256")
    .update(`${BUILD_KEY}\0${JSON.stringify(LAMBDA_ALIASES)}\0${handlersRoot}\0${entry}`)
    .digest("hex");
  return { handlersRoot, entry, key };
}

/**
 * Forgets the cached bundle of one handler, in memory and on disk: its next bundle is built from scratch. Only that
 * one: the disk cache is shared by every process of the checkout (a preview, the test workers), which would all build
 * every handler again if it were cleared.
 */
export function forgetBundle(options: BundleOptions): void {
  const { key } = cacheKey(options);
  cache.delete(key);
  fs.rmSync(path.join(DISK_CACHE_DIR, `${key}.json`), { force: true });
}

function readDiskCache(key: string): CacheEntry | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(DISK_CACHE_DIR, `${key}.json`), "utf8")) as CacheEntry;
  } catch {
    return undefined;
  }
}

// Written to a temporary file and renamed, so a concurrent reader sees the old entry or the new one, never half.
function writeDiskCache(key: string, entry: CacheEntry): void {
  try {
    fs.mkdirSync(DISK_CACHE_DIR, { recursive: true });
    const file = path.join(DISK_CACHE_DIR, `${key}.json`);
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(entry));
    fs.renameSync(temporary, file);
  } catch {
    // A cache that cannot be written only costs time.
  }
}

function isUnchanged([file, size, mtimeMs, sha256]: InputStamp): boolean {
  try {
    const stat = fs.statSync(file);
    if (stat.size === size && stat.mtimeMs === mtimeMs) return true;
    return stat.size === size && sha256OfFile(file) === sha256;
  } catch {
    return false;
  }
}

export function hashFiles(files: Readonly<Record<string, string>>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) {
    hash.update(name).update("\0").update(files[name]).update("\0");
  }
  return hash.digest("hex");
}

function resolveEntry(handler: string, handlersRoot: string): string {
  if (path.isAbsolute(handler) || handler.split(/[\\/]/).includes("..")) {
    throw new BundleError(
      `Handler "${handler}" must be a path relative to the handlers root ${handlersRoot}, inside it ` +
        `(like "orders/place-order.ts").`,
    );
  }
  const entry = path.join(handlersRoot, handler);
  if (!fs.existsSync(entry) || !fs.statSync(entry).isFile()) {
    throw new BundleError(
      `Handler file "${handler}" was not found in the handlers root ${handlersRoot}. Check the path, relative to ` +
        `that root, of a file that exports \`handler\`.`,
    );
  }
  return entry;
}

function build(
  handler: string,
  entry: string,
  handlersRoot: string,
): { files: Record<string, string>; metafile: Metafile; warnings: string[] } {
  try {
    const result = buildSync({
      entryPoints: [entry],
      // Paths esbuild writes are relative to these two, never to the machine's cwd.
      absWorkingDir: handlersRoot,
      outfile: path.join(handlersRoot, BUNDLE_FILE),
      write: false,
      bundle: true,
      platform: "node",
      target: "node24",
      format: "cjs",
      minify: true,
      treeShaking: true,
      // ES module builds first: the SDK's and Powertools' are the ones esbuild can tree-shake.
      mainFields: ["module", "main"],
      alias: LAMBDA_ALIASES,
      // Linked, so Node finds the map through the bundle's sourceMappingURL comment. Without sources' content: stack
      // traces need only the mappings, and the map stays small; smaller still once cut to the own code (below).
      sourcemap: "linked",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
    });
    const files: Record<string, string> = {};
    for (const output of result.outputFiles) {
      const name = path.basename(output.path);
      files[name] = name === SOURCE_MAP_FILE ? ownCodeSourceMap(output.text) : output.text;
    }
    return { files, metafile: result.metafile, warnings: format(result.warnings, "warning") };
  } catch (error) {
    const messages = (error as Partial<BuildFailure>).errors;
    if (!Array.isArray(messages)) throw error;
    throw new BundleError(
      `esbuild could not bundle handler "${handler}" (${entry}):\n${format(messages, "error").join("\n")}`,
    );
  }
}

function format(messages: Message[], kind: "error" | "warning"): string[] {
  return messages.length === 0 ? [] : formatMessagesSync(messages, { kind, color: false }).map((m) => m.trimEnd());
}

function inputStamps(metafile: Metafile, handlersRoot: string): InputStamp[] {
  return Object.keys(metafile.inputs)
    .map((input) => path.resolve(handlersRoot, input))
    .flatMap((file): InputStamp[] => {
      // Inputs esbuild made up (a disabled module, say) have no file to watch.
      const digest = sha256OfFile(file);
      if (digest === undefined) return [];
      const stat = fs.statSync(file);
      return [[file, stat.size, stat.mtimeMs, digest]];
    });
}

function sha256OfFile(file: string): string | undefined {
  try {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}
