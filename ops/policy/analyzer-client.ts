import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient, AnalyzerService } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as proto from "@pulumi/pulumi/proto/analyzer_pb";
import type { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { parse as parseYaml } from "yaml";
import { startEngineServer, type EngineLogEntry, type EngineServer } from "./engine-server";
import { marshalProperties } from "./marshal-properties";
import { preparePolicyPack } from "./pack-cache";
import { reconcilePolicyConfig } from "./policy-config";
import {
  describeExit,
  PolicyPackStartError,
  startPolicyPackProcess,
  type PolicyPackProcess,
  type StackContext,
} from "./policy-pack-process";
import type {
  AnalyzedResource,
  EnforcementLevel,
  PolicyConfig,
  PolicyInfo,
  PolicyPackConfig,
  PolicyPackInfo,
  PolicyResult,
  PolicySeverity,
} from "./results";

export interface PolicyPackOptions {
  /** The pack's directory: PulumiPolicy.yaml, package.json (name, version, main) and the sources. */
  readonly packDir: string;
  /** Policy pack config, as in `--policy-pack-config`; reconciled with the pack's defaults like the CLI does. */
  readonly config?: PolicyPackConfig;
  /** The stack under evaluation: sent in the pack's environment and in ConfigureStack (stack tags). */
  readonly stack?: StackContext;
  /**
   * True runs a bundle of the pack (see preparePolicyPack), false runs its sources in place through run-policy-pack's
   * type-checking ts-node, exactly as the CLI does, at a cost of seconds per start.
   * @default true
   */
  readonly transpile?: boolean;
  /** Where bundles are kept. @default `<repo>/.orderflow/cache/policy-pack` */
  readonly cacheDir?: string;
  /** How long the pack may take to start serving. @default 30000 */
  readonly startupTimeoutMs?: number;
}

/** A running policy pack, reused for any number of Analyze and AnalyzeStack calls. */
export interface PolicyPackSession {
  readonly info: PolicyPackInfo;
  /** The per-policy config in effect: what the last Configure sent. */
  readonly config: Readonly<Record<string, PolicyConfig>>;
  /** The pack process, e.g. for a supervisor. */
  readonly pid: number;
  /** What the pack logged through `pulumi.log` so far. */
  readonly logs: readonly EngineLogEntry[];
  /** The first log entry that matches, once it has arrived (see EngineServer.whenLogged). */
  whenLogged(matches: (entry: EngineLogEntry) => boolean, timeoutMs: number): Promise<EngineLogEntry>;
  /** Reconciles `config` with the pack's defaults (as at start) and sends it; replaces any earlier config. */
  configure(config: PolicyPackConfig): Promise<void>;
  /** Runs the resource policies on one resource (the Analyze RPC); results are attributed to the resource. */
  analyze(resource: AnalyzedResource): Promise<PolicyResult[]>;
  /** Runs the stack policies over all resources (the AnalyzeStack RPC), with parents and dependencies linked. */
  analyzeStack(resources: readonly AnalyzedResource[]): Promise<PolicyResult[]>;
  /** Stops the pack and the engine server. Safe to call twice. */
  close(): Promise<void>;
}

/** An RPC to the pack failed: a policy threw, or the pack is gone. */
export class PolicyPackError extends Error {
  constructor(
    message: string,
    /** Set when the pack process had exited: its exit code or signal. */
    readonly exit?: string,
  ) {
    super(message);
    this.name = "PolicyPackError";
  }
}

// The protocol's messages must be built with the google-protobuf copy the generated code under @pulumi/pulumi loads
// (its serializers check `instanceof`); the project's own google-protobuf is another major version.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const { Struct: PulumiStruct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as {
  Struct: typeof Struct;
};
const PulumiEmpty = (AnalyzerService.getAnalyzerInfo as unknown as { requestType: new () => Empty }).requestType;

// The same limit the CLI and the policy runtime use: a stack's AnalyzeStack request can be large.
const MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

// @pulumi/policy's message when a policy read an unknown value (server.js, UnknownValueError branch).
const DEFERRED_MESSAGE = /^can't run policy '.*' from policy pack '.*' during preview: /s;

/**
 * Starts a policy pack and prepares it as `pulumi preview --policy-pack` does: GetAnalyzerInfo, then ConfigureStack
 * (when a stack is given), then Configure with every policy's reconciled config. Close the session when done.
 */
