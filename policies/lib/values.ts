import { UnknownValueError } from "@pulumi/policy";
import * as proxyInternals from "@pulumi/policy/proxy";
import * as pulumi from "@pulumi/pulumi";

/**
 * A value the engine does not know yet (at preview, anything computed by AWS: ARNs, generated names, documents that
 * embed them). Policies see it as this marker instead of an exception, so they can say what they could not check.
 */
export const UNKNOWN: unique symbol = Symbol("unknown until the resource exists");
export type Unknown = typeof UNKNOWN;

// The sentinels the engine sends for unknown values; the runtime's proxy throws on reading one, and values that did
// not come through the proxy (stack resources built by hand, recorded runs) may still carry them raw.
const SENTINEL_NAMES = [
  "unknownBooleanValue",
  "unknownNumberValue",
  "unknownStringValue",
  "unknownArrayValue",
  "unknownAssetValue",
  "unknownArchiveValue",
  "unknownObjectValue",
] as const;
const internals = proxyInternals as unknown as Record<(typeof SENTINEL_NAMES)[number], string>;
const SENTINELS = new Set<unknown>(SENTINEL_NAMES.map((n) => internals[n]));

/** The sentinel the engine sends for an unknown string, for building requests the way the engine does. */
export const ENGINE_UNKNOWN: string = internals.unknownStringValue;

export function isUnknown(value: unknown): value is Unknown {
  return value === UNKNOWN;
}

/**
 * A deep copy of resource properties as the policy runtime hands them over (wrapped in `unknownCheckingProxy`), in
 * which every unknown value is replaced by `UNKNOWN`. Reading goes key by key, so an unknown deep inside a document
 * never hides the known values beside it, and nothing a policy does afterwards can throw `UnknownValueError`.
 */
export function plain(value: unknown): unknown {
  if (SENTINELS.has(value)) return UNKNOWN;
  if (value === null || typeof value !== "object") return value;
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) return value;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    const list = value as unknown[];
    for (let i = 0; i < list.length; i++) items.push(readKey(list, i));
    return items;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = readKey(value as Record<string, unknown>, key);
  return copy;
}

function readKey(container: Record<string | number, unknown> | unknown[], key: string | number): unknown {
  try {
    return plain((container as Record<string | number, unknown>)[key]);
  } catch (e) {
    if (e instanceof UnknownValueError) return UNKNOWN;
    throw e;
  }
}

/**
 * The value at a path of a plain property tree: `undefined` when any step is absent, `UNKNOWN` when a step is not
 * known yet (so "absent" and "not known" never look alike).
 */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let current = value;
  for (const step of path) {
    if (isUnknown(current)) return UNKNOWN;
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

/** True when the value, or anything inside it, is not known yet. */
export function containsUnknown(value: unknown): boolean {
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object" && !pulumi.asset.Asset.isInstance(value) && !pulumi.asset.Archive.isInstance(value)) {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/** A known, non-empty string, or undefined. */
export function knownString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The tags of a resource (`tags`, or `tagsAll` as outputs carry the provider's default tags too). */
export function tagsOf(props: unknown): Record<string, unknown> {
  const tags = at(props, "tags");
  const all = at(props, "tagsAll");
  return {
    ...(all !== null && typeof all === "object" && !isUnknown(all) ? (all as Record<string, unknown>) : {}),
    ...(tags !== null && typeof tags === "object" && !isUnknown(tags) ? (tags as Record<string, unknown>) : {}),
  };
}
