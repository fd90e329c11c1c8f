import { build, type BuildOptions } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import { GraphError } from "../../graph/errors";

/** What the local cloud runs for a container: the program its image's CMD starts, built as its Dockerfile builds it. */
export interface LocalImage {
  /** The Dockerfile's `ENV` of the final stage. */
  readonly environment: Readonly<Record<string, string>>;
  /** The file the CMD runs with node, built into the local cache. */
  readonly program: string;
}

/**
 * Builds a Node.js container's program the way its Dockerfile does, without Docker: the final stage's `CMD ["node",
 * "<file>"]` names the program, and the build stage's `esbuild <entry> ... --outfile=<dir>/<file>` step says how it
 * is made; the same esbuild options run here on the same sources. A Dockerfile of another shape is refused, naming
 * what the local cloud needs: the image itself is not built (no Docker engine), only its program.
 */
export async function buildLocalImage(root: string, context: string, dockerfile: string, outDir: string): Promise<LocalImage> {
  const file = path.resolve(root, dockerfile);
  const text = readFileSync(file, "utf8").replace(/\\\r?\n/g, " ");
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM\s/i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const final = stages.at(-1) ?? [];
  const cmd = final.filter((l) => /^CMD\s/i.test(l)).at(-1);
  const args = cmd ? (JSON.parse(cmd.replace(/^CMD\s+/i, "")) as string[]) : [];
  if (args[0] !== "node" || args.length !== 2) {
    throw new GraphError(`${dockerfile}: the local cloud runs a container whose CMD is ["node", "<file>"] (exec form); found ${cmd ?? "no CMD"}.`);
  }
  const runFile = args[1];
  const step = stages
    .flat()
    .filter((l) => /^RUN\s/i.test(l) && /esbuild\s/.test(l))
    .find((l) => new RegExp(`--outfile=\\S*${escape(runFile)}(\\s|$)`).test(l));
  if (!step) throw new GraphError(`${dockerfile}: no RUN step builds ${runFile} with esbuild (--outfile=.../${runFile}); the local cloud builds the program that way.`);
  const tokens = step.replace(/^RUN\s+/i, "").split(/\s+/);
  const at = tokens.findIndex((t) => t.endsWith("esbuild"));
  const options = esbuildOptions(tokens.slice(at + 1), dockerfile);
  const program = path.join(outDir, runFile);
  await build({ ...options, entryPoints: (options.entryPoints as string[]).map((e) => path.resolve(root, context, e)), outfile: program, absWorkingDir: path.resolve(root, context), logLevel: "silent" });
  const environment: Record<string, string> = {};
  for (const line of final.filter((l) => /^ENV\s/i.test(l))) {
    for (const [, key, value] of line.replace(/^ENV\s+/i, "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) environment[key] = value.replace(/^"(.*)"$/, "$1");
  }
  return { environment, program };
}

/** esbuild's command-line flags (the subset a Dockerfile build step uses) as build options. */
function esbuildOptions(tokens: readonly string[], dockerfile: string): BuildOptions {
  const options: BuildOptions = { entryPoints: [] };
  for (const token of tokens) {
    const [flag, value] = token.split("=", 2);
    switch (flag) {
      case "--bundle":
        options.bundle = true;
        break;
      case "--minify":
        options.minify = true;
        break;
      case "--sourcemap":
        options.sourcemap = value === undefined ? true : (value as BuildOptions["sourcemap"]);
        break;
      case "--platform":
        options.platform = value as BuildOptions["platform"];
        break;
      case "--target":
        options.target = value;
        break;
      case "--format":
        options.format = value as BuildOptions["format"];
        break;
      case "--outfile":
        break;
      default:
        if (flag.startsWith("--")) throw new GraphError(`${dockerfile}: the local cloud does not know the esbuild flag ${flag} of the build step.`);
        (options.entryPoints as string[]).push(token);
    }
  }
  if ((options.entryPoints as string[]).length !== 1) throw new GraphError(`${dockerfile}: the esbuild step must name one entry point.`);
  return options;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