export async function startPolicyPack(options: PolicyPackOptions): Promise<PolicyPackSession> {
  const packDir = path.resolve(options.packDir);
  const manifestVersion = readManifestVersion(packDir);
  const runDir = options.transpile === false ? packDir : preparePolicyPack(packDir, options.cacheDir);
  const engine = await startEngineServer();
  let pack: PolicyPackProcess;
  try {
    pack = await startPolicyPackProcess({
      runDir,
      engineAddress: engine.address,
      displayName: packDir,
      ...(options.stack ? { stack: options.stack } : {}),
      ...(options.startupTimeoutMs ? { startupTimeoutMs: options.startupTimeoutMs } : {}),
    });
  } catch (err) {
    await engine.close();
    if (err instanceof PolicyPackStartError) {
      throw new PolicyPackStartError(`${err.message}${loggedErrors(engine.logs)}`, err.stderr);
    }
    throw err;
  }
  const client = new AnalyzerClient(pack.address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
    "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
  });
  const session = new Session(packDir, pack, engine, client);
  try {
    await session.initialize(manifestVersion, options.stack, options.config ?? {});
  } catch (err) {
    await session.close();
    throw err;
  }
  return session;
}

class Session implements PolicyPackSession {
  info!: PolicyPackInfo;
  config: Readonly<Record<string, PolicyConfig>> = {};
  private closed = false;

  constructor(
    private readonly packDir: string,
    private readonly pack: PolicyPackProcess,
    private readonly engine: EngineServer,
    private readonly client: AnalyzerClient,
  ) {}

  get pid(): number {
    return this.pack.pid;
  }

  get logs(): readonly EngineLogEntry[] {
    return this.engine.logs;
  }

  whenLogged(matches: (entry: EngineLogEntry) => boolean, timeoutMs: number): Promise<EngineLogEntry> {
    return this.engine.whenLogged(matches, timeoutMs);
  }

  async initialize(manifestVersion: string | undefined, stack: StackContext | undefined, config: PolicyPackConfig) {
    const info = await this.call<proto.AnalyzerInfo>("GetAnalyzerInfo", (cb) =>
      this.client.getAnalyzerInfo(new PulumiEmpty(), cb),
    );
    this.info = toPackInfo(info, manifestVersion);
    if (stack !== undefined) {
      const request = new proto.AnalyzerStackConfigureRequest()
        .setStack(stack.stack)
        .setProject(stack.project)
        .setOrganization(stack.organization ?? "")
        .setDryRun(stack.dryRun ?? true);
      for (const [key, value] of Object.entries(stack.tags ?? {})) {
        request.getTagsMap().set(key, value);
      }
      await this.call("ConfigureStack", (cb) => this.client.configureStack(request, cb));
    }
    await this.configure(config);
  }

  async configure(config: PolicyPackConfig): Promise<void> {
    const reconciled = reconcilePolicyConfig(this.info.name, this.info.policies, this.info.initialConfig, config);
    const request = new proto.ConfigureAnalyzerRequest();
    for (const [name, policyConfig] of Object.entries(reconciled)) {
      request.getPolicyconfigMap().set(
        name,
        new proto.PolicyConfig()
          .setEnforcementlevel(ENFORCEMENT_TO_PROTO[policyConfig.enforcementLevel])
          .setProperties(PulumiStruct.fromJavaScript(policyConfig.properties as Record<string, never>)),
      );
    }
    await this.call("Configure", (cb) => this.client.configure(request, cb));
    this.config = reconciled;
  }

  async analyze(resource: AnalyzedResource): Promise<PolicyResult[]> {
    const request = new proto.AnalyzeRequest()
      .setUrn(resource.urn)
      .setType(resource.type)
      .setName(resource.name)
      .setProperties(await toStruct(resource.properties))
      .setOptions(toOptions(resource));
    if (resource.provider) {
      request.setProvider(await toProvider(resource.provider));
    }
    const response = await this.call<proto.AnalyzeResponse>(`Analyze(${resource.urn})`, (cb) =>
      this.client.analyze(request, cb),
    );
    // The CLI attributes a resource policy's finding to the analyzed resource unless the policy named another.
    return response.getDiagnosticsList().map((d) => toResult(d, "resource", resource.urn));
  }

