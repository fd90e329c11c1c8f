import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RecordedResource } from "../engine/recording-monitor";
import { preparePolicyPack } from "./pack-cache";
import type { PolicyPackConfig, PolicyPackInfo, PolicyResult } from "./results";
import type { StackContext } from "./policy-pack-process";

/**
 * A policy pack's results, kept per evaluation: a pack is a function of the resources it is given (their inputs, outputs,
 * parents and dependencies), its own code, the packages it runs on, its config and the stack it is told about. While
 * none of these changed, the results of the last run are the results this run would get, so a warm preview that
 * changed nothing needs no pack process at all: it starts one only when an evaluation is not in the cache.
 *
 * The key of the whole cache: the pack's bundle (named by the hash of its sources, esbuild's and Node's versions: see
 * preparePolicyPack), node_modules' lockfile (which npm rewrites whenever it changes node_modules: @pulumi/policy,
 * the IAM data the policies read), the config and the stack context. Within it, one file per evaluation, named by the
 * hash of the resources as sent.
 */
export class PolicyResultCache {
  private constructor(
    private readonly dir: string,
    readonly key: string,
  ) {}

  /** The cache for one pack, config and stack; `root` holds node_modules and `.orderflow/cache`. */
  static open(options: { packDir: string; root: string; config?: PolicyPackConfig; stack?: StackContext }): PolicyResultCache {
    const build = path.basename(preparePolicyPack(options.packDir));
    const lockfile = path.join(options.root, "node_modules", ".package-lock.json");
    const installed = fs.existsSync(lockfile) ? fs.readFileSync(lockfile) : Buffer.alloc(0);
    const key = createHash("sha256")
      .update(`${build}\0${JSON.stringify(options.config ?? {})}\0${JSON.stringify(options.stack ?? {})}\0`)
      .update(installed)
      .digest("hex")
      .slice(0, 24);
    const parent = path.join(options.root, ".orderflow", "cache", "policy-results", sanitize(options.stack?.stack ?? "any"));
    return new PolicyResultCache(path.join(parent, key), key);
  }

  /** The pack's own description, as GetAnalyzerInfo answered it when the results were computed. */
  info(): PolicyPackInfo | undefined {
    return this.read<PolicyPackInfo>("info.json");
  }

  /** The results of evaluating exactly these resources, if an earlier run computed them. */
  results(resources: readonly RecordedResource[]): PolicyResult[] | undefined {
    return this.read<PolicyResult[]>(`${digest(resources)}.json`);
  }

  /** Keeps the pack's info and one evaluation's results; replaces the caches of any other key for the same stack. */
  store(info: PolicyPackInfo, resources: readonly RecordedResource[], results: readonly PolicyResult[]): void {
    if (!fs.existsSync(this.dir)) {
      const parent = path.dirname(this.dir);
      fs.mkdirSync(this.dir, { recursive: true });
      for (const other of fs.readdirSync(parent)) if (other !== this.key) fs.rmSync(path.join(parent, other), { recursive: true, force: true });
    }
    this.write("info.json", info);
    this.write(`${digest(resources)}.json`, results);
  }

  private read<T>(file: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir, file), "utf8")) as T;
    } catch {
      return undefined;
    }
  }

  // Written beside and renamed, so a preview running at the same time never reads half a file.
  private write(file: string, value: unknown): void {
    const target = path.join(this.dir, file);
    const staging = `${target}.${process.pid}`;
    fs.writeFileSync(staging, JSON.stringify(value));
    fs.renameSync(staging, target);
  }
}

function digest(resources: readonly RecordedResource[]): string {
  return createHash("sha256").update(JSON.stringify(resources)).digest("hex").slice(0, 32);
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}
