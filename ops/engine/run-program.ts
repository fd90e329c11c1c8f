import * as pulumi from "@pulumi/pulumi";
import type { MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import * as stateModule from "@pulumi/pulumi/runtime/state";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module's own exports object (see debuggablePromiseWithoutStack): an import's namespace is a copy
import debuggableModule = require("@pulumi/pulumi/runtime/debuggable");
import { fakeInvoke, fakeResource, type CloudIdentity } from "./fake-outputs";
import { RecordingMonitor, type RecordedResource } from "./recording-monitor";

export type { RecordedResource } from "./recording-monitor";

/** How to run one Pulumi program in-process, without the CLI or a cloud. */
export interface ProgramRunOptions {
  readonly project: string;
  readonly stack: string;
  /** Pulumi organization, as StackReferences name it. @default "organization" */
  readonly organization?: string;
  /**
   * True runs the program as a first `pulumi preview` sees it: the properties AWS computes (ARNs, URLs, generated
   * names) are unknown. False runs it as `pulumi up` does, with every value resolved.
   * @default false
   */
  readonly preview?: boolean;
  /** Stack configuration, keyed `namespace:key` as in `Pulumi.<stack>.yaml`; values are strings or JSON-able. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The account and region every ARN is built with. @default account 123456789012, region us-east-1 */
  readonly cloud?: CloudIdentity;
  /**
   * The outputs of other stacks, for StackReferences, by fully qualified name (`org/project/stack`). Undefined means
   * the stack does not exist, and the reference fails as it would in the cloud.
   */
  readonly stackOutputs?: (qualifiedName: string) => Record<string, unknown> | undefined;
}

/** What one run of a program produced. */
export interface ProgramRun {
  readonly stack: string;
  /** The stack's outputs, resolved (unknown ones are absent in preview). */
  readonly outputs: Record<string, unknown>;
  /** Every resource registered, in registration order, the stack resource first. */
  readonly resources: readonly RecordedResource[];
}

// The runtime's per-program state is internal to the SDK (its .d.ts omits it); the Automation API's inline programs use
// the same two functions to give every program a fresh store.
interface RuntimeStore {
  logErrorCount: number;
  supportsSecrets: boolean;
  supportsResourceReferences: boolean;
  supportsOutputValues: boolean;
  supportsDeletedWith: boolean;
  supportsAliasSpecs: boolean;
}
const { getStore, withLocalStorage } = stateModule as unknown as {
  getStore(): RuntimeStore;
  withLocalStorage<T>(callback: () => T): T;
};

// The SDK's leak detector (runtime/debuggable.js) records `new Error().stack` for every promise the runtime makes: for
// a report, when the process exits with promises pending, that a mocked in-process run never gives. Capturing and
// formatting those stacks was half the CPU of synthesizing dev after source maps were off (profiled: 2.5 of 4.9 s over
// three runs). The SDK calls it through the module's exports (`debuggable_1.debuggablePromise(...)`), so this wrapper
// records an empty stack instead; everything else it does (the leak candidates, the `promise` on a rejection) stays.
// Errors the program throws keep their stacks. If a later SDK calls it otherwise, runs are only slower again.
const debuggable = debuggableModule as unknown as { debuggablePromise?: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
const recordingDebuggablePromise = debuggable.debuggablePromise;
if (typeof recordingDebuggablePromise === "function") {
  debuggable.debuggablePromise = function debuggablePromiseWithoutStack(p, ctx) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return recordingDebuggablePromise(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

const DEFAULT_CLOUD: CloudIdentity = { account: "123456789012", region: "us-east-1" };

/**
 * Runs a Pulumi program in-process against Pulumi's mock monitor, recording every registration. Each run gets a fresh
 * Pulumi runtime state (config, stack resource, transformations), so nothing leaks from one run into the next.
 */
export function runProgram(program: () => unknown, options: ProgramRunOptions): Promise<ProgramRun> {
  const restoreSourceMaps = withoutSourceMaps();
  return withLocalStorage(async () => {
    const cloud = options.cloud ?? DEFAULT_CLOUD;
    const preview = options.preview ?? false;
    const monitor = new RecordingMonitor({
      call: (args) => fakeInvoke(args.token, args.inputs, cloud),
      newResource: (args) => newResource(args, cloud, preview, options),
    });
    setMockOptions(monitor, options.project, options.stack, preview, options.organization ?? "organization");
    enableMockFeatures();
    pulumi.runtime.setAllConfig(configStrings(options.config ?? {}), []);

    // The program's own error is kept here rather than thrown through the Stack resource: Pulumi's Stack leaves a
    // promise of its own unhandled when its init rejects, and Node would report that as a crash after we have
    // already reported the error.
    let programError: { error: unknown } | undefined;
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (error) {
        programError = { error };
        return {};
      }
    });
    // Resources created inside apply() register after the program returns; wait for every outstanding RPC.
    await pulumi.runtime.disconnect();
    if (programError) throw programError.error;
    const errors = getStore().logErrorCount;
    if (errors > 0) {
      throw new Error(`The program for stack "${options.stack}" logged ${errors} error(s); see the messages above.`);
    }
    return {
      stack: options.stack,
      outputs: (outputs ?? {}) as Record<string, unknown>,
      resources: [...monitor.recorded.values()],
    };
  }).finally(restoreSourceMaps);
}

let runsWithoutSourceMaps = 0;
let sourceMapsBefore = false;

/**
 * Turns Node's source maps off while programs run, and back on (if they were: ops/register.js turns them on) once no
 * program runs. Pulumi's SDK formats a stack trace for every promise it makes (runtime/debuggable.js, for its leak
 * report) and every resource it registers (resource.js callsites, for source positions); with source maps on, Node maps
 * every frame of each through the TypeScript files' maps, which was 55 % of the CPU of synthesizing dev (profiled:
 * prepareStackTrace, pathToFileURL, the source map cache). The mocked engine uses neither. An error's stack is
 * formatted when it is first read, so a program error read after the run (as the preview reports it) still maps.
 */
function withoutSourceMaps(): () => void {
  if (runsWithoutSourceMaps++ === 0) {
    sourceMapsBefore = process.sourceMapsEnabled;
    if (sourceMapsBefore) process.setSourceMapsEnabled(false);
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (--runsWithoutSourceMaps === 0 && sourceMapsBefore) process.setSourceMapsEnabled(true);
  };
}

// setMocks does this too; runProgram calls setMockOptions itself so that it can pass its own monitor.
function enableMockFeatures(): void {
  const store = getStore();
  store.supportsSecrets = true;
  store.supportsResourceReferences = true;
  store.supportsOutputValues = false;
  store.supportsDeletedWith = true;
  store.supportsAliasSpecs = true;
}

function configStrings(config: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

function newResource(
  args: MockResourceArgs,
  cloud: CloudIdentity,
  preview: boolean,
  options: ProgramRunOptions,
): MockResourceResult {
  if (args.type === "pulumi:pulumi:StackReference") {
    const name = String(args.inputs.name ?? args.name);
    const outputs = options.stackOutputs?.(name);
    if (outputs === undefined) {
      throw new Error(`Stack "${name}" does not exist (or has never been deployed): deploy it before "${options.stack}".`);
    }
    return { id: name, state: { name, outputs, secretOutputNames: [] } };
  }
  if (!args.custom) {
    return { id: undefined, state: args.inputs };
  }
  const fake = fakeResource(args.type, args.name, args.inputs, cloud);
  // A first preview knows only the inputs: what AWS computes stays unknown until the resource exists.
  const state = preview ? { ...args.inputs } : { ...args.inputs, ...fake.computed };
  // An import id arrives as "" when there is none.
  return { id: preview ? undefined : args.id || fake.id, state };
}
