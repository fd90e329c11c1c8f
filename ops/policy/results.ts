// What the analyzer client hands to its callers: the pack's self-description, the config it accepts, the resources it
// is shown, and what it reports. Plain data, so the offline preview can print it and write it to JSON.

/** How a violation counts; the four levels of the analyzer protocol's EnforcementLevel. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A policy's severity, when the pack declares one. */
export type PolicySeverity = "low" | "medium" | "high" | "critical";

/** A JSON schema fragment, as a pack declares it for one config property. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One policy, as the pack describes it in GetAnalyzerInfo. */
export interface PolicyInfo {
  readonly name: string;
  readonly displayName?: string;
  readonly description: string;
  /** "resource" policies run in Analyze (per resource), "stack" policies in AnalyzeStack. */
  readonly kind: "resource" | "stack" | "unspecified";
  /** The level the policy declares, or the pack's default. */
  readonly enforcementLevel: EnforcementLevel;
  readonly severity?: PolicySeverity;
  /** The config properties the policy accepts (`enforcementLevel` is always accepted besides these). */
  readonly configSchema?: { readonly properties: Readonly<Record<string, JsonSchema>>; readonly required: readonly string[] };
}

/** The pack, as it describes itself in GetAnalyzerInfo. */
export interface PolicyPackInfo {
  readonly name: string;
  /** The pack's package.json version (PulumiPolicy.yaml's `version` wins when set, as in the CLI). */
  readonly version: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly supportsConfig: boolean;
  /** Sorted by name, as the CLI sorts them. */
  readonly policies: readonly PolicyInfo[];
  /** The config the pack was constructed with (the third argument of `new PolicyPack`). */
  readonly initialConfig: Readonly<Record<string, PolicyConfig>>;
}

/** One policy's settings, as the analyzer's Configure RPC carries them. */
export interface PolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * Policy pack config in the format of `pulumi preview --policy-pack-config <file>`: per policy name (or `all`), either
 * an enforcement level or an object of properties that may include `enforcementLevel`.
 */
export type PolicyPackConfig = Readonly<Record<string, EnforcementLevel | Readonly<Record<string, unknown>>>>;

/** One resource as the analyzer sees it: the fields of the protocol's AnalyzerResource. */
export interface AnalyzedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /**
   * Property values. Unknowns are `pulumi.unknown` (or the protocol's unknown sentinel strings), secrets are either
   * SDK secret objects (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`) or plain.
   */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly parent?: string;
  /** Only AnalyzeStack carries these two; Analyze ignores them. */
  readonly dependencies?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly options?: AnalyzedResourceOptions;
  readonly provider?: AnalyzedProvider;
}

/** The resource options the protocol forwards to policies (`args.opts`). */
export interface AnalyzedResourceOptions {
  readonly protect?: boolean;
  readonly ignoreChanges?: readonly string[];
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs?: readonly string[];
  readonly aliases?: readonly string[];
  readonly customTimeouts?: { readonly create?: number; readonly update?: number; readonly delete?: number };
}

/** The provider resource a resource was created with (`args.provider`). */
export interface AnalyzedProvider {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** One finding a policy reported. */
export interface PolicyResult {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The resource the finding is about: the analyzed resource for Analyze; for AnalyzeStack, the one the policy named. */
  readonly urn?: string;
  readonly message: string;
  readonly description: string;
  readonly severity?: PolicySeverity;
  /**
   * True when the policy could not run because a value it read is unknown until the resource exists: the runtime then
   * reports an advisory "can't run policy ... during preview" instead of the policy's own result.
   */
  readonly deferred: boolean;
  /** Which RPC produced it. */
  readonly phase: "resource" | "stack";
}
