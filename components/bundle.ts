import * as pulumi from "@pulumi/pulumi";
import { buildSync, formatMessagesSync, type BuildFailure, type Message, type Metafile } from "esbuild";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

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
  /** The archive's files by name: the minified CommonJS bundle and its source map. */
  readonly files: Readonly<Record<string, string>>;
  /** sha256 of the files' names and contents, in name order: equal for equal code, on any machine. */
  readonly hash: string;
  /** esbuild's warnings, formatted; bundling succeeded despite them. */
  readonly warnings: readonly string[];
  /** The files as a Pulumi archive of string assets (no zip, no timestamps, so nothing but content to diff). */
  archive(): pulumi.asset.AssetArchive;
}

/** esbuild could not bundle a handler, or the handler file is not there. */
export class BundleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BundleError";
  }
}

interface CacheEntry {
  readonly bundle: Bundle;
  /** Every file esbuild read, with the sha256 of its content then. */
  readonly inputs: readonly (readonly [string, string])[];
}

// Every Function of a program (and every test) bundles at construction; several share a handler. A cached bundle is
// reused only while every file it was built from is unchanged, so the cache never hides an edit.
const cache = new Map<string, CacheEntry>();

/**
 * Bundles a handler with esbuild, synchronously (components are built in the program's synchronous wiring):
 * minified and tree-shaken CommonJS for Node 22, every dependency including the AWS SDK v3 bundled (the lockfile
 * pins the SDK, not the runtime), with a linked source map for `NODE_OPTIONS=--enable-source-maps`.
 *
 * CommonJS rather than ESM: bundled CommonJS dependencies `require()` Node built-ins, which an ESM bundle can only do
 * through a `createRequire` banner; CommonJS needs no shim and Lambda loads it as `index.handler`.
 *
 * The output is byte-for-byte deterministic: esbuild's output depends only on its inputs, and every path it writes
 * (the source map's `sources`) is relative to the handlers root, so CI and laptops produce the same hash.
 */
export function bundleHandler(options: BundleOptions): Bundle {
  const handlersRoot = path.resolve(options.handlersRoot ?? DEFAULT_HANDLERS_ROOT);
  const entry = resolveEntry(options.handler, handlersRoot);
  const key = `${handlersRoot}\0${entry}`;
  const cached = cache.get(key);
  if (cached && cached.inputs.every(([file, digest]) => sha256OfFile(file) === digest)) {
    return cached.bundle;
  }

  const { files, metafile, warnings } = build(options.handler, entry, handlersRoot);
  const bundle: Bundle = {
    handler: options.handler,
    handlersRoot,
    files,
    hash: hashFiles(files),
    warnings,
    archive: () =>
      new pulumi.asset.AssetArchive(
        Object.fromEntries(Object.entries(files).map(([name, text]) => [name, new pulumi.asset.StringAsset(text)])),
      ),
  };
  cache.set(key, { bundle, inputs: inputDigests(metafile, handlersRoot) });
  return bundle;
}

/** Forgets every cached bundle, so the next build of each handler runs esbuild again (long-lived processes, tests). */
export function clearBundleCache(): void {
  cache.clear();
}

/** sha256 over the files' names and contents, in name order. */
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
      target: "node22",
      format: "cjs",
      minify: true,
      treeShaking: true,
      // ES module builds first: the SDK's and Powertools' are the ones esbuild can tree-shake.
      mainFields: ["module", "main"],
      // Linked, so Node finds the map through the bundle's sourceMappingURL comment. Without sources' content: stack
      // traces need only the mappings, and the map stays small.
      sourcemap: "linked",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
    });
    const files: Record<string, string> = {};
    for (const output of result.outputFiles) {
      files[path.basename(output.path)] = output.text;
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

function inputDigests(metafile: Metafile, handlersRoot: string): [string, string][] {
  return Object.keys(metafile.inputs)
    .map((input) => path.resolve(handlersRoot, input))
    .flatMap((file): [string, string][] => {
      // Inputs esbuild made up (a disabled module, say) have no file to watch.
      const digest = sha256OfFile(file);
      return digest === undefined ? [] : [[file, digest]];
    });
}

function sha256OfFile(file: string): string | undefined {
  try {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  } catch {
    return undefined;
  }
}
