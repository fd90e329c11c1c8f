import {
  ENFORCEMENT_LEVELS,
  type EnforcementLevel,
  type JsonSchema,
  type PolicyConfig,
  type PolicyInfo,
  type PolicyPackConfig,
} from "./results";

/** The pack config is invalid: each problem names the policy, the property and what was expected. */
export class PolicyConfigError extends Error {
  constructor(
    readonly packName: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid config for policy pack "${packName}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "PolicyConfigError";
  }
}

/**
 * The config the CLI sends in Configure (pulumi/pulumi pkg/resource/analyzer/config.go, ReconcilePolicyPackConfig):
 * every policy starts at its declared level with its schema's defaults; the pack's initial config, then the given
 * config (`--policy-pack-config`), are applied on top (`all` sets every policy's level first); the result is validated
 * against each policy's schema.
 */
export function reconcilePolicyConfig(
  packName: string,
  policies: readonly PolicyInfo[],
  initialConfig: Readonly<Record<string, PolicyConfig>>,
  config: PolicyPackConfig = {},
): Record<string, PolicyConfig> {
  const problems: string[] = [];
  let result: Record<string, PolicyConfig> = {};
  for (const policy of policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {}).filter(([, schema]) => "default" in schema);
    result[policy.name] = {
      enforcementLevel: policy.enforcementLevel,
      properties: Object.fromEntries(defaults.map(([key, schema]) => [key, schema.default])),
    };
  }
  result = applyConfig(result, initialConfig);
  result = applyConfig(result, parsePolicyPackConfig(config, policies, problems));
  for (const policy of policies) {
    problems.push(...validateProperties(policy, result[policy.name].properties));
  }
  if (problems.length > 0) {
    throw new PolicyConfigError(packName, problems);
  }
  return result;
}

type PartialConfig = { enforcementLevel?: EnforcementLevel; properties: Record<string, unknown> };

function parsePolicyPackConfig(
  config: PolicyPackConfig,
  policies: readonly PolicyInfo[],
  problems: string[],
): Record<string, PartialConfig> {
  const known = new Set(policies.map((p) => p.name));
  const result: Record<string, PartialConfig> = {};
  for (const [name, value] of Object.entries(config)) {
    if (name !== "all" && !known.has(name)) {
      // The CLI passes unknown names through and the pack ignores them; a typo would silently do nothing, so say so.
      problems.push(`"${name}" is not a policy of this pack (policies: ${[...known].sort().join(", ")}).`);
      continue;
    }
    if (typeof value === "string") {
      if (!isEnforcementLevel(value)) {
        problems.push(`${name}: "${value}" is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}.`);
        continue;
      }
      result[name] = { enforcementLevel: value, properties: {} };
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value as Record<string, unknown>;
      if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) {
        problems.push(
          `${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}.`,
        );
        continue;
      }
      result[name] = { enforcementLevel: enforcementLevel as EnforcementLevel | undefined, properties };
    } else {
      problems.push(`${name}: ${JSON.stringify(value)} is not valid; give an enforcement level or an object of properties.`);
    }
  }
  return result;
}

function applyConfig(
  result: Record<string, PolicyConfig>,
  toApply: Readonly<Record<string, PartialConfig | PolicyConfig>>,
): Record<string, PolicyConfig> {
  const next = { ...result };
  const all = toApply.all?.enforcementLevel;
  if (all !== undefined) {
    for (const [name, current] of Object.entries(next)) {
      next[name] = { ...current, enforcementLevel: all };
    }
  }
  for (const [name, given] of Object.entries(toApply)) {
    if (name === "all" || next[name] === undefined) {
      continue;
    }
    next[name] = {
      enforcementLevel: given.enforcementLevel ?? next[name].enforcementLevel,
      properties: { ...next[name].properties, ...given.properties },
    };
  }
  return next;
}

export function isEnforcementLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(value);
}

// The subset of JSON schema policy packs use for config: type, enum, required, numeric bounds, array items.
function validateProperties(policy: PolicyInfo, properties: Readonly<Record<string, unknown>>): string[] {
  const schema = policy.configSchema;
  if (schema === undefined) {
    return [];
  }
  const problems: string[] = [];
  for (const key of schema.required) {
    if (properties[key] === undefined) {
      problems.push(`${policy.name}.${key} is required; set it in the policy pack config.`);
    }
  }
  for (const [key, value] of Object.entries(properties)) {
    const propertySchema = schema.properties[key];
    if (propertySchema !== undefined) {
      problems.push(...validateValue(`${policy.name}.${key}`, value, propertySchema));
    }
  }
  return problems;
}

function validateValue(path: string, value: unknown, schema: JsonSchema): string[] {
  const expected = schema.type;
  if (typeof expected === "string" && !hasType(value, expected)) {
    return [`${path} must be of type ${expected}, but ${JSON.stringify(value)} was given.`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    return [`${path} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, but ${JSON.stringify(value)} was given.`];
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) {
      return [`${path} must be ${schema.minimum} or more, but ${value} was given.`];
    }
    if (typeof schema.maximum === "number" && value > schema.maximum) {
      return [`${path} must be ${schema.maximum} or less, but ${value} was given.`];
    }
  }
  if (Array.isArray(value) && schema.items !== null && typeof schema.items === "object") {
    return value.flatMap((item, i) => validateValue(`${path}[${i}]`, item, schema.items as JsonSchema));
  }
  return [];
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "array":
      return Array.isArray(value);
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "null":
      return value === null;
    default:
      return true;
  }
}
