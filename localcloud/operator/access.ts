import { closeSync, constants, fchmodSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/** What a running local cloud publishes for `orderflow local env`: its AWS endpoint and the operator's session. */
export interface OperatorAccess {
  readonly env: string;
  /** The process serving it: `local env` refuses a file whose process is gone. */
  readonly pid: number;
  readonly endpointUrl: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** The operator's role: an administrator of the local account, decided by the local IAM like every other caller. */
  readonly roleArn: string;
}

/** The operator's role: outside the graph, an administrator of the local account (the local IAM adds its policy). */
export function operatorRoleArn(cloud: { readonly partition: string; readonly account: string }): string {
  return `arn:${cloud.partition}:iam::${cloud.account}:role/orderflow-local-operator`;
}

/** `.orderflow/local/<env>/operator.json`: readable by the user only (0600), as `~/.aws/credentials` should be. */
export function operatorAccessFile(outputDir: string): string {
  return path.join(outputDir, "operator.json");
}

/**
 * Writes the access file, created with mode 0600 (and set to it, should it exist with wider rights): the secret key
 * and session token in it sign requests as an administrator of the local account.
 */
export function publishOperatorAccess(outputDir: string, access: OperatorAccess): string {
  const file = operatorAccessFile(outputDir);
  const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, 0o600);
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, `${JSON.stringify(access, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Removes the access file if this process wrote it (another run's file is left alone). */
export function withdrawOperatorAccess(outputDir: string, pid = process.pid): void {
  const access = readOperatorAccess(outputDir);
  if (access?.pid === pid) rmSync(operatorAccessFile(outputDir), { force: true });
}

/** The access a running local cloud published, or undefined when there is no file (or it is not one). */
export function readOperatorAccess(outputDir: string): OperatorAccess | undefined {
  let text: string;
  try {
    text = readFileSync(operatorAccessFile(outputDir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const access = JSON.parse(text) as Partial<OperatorAccess>;
    const fields = ["env", "endpointUrl", "region", "accessKeyId", "secretAccessKey", "sessionToken", "roleArn"] as const;
    return typeof access.pid === "number" && fields.every((f) => typeof access[f] === "string") ? (access as OperatorAccess) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id is alive (signal 0 checks without signalling). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
