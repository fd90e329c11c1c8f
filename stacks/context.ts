import * as pulumi from "@pulumi/pulumi";
import { referenceValue } from "./reference";
import { domainSettingsSchema, environmentSettingsSchema, parseSettings, type EnvironmentSettings } from "./settings";
import { parseEnvironmentStackName, type EnvironmentStackIdentity } from "./environments";

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
  const inherited = await referenceValue(id.env, "platform", "settings");
  const merged = { ...inherited, ...overrides };
  const settings = parseSettings(schema.extend(environmentSettingsSchema.shape).strict(), flatten(merged), source);
  return { id, settings: settings as EnvironmentSettings & Record<string, unknown> };
}

// parseSettings reads config-shaped input (`orderflow:key` → JSON text), so the merged object goes back into that shape.
function flatten(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`orderflow:${k}`, JSON.stringify(v)]));
}
