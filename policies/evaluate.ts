// Runs the pack's policies in-process the way the CrossGuard runtime does (@pulumi/policy 1.21, server.js): the CLI's
// config reconciliation, then Analyze per resource and AnalyzeStack once, with the runtime's own deserializer and
// unknown-checking proxy. Tests use it, and so can the offline preview over resources recorded by ops/engine.
import type { EnforcementLevel, PolicyResource, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import * as policyDeserialize from "@pulumi/policy/deserialize";
import * as pulumi from "@pulumi/pulumi";
import { isUnknown as isOutputUnknown } from "@pulumi/pulumi/output";
import { specialArchiveSig, specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { orderflowPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./all";
import type { OrderflowPolicy } from "./lib/define";
import { ENGINE_UNKNOWN } from "./lib/values";

/** A resource as the engine knows it. ops/engine's RecordedResource has this shape. */
export interface EngineResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  /** What Analyze sees: the resource's inputs. Unknown values may be Pulumi's `unknown` or the engine's sentinel. */
  readonly inputs: Record<string, unknown>;
  /** What AnalyzeStack sees: its outputs (inputs when absent). */
  readonly outputs?: Record<string, unknown>;
}

/** A `--policy-pack-config` file: per policy (or "all"), an enforcement level or an object with one and properties. */
export type PackConfig = Readonly<Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>>;

/** One diagnostic, as the CLI prints it. */
export interface Violation {
  readonly policyName: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The runtime's text: the policy's description, a newline, our message (object-form reports: the message only). */
  readonly message: string;
  /** The resource it is about (for resource policies, the one analyzed). */
  readonly urn?: string;
  readonly phase: "resource" | "stack";
}

export interface EvaluateOptions {
  /** @default the whole pack */
  readonly policies?: readonly OrderflowPolicy[];
  /** Run only one phase. @default both */
  readonly phases?: readonly ("resource" | "stack")[];
}

type RuntimeConfig = Record<string, { enforcementLevel?: EnforcementLevel } & Record<string, unknown>>;

/** Every diagnostic the pack reports for these resources under this config, resource phase first. */
export async function evaluatePolicies(
  resources: readonly EngineResource[],
  config: PackConfig = {},
  options: EvaluateOptions = {},
): Promise<Violation[]> {
  const policies = options.policies ?? orderflowPolicies;
  const phases = options.phases ?? ["resource", "stack"];
  const runtimeConfig = reconcileConfig(policies, config);
  const out: Violation[] = [];
  if (phases.includes("resource")) {
    for (const r of resources) out.push(...(await analyzeResource(policies, runtimeConfig, r)).diagnostics);
  }
  if (phases.includes("stack")) out.push(...(await analyzeStack(policies, runtimeConfig, resources)).diagnostics);
  return out;
}

/**
 * The CLI's ReconcilePolicyPackConfig, then the runtime's Configure: schema defaults, "all"'s level, each policy's
 * level and properties on top; every policy ends up with its enforcement level.
 */
export function reconcileConfig(policies: readonly OrderflowPolicy[], config: PackConfig): RuntimeConfig {
  const result: RuntimeConfig = {};
  for (const p of policies) {
    const defaults = Object.entries(p.configSchema?.properties ?? {}).filter(([, schema]) => schema.default !== undefined);
    result[p.name] = { enforcementLevel: p.enforcementLevel, ...Object.fromEntries(defaults.map(([k, s]) => [k, s.default])) };
  }
  const normalized = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? { enforcementLevel: v } : { ...v }]),
  );
  const all = normalized.all?.enforcementLevel;
  if (all) for (const k of Object.keys(result)) result[k] = { ...result[k], enforcementLevel: all };
  for (const [name, given] of Object.entries(normalized)) {
    result[name] = { ...result[name], ...given, enforcementLevel: given.enforcementLevel ?? result[name]?.enforcementLevel };
  }
  return result;
}

interface Diagnostics {
  readonly diagnostics: Violation[];
  readonly notApplicable: { policyName: string; reason?: string }[];
}

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}
const throwNotApplicable = (reason?: string): never => {
  throw new NotApplicableError(reason);
};

function levelOf(p: OrderflowPolicy, config: RuntimeConfig): EnforcementLevel {
  const level = config[p.name]?.enforcementLevel || p.enforcementLevel || PACK_ENFORCEMENT_LEVEL;
  return level === "remediate" ? "mandatory" : level;
}

function getConfigOf(p: OrderflowPolicy, config: RuntimeConfig) {
  return <T extends object>(): T => {
    const { enforcementLevel: _level, ...properties } = config[p.name] ?? {};
    return properties as T;
  };
}

// makeReportViolationFun: a string is appended to the description; an object is taken as it is.
function reporter(p: OrderflowPolicy, level: EnforcementLevel, phase: Violation["phase"], out: Violation[], resourceUrn?: string): ReportViolation {
  return ((message: string | { message?: string; enforcementLevel?: EnforcementLevel; urn?: string }, urn?: string) => {
    if (typeof message === "object") {
      out.push({ policyName: p.name, enforcementLevel: message.enforcementLevel ?? level, message: message.message ?? p.description, urn: message.urn ?? resourceUrn, phase });
    } else {
      out.push({ policyName: p.name, enforcementLevel: level, message: message ? `${p.description}\n${message}` : p.description, urn: urn ?? resourceUrn, phase });
    }
  }) as ReportViolation;
}

