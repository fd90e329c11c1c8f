import { PROJECT_ROOT } from "../stacks/stack-config";

/** The repository root: Pulumi.yaml, the stacks' config files, policies/ and .orderflow/ are here (the project's root). */
export const REPO_ROOT = PROJECT_ROOT;
