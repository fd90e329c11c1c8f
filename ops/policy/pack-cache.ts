import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { REPO_ROOT } from "../repo-root";

/** Where transpiled packs are kept, one directory per pack and source hash: under the repository, so a built pack resolves @pulumi/* from its node_modules. */
export const DEFAULT_PACK_CACHE_DIR = path.join(REPO_ROOT, ".orderflow", "cache", "policy-pack");

const SOURCE_EXTENSIONS = new Set([".ts", ".js", ".mjs", ".cjs", ".json", ".yaml", ".yml"]);

/**
 * Returns a directory that runs like `packDir` under run-policy-pack, but starts in a fraction of the time: the pack's
 * own modules bundled into one CommonJS file, every package left external (so @pulumi/policy and @pulumi/pulumi are
 * the repository's single copies, which the policy runtime's `instanceof UnknownValueError` relies on), next to a copy
 * of PulumiPolicy.yaml and a package.json with the pack's name and version whose `main` is the bundle.
 *
 * run-policy-pack registers ts-node with type checking for TypeScript packs, which costs seconds per start; the
 * bundle skips that. Type errors are `tsc`'s job (the pack is in the project's tsconfig). The directory is keyed by
 * a hash of the pack's sources and reused until one changes.
 */
export function preparePolicyPack(packDir: string, cacheDir: string = DEFAULT_PACK_CACHE_DIR): string {
  const packageJson = readPackageJson(packDir);
  const entry = resolveEntry(packDir, packageJson);
  // The prefix names the pack (by directory), the suffix its sources: an edit replaces only that pack's old build.
  const prefix = `${sanitize(path.basename(packDir))}-${sha256(path.resolve(packDir)).slice(0, 8)}-`;
  const key = `${prefix}${hashSources(packDir)}`;
  const target = path.join(cacheDir, key);
  if (fs.existsSync(path.join(target, "package.json"))) {
    return target;
  }
  // Build beside the target and rename, so a concurrent run never starts a half-written pack.
  fs.mkdirSync(cacheDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(cacheDir, `.${key}-`));
  try {
    esbuild.buildSync({
      entryPoints: [entry],
      outfile: path.join(staging, "index.js"),
      bundle: true,
      packages: "external",
      platform: "node",
      format: "cjs",
      target: `node${process.versions.node.split(".")[0]}`,
      sourcemap: "inline",
      logLevel: "silent",
    });
    fs.copyFileSync(path.join(packDir, "PulumiPolicy.yaml"), path.join(staging, "PulumiPolicy.yaml"));
    const runnable = { name: packageJson.name, version: packageJson.version, private: true, main: "index.js" };
    fs.writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(runnable, null, 2)}\n`);
    try {
      fs.renameSync(staging, target);
    } catch (err) {
      // Another run renamed the same build into place first.
      if (!fs.existsSync(path.join(target, "package.json"))) {
        throw err;
      }
      fs.rmSync(staging, { recursive: true, force: true });
    }
  } catch (err) {
    fs.rmSync(staging, { recursive: true, force: true });
    const detail = (err as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors
      ?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
      .join("\n");
    throw new Error(`Could not build the policy pack in ${packDir}:\n${detail ?? (err as Error).message}`);
  }
  removeStaleBuilds(cacheDir, prefix, key);
  return target;
}

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
}

function readPackageJson(packDir: string): PackageJson {
  if (!fs.existsSync(path.join(packDir, "PulumiPolicy.yaml"))) {
    throw new Error(`${packDir} is not a policy pack: it has no PulumiPolicy.yaml.`);
  }
  const file = path.join(packDir, "package.json");
  if (!fs.existsSync(file)) {
    throw new Error(`The policy pack in ${packDir} has no package.json; it needs one with "name" and "version".`);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as PackageJson;
}

// Node's resolution of the pack directory: package.json `main`, else index.
function resolveEntry(packDir: string, packageJson: PackageJson): string {
  const main = path.resolve(packDir, packageJson.main ?? "index");
  const candidates = [main, `${main}.ts`, `${main}.js`, path.join(main, "index.ts"), path.join(main, "index.js")];
  const entry = candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
  if (entry === undefined) {
    throw new Error(`The policy pack's entry point ${main} (package.json "main") does not exist.`);
  }
  return entry;
}

function hashSources(packDir: string): string {
  const hash = createHash("sha256");
  hash.update(`${esbuild.version}\0${process.versions.node}\0`);
  for (const file of listSources(packDir)) {
    hash.update(`${path.relative(packDir, file)}\0`);
    hash.update(fs.readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

function listSources(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) {
      continue;
    }
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      files.push(...listSources(full));
    } else if (SOURCE_EXTENSIONS.has(path.extname(entry.name))) {
      files.push(full);
    }
  }
  return files;
}

function removeStaleBuilds(cacheDir: string, prefix: string, key: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    if (name !== key && name.startsWith(prefix) && /^[0-9a-f]{16}$/.test(name.slice(prefix.length))) {
      fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
    }
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}
