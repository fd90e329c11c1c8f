// Loads the project's TypeScript for the CLI, mocha and every child they start with `-r ./ops/register.js`: esbuild
// strips the types (no type-checking: `npm run typecheck` and the preview's own check do that), and Node's source maps
// map stack traces back (instead of ts-node's source-map-support hook, which Pulumi pays for on every resource: it
// formats a stack trace per registration and per promise). Dynamic import() becomes require(), as ts-node's CommonJS
// output does, so the lazy stack programs load.
//
// Two caches under .orderflow/cache make a warm start cheaper (measured on the offline preview of dev: 0.92× the CPU,
// 0.83× the wall time for Node's compile cache alone):
// - Node's compile cache (module.enableCompileCache, Node 22+): V8's compiled code of every module, node_modules
//   included, kept across runs and checked against each file's content. The directory is passed on to child processes
//   (the policy pack, the type-check, mocha's workers) through NODE_COMPILE_CACHE.
// - esbuild's output per TypeScript file, keyed by the file's content and these options: a warm start reads it instead
//   of transforming some 90 files again.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const CACHE = path.join(ROOT, ".orderflow", "cache");

function enableCompileCache() {
  const dir = process.env.NODE_COMPILE_CACHE || path.join(CACHE, "compile");
  const { status, directory } = Module.enableCompileCache(dir);
  if (status !== Module.constants.compileCacheStatus.FAILED) process.env.NODE_COMPILE_CACHE = directory;
}

// tsconfig.json's options that change what esbuild emits (esModuleInterop, the class-field semantics of its target).
function esbuildOptions() {
  const { compilerOptions } = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8"));
  return {
    loader: "ts",
    format: "cjs",
    target: `node${process.versions.node.split(".")[0]}`,
    supported: { "dynamic-import": false },
    sourcemap: "inline",
    tsconfigRaw: { compilerOptions },
  };
}

// esbuild's service is a child process in this process's group, so a Ctrl-C in the terminal ends it along with us.
// `orderflow local` then stops its services in order, and a module it first loads while stopping found the service
// gone ("The service is no longer running"): the run crashed with esbuild's stack instead of stopping. esbuild.stop()
// forgets the dead service; the next call starts a new one.
function transformWithLiveService(esbuild, source, options) {
  try {
    return esbuild.transformSync(source, options);
  } catch (error) {
    if (!/The service (is no longer running|was stopped)/.test(String(error && error.message))) throw error;
    esbuild.stop();
    return esbuild.transformSync(source, options);
  }
}

function registerTypeScript() {
  const esbuild = require("esbuild");
  const options = esbuildOptions();
  const transformDir = path.join(CACHE, "transpile");
  const optionsKey = `${esbuild.version}\0${JSON.stringify(options)}\0`;
  const transpile = (source, filename) => {
    const key = createHash("sha256").update(optionsKey).update(filename).update("\0").update(source).digest("hex").slice(0, 32);
    const file = path.join(transformDir, key.slice(0, 2), `${key}.js`);
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      // Not transformed yet (or the cache was cleared): transform, and keep the output for the next start.
    }
    const { code } = transformWithLiveService(esbuild, source, { ...options, sourcefile: filename });
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written beside and renamed: a process starting at the same time never reads half a file.
      const staging = `${file}.${process.pid}`;
      fs.writeFileSync(staging, code);
      fs.renameSync(staging, file);
    } catch {
      // A read-only checkout still runs, transforming on every start.
    }
    return code;
  };
  for (const extension of [".ts", ".cts", ".mts"]) {
    Module._extensions[extension] = function loadTypeScript(module, filename) {
      if (filename.split(path.sep).includes("node_modules")) throw new Error(`${filename}: TypeScript under node_modules is not loaded; packages ship JavaScript`);
      module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
    };
  }
  process.setSourceMapsEnabled(true);
}

enableCompileCache();
registerTypeScript();
