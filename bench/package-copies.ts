import * as fs from "node:fs";
import * as path from "node:path";

// "One copy of each package per bundle": esbuild bundles a package once per directory it is installed in, so a
// package npm could not hoist (two versions wanted, e.g. an SDK client pinned to another @smithy/core) is bundled
// twice. The bench lists such packages per bundle, from the files the bundle was built from.

/** A package bundled from more than one installed copy: its name and the versions of the copies, in path order. */
export interface PackageCopies {
  readonly name: string;
  readonly versions: readonly string[];
}

/** The packages of which more than one installed copy went into a bundle built from `inputs` (absolute paths). */
export function duplicatePackages(inputs: readonly string[]): PackageCopies[] {
  const dirsByName = new Map<string, Set<string>>();
  for (const file of inputs) {
    const match = /^(.*[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+))[\\/]/.exec(file);
    if (!match) continue;
    const name = match[2].replace(/\\/g, "/");
    dirsByName.set(name, (dirsByName.get(name) ?? new Set()).add(match[1]));
  }
  return [...dirsByName]
    .filter(([, dirs]) => dirs.size > 1)
    .map(([name, dirs]) => ({ name, versions: [...dirs].sort().map(versionOf) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function versionOf(packageDir: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as { version?: string }).version ?? "?";
  } catch {
    return "?";
  }
}
