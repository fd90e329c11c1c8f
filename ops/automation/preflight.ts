import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AwsCredentialsMissingError, PassphraseMissingError, PulumiCliMissingError } from "./errors";

/** What the checks read from the machine; tests pass their own. */
export interface Machine {
  readonly env: NodeJS.ProcessEnv;
  readonly homedir: string;
  readonly platform: NodeJS.Platform;
  /** Whether a file exists (and, for PATH entries, may be executed). */
  readonly isFile: (file: string) => boolean;
}

/** The machine this process runs on. */
export function currentMachine(): Machine {
  return {
    env: process.env,
    homedir: os.homedir(),
    platform: process.platform,
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
  };
}

/** The environment variables any one of which gives the AWS SDK credentials (or tells it where to get them). */
export const AWS_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
] as const;

/** The full path of `pulumi` on the PATH, or undefined: the same lookup the Automation API's default command makes. */
export function findPulumiCli(machine: Machine): string | undefined {
  const pathVar = machine.env.PATH ?? machine.env.Path ?? "";
  const names = machine.platform === "win32" ? ["pulumi.exe", "pulumi.cmd", "pulumi"] : ["pulumi"];
  const separator = machine.platform === "win32" ? ";" : ":";
  for (const dir of pathVar.split(separator).filter((d) => d.length > 0)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (machine.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Whether the AWS SDK has a credential source: a variable above, or a shared credentials/config file. */
export function hasAwsCredentials(machine: Machine): boolean {
  const { env } = machine;
  if (AWS_CREDENTIAL_VARIABLES.some((name) => (env[name] ?? "") !== "")) return true;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE || path.join(machine.homedir, ".aws", "credentials"),
    env.AWS_CONFIG_FILE || path.join(machine.homedir, ".aws", "config"),
  ];
  return files.some((file) => machine.isFile(file));
}

/** Whether secrets of a file backend can be decrypted: an empty passphrase counts as set, as the CLI sees it. */
export function hasPassphrase(machine: Machine): boolean {
  return machine.env.PULUMI_CONFIG_PASSPHRASE !== undefined || (machine.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") !== "";
}

/**
 * Fails with the fix before any stack is touched: starting eleven stacks only to have each fail the same way buries the
 * one message that matters.
 */
export function preflight(machine: Machine, backendUrl: string): void {
  if (findPulumiCli(machine) === undefined) throw new PulumiCliMissingError();
  if (machine.env.ORDERFLOW_SKIP_CREDENTIALS_CHECK !== "1" && !hasAwsCredentials(machine)) {
    throw new AwsCredentialsMissingError();
  }
  if (backendUrl.startsWith("file://") && !hasPassphrase(machine)) throw new PassphraseMissingError(backendUrl);
}
