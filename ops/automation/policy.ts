import * as fs from "node:fs";
import * as path from "node:path";
import type { Environment } from "../../stacks/environments";
import { REPO_ROOT } from "../repo-root";

/** The policy pack options of preview and up: what `pulumi preview --policy-pack policies` does, per environment. */
export interface PolicyPackOptions {
  policyPacks: string[];
  policyPackConfigs?: string[];
}

/**
 * The repo's CrossGuard pack, with `policies/config/<env>.json` when that environment has one (the enforcement levels
 * the policy pack's authors chose for it, e.g. PITR advisory in dev).
 */
export function policyPackOptions(env: Environment, repoRoot: string = REPO_ROOT): PolicyPackOptions {
  const pack = path.join(repoRoot, "policies");
  const config = path.join(pack, "config", `${env}.json`);
  return fs.existsSync(config) ? { policyPacks: [pack], policyPackConfigs: [config] } : { policyPacks: [pack] };
}
