import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stack-config";
import { isDeployed, referenceValue, warnNeverDeployed } from "./reference";
import { domainSettingsSchema, environmentSettingsSchema, parseSettings, type EnvironmentSettings } from "./settings";
import { parseEnvironmentStackName, stackName, type EnvironmentStackIdentity } from "./environments";

/** What every stack program of an environment starts from: which stack it is, and its settings, validated. */
export interface StackContext<S = EnvironmentSettings> {
  readonly id: EnvironmentStackIdentity;
  /** The environment's settings (from the platform stack) with this stack's overrides applied. */
  readonly settings: S;
}

/** The platform stack's context: its settings come from its own config, `Pulumi.<env>.yaml`. */
export function platformContext(): StackContext {
  const id = parseEnvironmentStackName(pulumi.getStack());
  return { id, settings: parseSettings(environmentSettingsSchema, pulumi.runtime.allConfig(), `Pulumi.${id.stack}.yaml`) };
}

/**
 * A domain stack's context: the platform stack's exported settings, overlaid with the `orderflow:*` keys of
 * `Pulumi.<env>.<domain>.yaml` (validated against what a domain may override), then validated as a whole.
 */
export async function domainContext(): Promise<StackContext<EnvironmentSettings & Record<string, unknown>>> {
  const id = parseEnvironmentStackName(pulumi.getStack());
  const schema = domainSettingsSchema(id.kind);
  const source = `Pulumi.${id.stack}.yaml`;
  const config = pulumi.runtime.allConfig();
  const parsed = parseSettings(schema.partial(), config, source) as Record<string, unknown>;
  // Only what this stack's file sets overrides the environment: the schema's defaults must not.
  const overrides = Object.fromEntries(Object.entries(parsed).filter(([key]) => `orderflow:${key}` in config));
  const inherited = await environmentSettings(id);
  const merged = { ...inherited, ...overrides };
  const settings = parseSettings(schema.extend(environmentSettingsSchema.shape).strict(), flatten(merged), source);
  return { id, settings: settings as EnvironmentSettings & Record<string, unknown> };
}

/**
 * The environment's settings as its platform stack exports them (a platform without a `settings` output fails, naming
 * it). In a preview of an environment whose platform has not been deployed yet, there is nothing to read: the settings
 * come from the platform's own config, `Pulumi.<env>.yaml`, read as the platform reads it, and a warning says so.
 */
async function environmentSettings(id: EnvironmentStackIdentity): Promise<Record<string, unknown>> {
  if (pulumi.runtime.isDryRun() && !(await isDeployed(id.env, "platform"))) {
    const platform = stackName(id.env, "platform");
    const source = `Pulumi.${platform}.yaml`;
    warnNeverDeployed(platform, id.stack, `this preview reads the environment's settings from ${source}`);
    return parseSettings(environmentSettingsSchema, loadStackConfig(platform).config, source);
  }
  return referenceValue(id.env, "platform", "settings");
}

// parseSettings reads config-shaped input (`orderflow:key` → JSON text), so the merged object goes back into that shape.
function flatten(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`orderflow:${k}`, JSON.stringify(v)]));
}
