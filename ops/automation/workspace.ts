import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DestroyOptions, OpMap, PreviewOptions, UpOptions } from "@pulumi/pulumi/automation";
import type { Machine } from "./preflight";
import { REPO_ROOT } from "../repo-root";

/**
 * The part of an Automation API `Stack` the runner uses. The real `Stack` satisfies it as is; tests pass a fake that
 * records calls and resolves when they say so.
 */
export interface OperableStack {
  readonly name: string;
  up(options: UpOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  preview(options: PreviewOptions): Promise<{ changeSummary: OpMap }>;
  /** `pulumi destroy --preview-only`: what a destroy would delete. */
  previewDestroy(options: DestroyOptions): Promise<{ changeSummary: OpMap }>;
  destroy(options: DestroyOptions): Promise<{ summary: { resourceChanges?: OpMap } }>;
  /** `pulumi stack export`: the stack's state. */
  exportStack(): Promise<{ deployment?: StackDeployment }>;
}

/** The part of a stack's exported state (apitype.DeploymentV3) that says what a destroy would meet. */
export interface StackDeployment {
  readonly resources?: readonly {
    readonly urn: string;
    readonly type: string;
    readonly protect?: boolean;
    readonly inputs?: Readonly<Record<string, unknown>>;
    readonly outputs?: Readonly<Record<string, unknown>>;
  }[];
}

/** Where stacks come from: `LocalWorkspace` in real runs, a fake in tests. */
export interface StackWorkspace {
  createOrSelectStack(args: { stackName: string; workDir: string }): Promise<OperableStack>;
}

/** The state backend: `PULUMI_BACKEND_URL` when set, else a file backend under `<repo>/.pulumi`. */
export function backendUrl(machine: Machine, repoRoot: string = REPO_ROOT): string {
  const fromEnv = machine.env.PULUMI_BACKEND_URL ?? "";
  return fromEnv !== "" ? fromEnv : pathToFileURL(path.join(repoRoot, ".pulumi")).href;
}

/**
 * The variables every Pulumi command of a run gets. The passphrase is passed explicitly so a caller that builds the
 * workspace from a trimmed environment still decrypts secrets.
 */
export function workspaceEnv(machine: Machine, backend: string): Record<string, string> {
  const vars: Record<string, string> = { PULUMI_BACKEND_URL: backend, PULUMI_SKIP_UPDATE_CHECK: "true" };
  for (const name of ["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"] as const) {
    const value = machine.env[name];
    if (value !== undefined) vars[name] = value;
  }
  return vars;
}

/** Creates a file backend's directory, which `pulumi login file://...` requires to exist. */
export function ensureFileBackend(backend: string, homedir: string): void {
  if (!backend.startsWith("file://")) return;
  // The CLI accepts `file://~` for the home directory; URL parsing would read `~` as a host.
  const dir = backend.startsWith("file://~") ? path.join(homedir, backend.slice("file://~".length)) : fileURLToPath(backend);
  fs.mkdirSync(dir, { recursive: true });
}

/** Stacks of the Pulumi project at the repo root, through the Pulumi CLI. */
export function localWorkspace(envVars: Record<string, string>): StackWorkspace {
  return {
    async createOrSelectStack(args) {
      // Loaded here so that `--offline` and the tests never load the Automation API.
      const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
      return LocalWorkspace.createOrSelectStack(args, { workDir: args.workDir, envVars });
    },
  };
}
