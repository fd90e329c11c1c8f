import { isUnknown } from "@pulumi/pulumi/output";
import { specialSecretSig, specialSigKey, unknownValue } from "@pulumi/pulumi/runtime/rpc";

/**
 * Property values printed as the Pulumi CLI prints them in `Outputs:` and in `pulumi preview --diff`
 * (pulumi/pulumi, pkg/backend/display/object_diff.go): strings quoted, objects one key per line with the keys padded
 * to a column, arrays as `[i]: value`, JSON documents in strings as `(json) {...}`, values unknown until the
 * resource exists as `output<string>`, secrets as `[secret]`.
 */

/** A value printed as-is: an unknown, a secret, an archive. */
class Shown {
  constructor(readonly text: string) {}
}

const UNKNOWN_TEXT = "output<string>";
const SECRET_TEXT = "[secret]";

/**
 * A recorded value made printable: promises inside assets and archives awaited, unknowns and secrets marked. Run it
 * once per value before printing (printing itself is synchronous).
 */
export async function printable(value: unknown): Promise<unknown> {
  // An unknown as the SDK holds it, or as the CLI's engine events carry it (the sentinel string).
  if (isUnknown(value) || value === unknownValue) return new Shown(UNKNOWN_TEXT);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[specialSigKey] === specialSecretSig) return new Shown(SECRET_TEXT);
  if (record.__pulumiArchive === true || record.__pulumiAsset === true) {
    const kind = record.__pulumiArchive === true ? "archive" : "asset";
    const source = (await record.path) ?? (await record.uri);
    return new Shown(typeof source === "string" ? `${kind}(file:${source})` : `${kind}(${record.text === undefined ? "assets" : "text"})`);
  }
  if (Array.isArray(value)) return Promise.all(value.map(printable));
  const entries = await Promise.all(Object.entries(record).map(async ([k, v]) => [k, await printable(v)] as const));
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
}

/** Whether a printable value is a secret (the CLI masks it unless --show-secrets). */
export function isSecret(value: unknown): boolean {
  return value instanceof Shown && value.text === SECRET_TEXT;
}

/** `key: value` lines for an object's properties, keys padded to the longest, at `indent` levels of four spaces. */
export function propertyLines(properties: Readonly<Record<string, unknown>>, indent: number, options: { json?: boolean } = {}): string[] {
  const keys = Object.keys(properties).sort();
  const width = Math.max(0, ...keys.map((k) => k.length));
  const pad = "    ".repeat(indent);
  return keys.map((key) => `${pad}${key.padEnd(width)}: ${printValue(properties[key], indent, options)}`);
}

/** One value; nested objects and arrays continue on the lines below, indented one level deeper than `indent`. */
export function printValue(value: unknown, indent: number, options: { json?: boolean } = {}): string {
  if (value instanceof Shown) return value.text;
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") {
    const document = options.json ? parseDocument(value) : undefined;
    return document === undefined ? JSON.stringify(value) : `(json) ${printValue(document, indent, options)}`;
  }
  if (typeof value !== "object") return String(value);
  const pad = "    ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v, i) => `${pad}    [${i}]: ${printValue(v, indent + 1, options)}`).join("\n")}\n${pad}]`;
  }
  const lines = propertyLines(value as Record<string, unknown>, indent + 1, options);
  return lines.length === 0 ? "{}" : `{\n${lines.join("\n")}\n${pad}}`;
}

// The CLI shows a string holding a JSON object or array (an IAM policy, an event pattern) as the document.
function parseDocument(text: string): unknown {
  const trimmed = text.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
