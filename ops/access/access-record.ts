import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AccessRecord } from "../../localcloud/iam/access-log";

export type { AccessRecord, PrincipalDecisions, RecordedDecision } from "../../localcloud/iam/access-log";

/** Where a local run of an environment keeps its access record. */
export function accessRecordFile(root: string, env: string): string {
  return path.join(root, ".orderflow", "local", env, "access.json");
}

/** The access record of the last local run with scenarios, or undefined when there is none. */
export function readAccessRecord(file: string): AccessRecord | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = JSON.parse(readFileSync(file, "utf8")) as AccessRecord;
  if (!Array.isArray(parsed.principals)) throw new Error(`${file} is not an access record (no "principals" list); run the scenarios again to rewrite it.`);
  return parsed;
}

/** Writes a record whole (through a temporary file), so a reader never sees half of one. */
export function writeAccessRecord(file: string, record: AccessRecord): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, file);
}
