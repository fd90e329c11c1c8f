import * as pulumi from "@pulumi/pulumi";
import {
  specialArchiveSig,
  specialAssetSig,
  specialSecretSig,
  specialSigKey,
  unknownValue,
} from "@pulumi/pulumi/runtime/rpc";

/** A value of the protocol's "JSON-like" Struct: what `Struct.fromJavaScript` accepts. */
export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };

/**
 * Encodes property values as the engine marshals them for analyzers (`MarshalProperties` with KeepUnknowns,
 * KeepSecrets and SkipInternalKeys, pulumi/pulumi sdk/go/common/resource/plugin/rpc.go):
 * - an unknown becomes the unknown-string sentinel. The Node SDK sends every unknown as that string, so the engine's
 *   computed value is string-typed and the analyzer sees the same sentinel; @pulumi/policy's `unknownCheckingProxy`
 *   turns it into an `UnknownValueError` when a policy reads it;
 * - a secret stays a `{sig: secret, value}` object (the policy runtime unwraps it, so policies see the plain value);
 * - assets and archives become their signature objects; a resource reference becomes its ID, or its URN without one;
 * - top-level keys starting with `__` are dropped, `undefined` entries are left out (the SDK never sends them).
 */
export async function marshalProperties(properties: Readonly<Record<string, unknown>>): Promise<Record<string, WireValue>> {
  const result: Record<string, WireValue> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith("__")) {
      continue;
    }
    const wire = await marshalValue(value);
    if (wire !== undefined) {
      result[key] = wire;
    }
  }
  return result;
}

async function marshalValue(value: unknown): Promise<WireValue | undefined> {
  if (value === undefined) {
    return undefined;
  }
  if (value === null || typeof value === "boolean" || typeof value === "number" || typeof value === "string") {
    return value;
  }
  if (pulumi.isUnknown(value)) {
    return unknownValue;
  }
  if (value instanceof Promise) {
    return marshalValue(await value);
  }
  if (pulumi.Output.isInstance(value)) {
    return marshalOutput(value);
  }
  if (Array.isArray(value)) {
    // An array keeps its positions: an entry the SDK would drop is sent as null, as the engine does.
    return Promise.all(value.map(async (item) => (await marshalValue(item)) ?? null));
  }
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    return marshalAssetOrArchive(value);
  }
  if (pulumi.Resource.isInstance(value)) {
    const resource = value as pulumi.Resource;
    if (pulumi.CustomResource.isInstance(resource)) {
      const id = await marshalOutput((resource as pulumi.CustomResource).id);
      if (id !== null && id !== "") {
        return id;
      }
    }
    return marshalOutput(resource.urn);
  }
  if (typeof value === "object") {
    const result: Record<string, WireValue> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const wire = await marshalValue(item);
      if (wire !== undefined) {
        result[key] = wire;
      }
    }
    return result;
  }
  throw new TypeError(`Cannot send a ${typeof value} property value to a policy pack: ${String(value)}`);
}

// Outputs only appear in hand-built resources (the recording engine deserializes plain values); an unknown or secret
// Output is sent as the engine would send the value it stands for.
async function marshalOutput(output: pulumi.Output<unknown>): Promise<WireValue> {
  const internals = output as unknown as {
    isKnown: Promise<boolean>;
    isSecret: Promise<boolean>;
    promise(withUnknowns?: boolean): Promise<unknown>;
  };
  if (!(await internals.isKnown)) {
    return unknownValue;
  }
  const value = (await marshalValue(await internals.promise(true))) ?? null;
  return (await internals.isSecret) ? { [specialSigKey]: specialSecretSig, value } : value;
}

async function marshalAssetOrArchive(value: pulumi.asset.Asset | pulumi.asset.Archive): Promise<WireValue> {
  const fields = value as unknown as Record<string, unknown>;
  const isArchive = pulumi.asset.Archive.isInstance(value);
  const result: Record<string, WireValue> = { [specialSigKey]: isArchive ? specialArchiveSig : specialAssetSig };
  for (const key of ["path", "text", "uri", "assets"]) {
    if (fields[key] !== undefined) {
      const wire = await marshalValue(fields[key]);
      if (wire !== undefined) {
        result[key] = wire;
      }
    }
  }
  return result;
}