function failure(p: OrderflowPolicy, e: unknown, phase: Violation["phase"], urn: string | undefined, result: Diagnostics): void {
  const from = `policy '${p.name}' from policy pack '${PACK_NAME}@v0.1.0'`;
  if (e instanceof UnknownValueError) {
    result.diagnostics.push({ policyName: p.name, enforcementLevel: "advisory", message: `can't run ${from} during preview: ${(e as Error).message}`, urn, phase });
  } else if (e instanceof NotApplicableError) {
    result.notApplicable.push({ policyName: p.name, reason: e.reason });
  } else {
    throw new Error(`Error validating resource with ${from}:\n${(e as Error)?.stack ?? String(e)}`);
  }
}

/** The Analyze RPC for one resource: every enabled resource policy, over the resource's inputs. */
export async function analyzeResource(policies: readonly OrderflowPolicy[], config: RuntimeConfig, resource: EngineResource): Promise<Diagnostics> {
  const result: Diagnostics = { diagnostics: [], notApplicable: [] };
  for (const p of policies) {
    const level = levelOf(p, config);
    if (level === "disabled" || !p.validateResource) continue;
    const pulumiType = (p.validateResource as { __pulumiType?: string }).__pulumiType;
    if (pulumiType && pulumiType !== resource.type) {
      result.notApplicable.push({ policyName: p.name, reason: `Policy only applies to resources of type '${pulumiType}'` });
      continue;
    }
    try {
      const props = unknownCheckingProxy(deserialize(resource.inputs));
      const args = {
        type: resource.type,
        props,
        urn: resource.urn,
        name: resource.name,
        opts: options(resource),
        stackTags: new Map<string, string>(),
        isType: () => false,
        asType: () => undefined,
        getConfig: getConfigOf(p, config),
        notApplicable: throwNotApplicable,
      } as unknown as ResourceValidationArgs;
      await Promise.resolve(p.validateResource(args, reporter(p, level, "resource", result.diagnostics, resource.urn)));
    } catch (e) {
      failure(p, e, "resource", resource.urn, result);
    }
  }
  return result;
}

/** The AnalyzeStack RPC: every enabled stack policy, over all resources' outputs, parents and dependencies linked. */
export async function analyzeStack(policies: readonly OrderflowPolicy[], config: RuntimeConfig, resources: readonly EngineResource[]): Promise<Diagnostics> {
  const result: Diagnostics = { diagnostics: [], notApplicable: [] };
  for (const p of policies) {
    const level = levelOf(p, config);
    if (level === "disabled") continue;
    try {
      const built = resources.map((r) => ({
        source: r,
        resource: {
          type: r.type,
          props: unknownCheckingProxy(deserialize(r.outputs ?? r.inputs)),
          urn: r.urn,
          name: r.name,
          opts: options(r),
          dependencies: [] as PolicyResource[],
          propertyDependencies: {} as Record<string, PolicyResource[]>,
          isType: () => false,
          asType: () => undefined,
        } as unknown as PolicyResource,
      }));
      const byUrn = new Map(built.map((b) => [b.resource.urn, b.resource]));
      for (const { source, resource } of built) {
        const parent = source.parent ? byUrn.get(source.parent) : undefined;
        if (parent) resource.parent = parent;
        resource.dependencies = (source.dependencies ?? []).map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
        for (const [k, urns] of Object.entries(source.propertyDependencies ?? {})) {
          resource.propertyDependencies[k] = urns.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => !!d);
        }
      }
      const args: StackValidationArgs = {
        resources: built.map((b) => b.resource),
        getConfig: getConfigOf(p, config),
        stackTags: new Map<string, string>(),
        notApplicable: throwNotApplicable,
      };
      await Promise.resolve(p.validateStack(args, reporter(p, level, "stack", result.diagnostics)));
    } catch (e) {
      failure(p, e, "stack", undefined, result);
    }
  }
  return result;
}

function options(r: EngineResource) {
  return {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    ...(r.parent ? { parent: r.parent } : {}),
  };
}

const runtimeDeserialize = (policyDeserialize as unknown as {
  deserializeProperties(struct: { toJavaScript(): unknown }, proxySecrets: boolean): Record<string, unknown>;
}).deserializeProperties;

/**
 * Properties as they reach the runtime over gRPC (a protobuf Struct: JSON values, unknowns as the engine's sentinel,
 * secrets and archives as signature objects), deserialized by the runtime's own function.
 */
function deserialize(values: Record<string, unknown>): Record<string, unknown> {
  const wire = toWire(values) as Record<string, unknown>;
  return runtimeDeserialize({ toJavaScript: () => wire }, false);
}

function toWire(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (isOutputUnknown(value) || value === ENGINE_UNKNOWN) return ENGINE_UNKNOWN;
  if (value === null || typeof value !== "object") return value;
  if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
    // The analyzer never reads code; an empty archive stands in for it.
    return { [specialSigKey]: specialArchiveSig, assets: {} };
  }
  if (Array.isArray(value)) return (value as unknown[]).map((v) => (v === undefined ? null : toWire(v)));
  const obj = value as Record<string, unknown>;
  if (obj[specialSigKey] === specialSecretSig) return { [specialSigKey]: specialSecretSig, value: toWire(obj.value) };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = toWire(v);
  return out;
}
