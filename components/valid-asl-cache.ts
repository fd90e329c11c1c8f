import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

// The state machine definitions asl-validator found valid, kept on disk across runs: the validator compiles its JSON
// schemas anew on every call (some 0.2 s of CPU per definition, twice per synthesis of the saga's stack: unknown and
// resolved ARNs), and a definition's validity depends on nothing but the definition and the validator's version.
// Only valid definitions are kept: an invalid one is checked, and reported, every time.
const DIR = path.resolve(__dirname, "..", ".orderflow", "cache", "valid-asl");
const inProcess = new Set<string>();

function keyOf(definition: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validator = (require("asl-validator/package.json") as { version: string }).version;
  return createHash("sha256").update(`${validator}\0${JSON.stringify(definition)}`).digest("hex").slice(0, 32);
}

/** True when this definition, exactly, was found valid before (in this process or an earlier run). */
export function knownValid(definition: unknown): boolean {
  const key = keyOf(definition);
  if (inProcess.has(key)) return true;
  if (!fs.existsSync(path.join(DIR, key))) return false;
  inProcess.add(key);
  return true;
}

/** Remembers that asl-validator found this definition valid. */
export function rememberValid(definition: unknown): void {
  const key = keyOf(definition);
  inProcess.add(key);
  try {
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(path.join(DIR, key), "");
  } catch {
    // A read-only checkout validates again next time.
  }
}
