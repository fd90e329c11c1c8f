// Flat config: typescript-eslint's recommended rules over all project sources, and the direction of the imports.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// Imports run downward: the deployed program (components/, stacks/, handlers/, policies/) never imports the tooling
// (ops/) or the local cloud (localcloud/); the local cloud imports from ops/ only the engine's types and entry points
// named here, and only its app/ folder (scenarios, seed, the app's rules) imports the app's handlers/.
const PROGRAM_IMPORTS_TOOLING = {
  regex: "(^|/)(ops|localcloud)(/|$)",
  message: "components/, stacks/, handlers/ and policies/ are the deployed program: they never import the tooling (ops/) or the local cloud (localcloud/).",
};
// What the local cloud may use of ops/: the engine's recorded resources and cloud identity (types), its synthesis (the
// graph the cloud serves), and OperationError (how the `local` command tells a user's mistake from a crash).
const LOCALCLOUD_IMPORTS_OPS = {
  regex: "(^|/)ops/(?!(engine/recording-monitor|engine/fake-outputs|offline/synthesize|automation/errors)$)",
  message: "localcloud/ imports from ops/ only ops/engine/recording-monitor, ops/engine/fake-outputs, ops/offline/synthesize and ops/automation/errors (eslint.config.mjs says why).",
};
const EMULATOR_IMPORTS_APP = {
  regex: "(^|/)handlers(/|$)",
  message: "The emulator does not import the app: what is about this application goes in localcloud/app/ (scenarios, seed, its rules), handed to the services by the cloud.",
};

export default tseslint.config(
  { ignores: ["node_modules/**", "policies/node_modules/**", "bin/**", ".orderflow/**", ".pulumi/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    files: ["components/**/*.ts", "stacks/**/*.ts", "handlers/**/*.ts", "policies/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [PROGRAM_IMPORTS_TOOLING] }] },
  },
  {
    files: ["localcloud/**/*.ts"],
    ignores: ["localcloud/app/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [LOCALCLOUD_IMPORTS_OPS, EMULATOR_IMPORTS_APP] }] },
  },
  {
    files: ["localcloud/app/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [LOCALCLOUD_IMPORTS_OPS] }] },
  },
);