  async analyzeStack(resources: readonly AnalyzedResource[]): Promise<PolicyResult[]> {
    const request = new proto.AnalyzeStackRequest();
    for (const resource of resources) {
      const analyzerResource = new proto.AnalyzerResource()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(await toStruct(resource.properties))
        .setOptions(toOptions(resource))
        .setParent(resource.parent ?? "")
        .setDependenciesList([...(resource.dependencies ?? [])]);
      for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
        // Like the engine, leave out properties that depend on nothing.
        if (urns.length > 0) {
          analyzerResource.getPropertydependenciesMap().set(key, new proto.AnalyzerPropertyDependencies().setUrnsList([...urns]));
        }
      }
      if (resource.provider) {
        analyzerResource.setProvider(await toProvider(resource.provider));
      }
      request.addResources(analyzerResource);
    }
    const response = await this.call<proto.AnalyzeResponse>("AnalyzeStack", (cb) =>
      this.client.analyzeStack(request, cb),
    );
    return response.getDiagnosticsList().map((d) => toResult(d, "stack", undefined));
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.client.close();
    await this.pack.stop();
    await this.engine.close();
  }

  private async call<T>(what: string, invoke: (callback: (err: grpc.ServiceError | null, value?: T) => void) => void): Promise<T> {
    if (this.closed) {
      throw new PolicyPackError(`The policy pack ${this.packDir} was closed; ${what} cannot run.`);
    }
    const exitedEarlier = this.pack.exitStatus();
    if (exitedEarlier !== undefined) {
      throw this.crashed(what, describeExit(exitedEarlier));
    }
    try {
      return await new Promise<T>((resolve, reject) => {
        invoke((err, value) => (err ? reject(err) : resolve(value as T)));
      });
    } catch (err) {
      const grpcError = err as grpc.ServiceError;
      // A dead pack shows up as UNAVAILABLE; its exit event may trail the failed call, by seconds on a busy machine.
      if (grpcError.code === grpc.status.UNAVAILABLE || grpcError.code === grpc.status.CANCELLED) {
        const exit = await Promise.race([this.pack.exited, delay(5000)]);
        if (exit) {
          throw this.crashed(what, describeExit(exit));
        }
      }
      throw new PolicyPackError(
        `Policy pack ${this.packName()} failed in ${what}: ${grpcError.details || grpcError.message}${loggedErrors(this.engine.logs)}`,
      );
    }
  }

  private crashed(what: string, exit: string): PolicyPackError {
    const stderr = this.pack.stderr().trim();
    return new PolicyPackError(
      `Policy pack ${this.packName()} exited (${exit}) during ${what}.` +
        (stderr ? `\nIts stderr:\n${stderr}` : " It wrote nothing to stderr.") +
        loggedErrors(this.engine.logs),
      exit,
    );
  }

  private packName(): string {
    return this.info ? `"${this.info.name}"` : this.packDir;
  }
}

const ENFORCEMENT_TO_PROTO: Record<EnforcementLevel, proto.EnforcementLevel> = {
  advisory: proto.EnforcementLevel.ADVISORY,
  mandatory: proto.EnforcementLevel.MANDATORY,
  remediate: proto.EnforcementLevel.REMEDIATE,
  disabled: proto.EnforcementLevel.DISABLED,
};

function enforcementFromProto(level: proto.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(ENFORCEMENT_TO_PROTO) as EnforcementLevel[]).find((k) => ENFORCEMENT_TO_PROTO[k] === level);
  if (found === undefined) {
    throw new PolicyPackError(`The policy pack sent enforcement level ${level}, which the protocol does not define.`);
  }
  return found;
}

const SEVERITY_FROM_PROTO: Partial<Record<proto.PolicySeverity, PolicySeverity>> = {
  [proto.PolicySeverity.POLICY_SEVERITY_LOW]: "low",
  [proto.PolicySeverity.POLICY_SEVERITY_MEDIUM]: "medium",
  [proto.PolicySeverity.POLICY_SEVERITY_HIGH]: "high",
  [proto.PolicySeverity.POLICY_SEVERITY_CRITICAL]: "critical",
};

const POLICY_KIND: Record<proto.PolicyType, PolicyInfo["kind"]> = {
  [proto.PolicyType.POLICY_TYPE_UNKNOWN]: "unspecified",
  [proto.PolicyType.POLICY_TYPE_RESOURCE]: "resource",
  [proto.PolicyType.POLICY_TYPE_STACK]: "stack",
};

