// Loads the CLI's TypeScript with esbuild instead of ts-node: no type-checking (`npm run typecheck` does that) and no
// source-map-support hook, which Pulumi pays for on every resource (it captures a stack trace per registration).
// Dynamic import() becomes require(), as ts-node's CommonJS output does, so the lazy stack programs load.
require("esbuild-register/dist/node").register({ target: "node20", supported: { "dynamic-import": false } });
