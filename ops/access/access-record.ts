import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** One decision the local cloud made for a principal, with how often it made it. */
export interface RecordedDecision {
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly count: number;
}

/** What `orderflow local ... --scenario` writes to `.orderflow/local/<env>/access.json`: every decision, by principal. */
export interface AccessRecord {
  readonly env: string;
  /** When the run ended (ISO 8601). */
  readonly recordedAt: string;
  /** The scenarios that ran. */
  readonly scenarios: readonly string[];
  readonly principals: readonly {
    /** A role's ARN, or a service principal (`events.amazonaws.com`). */
    readonly principal: string;
    /** `placeOrder`, `pipe newOrders`, `rule orderConfirmedToShipping`. */
    readonly name: string;
    readonly decisions: readonly RecordedDecision[];
  }[];
}

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