function toPackInfo(info: proto.AnalyzerInfo, manifestVersion: string | undefined): PolicyPackInfo {
  const policies = info.getPoliciesList().map((p): PolicyInfo => {
    const schema = info.getSupportsconfig() ? p.getConfigschema() : undefined;
    const severity = SEVERITY_FROM_PROTO[p.getSeverity()];
    return {
      name: p.getName(),
      ...(p.getDisplayname() ? { displayName: p.getDisplayname() } : {}),
      description: p.getDescription(),
      kind: POLICY_KIND[p.getPolicyType()] ?? "unspecified",
      enforcementLevel: enforcementFromProto(p.getEnforcementlevel()),
      ...(severity ? { severity } : {}),
      ...(schema
        ? {
            configSchema: {
              properties: (schema.getProperties()?.toJavaScript() ?? {}) as Record<string, Record<string, unknown>>,
              required: schema.getRequiredList(),
            },
          }
        : {}),
    };
  });
  const initialConfig: Record<string, PolicyConfig> = {};
  info.getInitialconfigMap().forEach((config, name) => {
    initialConfig[name] = {
      enforcementLevel: enforcementFromProto(config.getEnforcementlevel()),
      properties: (config.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
    };
  });
  return {
    name: info.getName(),
    // As in the CLI, PulumiPolicy.yaml's version (when set) wins over the one the pack reports.
    version: manifestVersion ?? info.getVersion(),
    ...(info.getDisplayname() ? { displayName: info.getDisplayname() } : {}),
    ...(info.getDescription() ? { description: info.getDescription() } : {}),
    supportsConfig: info.getSupportsconfig(),
    policies: policies.sort((a, b) => a.name.localeCompare(b.name)),
    initialConfig,
  };
}

function toResult(d: proto.AnalyzeDiagnostic, phase: PolicyResult["phase"], defaultUrn: string | undefined): PolicyResult {
  const severity = SEVERITY_FROM_PROTO[d.getSeverity()];
  const urn = d.getUrn() || defaultUrn;
  return {
    policyName: d.getPolicyname(),
    policyPackName: d.getPolicypackname(),
    policyPackVersion: d.getPolicypackversion(),
    enforcementLevel: enforcementFromProto(d.getEnforcementlevel()),
    ...(urn ? { urn } : {}),
    message: d.getMessage(),
    description: d.getDescription(),
    ...(severity ? { severity } : {}),
    deferred: DEFERRED_MESSAGE.test(d.getMessage()),
    phase,
  };
}

async function toStruct(properties: Readonly<Record<string, unknown>>): Promise<Struct> {
  return PulumiStruct.fromJavaScript((await marshalProperties(properties)) as Record<string, never>);
}

async function toProvider(provider: NonNullable<AnalyzedResource["provider"]>): Promise<proto.AnalyzerProviderResource> {
  return new proto.AnalyzerProviderResource()
    .setUrn(provider.urn)
    .setType(provider.type)
    .setName(provider.name)
    .setProperties(await toStruct(provider.properties));
}

function toOptions(resource: AnalyzedResource): proto.AnalyzerResourceOptions {
  const options = resource.options ?? {};
  const timeouts = new proto.AnalyzerResourceOptions.CustomTimeouts()
    .setCreate(options.customTimeouts?.create ?? 0)
    .setUpdate(options.customTimeouts?.update ?? 0)
    .setDelete(options.customTimeouts?.delete ?? 0);
  return new proto.AnalyzerResourceOptions()
    .setProtect(options.protect ?? false)
    .setIgnorechangesList([...(options.ignoreChanges ?? [])])
    .setDeletebeforereplace(options.deleteBeforeReplace ?? false)
    .setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined)
    .setAdditionalsecretoutputsList([...(options.additionalSecretOutputs ?? [])])
    .setAliasesList([...(options.aliases ?? [])])
    .setCustomtimeouts(timeouts)
    .setParent(resource.parent ?? "");
}

function readManifestVersion(packDir: string): string | undefined {
  const file = path.join(packDir, "PulumiPolicy.yaml");
  if (!fs.existsSync(file)) {
    throw new Error(`${packDir} is not a policy pack: it has no PulumiPolicy.yaml.`);
  }
  const manifest = parseYaml(fs.readFileSync(file, "utf8")) as { version?: unknown } | null;
  return manifest?.version === undefined || manifest.version === null ? undefined : String(manifest.version);
}

function loggedErrors(logs: readonly EngineLogEntry[]): string {
  const errors = logs.filter((l) => l.severity === "error").map((l) => l.message.trim());
  return errors.length > 0 ? `\nIt logged:\n${errors.join("\n")}` : "";
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
