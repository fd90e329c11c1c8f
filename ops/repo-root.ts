import * as path from "node:path";

/** The repository root: Pulumi.yaml, the stacks' config files, policies/ and .orderflow/ are here. */
export const REPO_ROOT = path.resolve(__dirname, "..");
