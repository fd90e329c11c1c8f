// Loads TypeScript with esbuild instead of ts-node, for the CLI and for mocha: no type-checking (`npm run typecheck`
// does that) and Node's own source maps instead of ts-node's source-map-support hook, which Pulumi pays for on every
// resource (it formats a stack trace per registration and per promise): the test suite runs in 72 s instead of 95 s.
// Dynamic import() becomes require(), as ts-node's CommonJS output does, so the lazy stack programs load.
require("esbuild-register/dist/node").register({ target: "node22", supported: { "dynamic-import": false } });
