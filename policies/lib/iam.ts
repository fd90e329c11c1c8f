import { isUnknown, UNKNOWN, type Unknown } from "./values";

/** One statement of a policy document, its string-or-list fields as lists (elements may be not known yet). */
export interface Statement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: string | Unknown;
  readonly actions: readonly (string | Unknown)[];
  readonly notActions: readonly (string | Unknown)[];
  readonly resources: readonly (string | Unknown)[];
  readonly notResources: readonly (string | Unknown)[];
  readonly principal: unknown;
  readonly condition: unknown;
}

/** A policy document property, read: absent, not known yet, not valid JSON/shape, or its statements. */
export type Document =
  | { readonly kind: "absent" }
  | { readonly kind: "unknown" }
  | { readonly kind: "malformed"; readonly error: string }
  | { readonly kind: "parsed"; readonly statements: readonly Statement[] };

/**
 * Reads an IAM document as providers take it: a JSON string (what `pulumi.jsonStringify` gives) or an object
 * (`aws.iam.PolicyDocument`). Malformed JSON is returned as such, for the policy to report instead of crashing.
 */
export function parseDocument(value: unknown): Document {
  if (value === undefined || value === null || value === "") return { kind: "absent" };
  if (isUnknown(value)) return { kind: "unknown" };
  let doc: unknown = value;
  if (typeof value === "string") {
    try {
      doc = JSON.parse(value);
    } catch (e) {
      return { kind: "malformed", error: `it is not valid JSON (${(e as Error).message})` };
    }
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return { kind: "malformed", error: "it is not a JSON object with a `Statement`" };
  }
  const raw = (doc as Record<string, unknown>).Statement;
  if (isUnknown(raw)) return { kind: "unknown" };
  if (raw === undefined) return { kind: "malformed", error: "it has no `Statement`" };
  const list = Array.isArray(raw) ? raw : [raw];
  const statements: Statement[] = [];
  for (const [index, s] of list.entries()) {
    if (isUnknown(s)) return { kind: "unknown" };
    if (s === null || typeof s !== "object" || Array.isArray(s)) {
      return { kind: "malformed", error: `statement ${index} is not an object` };
    }
    const st = s as Record<string, unknown>;
    statements.push({
      index,
      sid: typeof st.Sid === "string" ? st.Sid : undefined,
      effect: isUnknown(st.Effect) ? UNKNOWN : String(st.Effect ?? ""),
      actions: strings(st.Action),
      notActions: strings(st.NotAction),
      resources: strings(st.Resource),
      notResources: strings(st.NotResource),
      principal: st.Principal,
      condition: st.Condition,
    });
  }
  return { kind: "parsed", statements };
}

function strings(value: unknown): (string | Unknown)[] {
  if (value === undefined || value === null) return [];
  if (isUnknown(value)) return [UNKNOWN];
  return (Array.isArray(value) ? value : [value]).map((v) => (isUnknown(v) ? UNKNOWN : String(v)));
}

/** How a statement is named in messages: its Sid, else its position. */
export function statementLabel(s: Statement): string {
  return s.sid ? `statement "${s.sid}"` : `statement ${s.index}`;
}

/** The values of one principal kind (`AWS`, `Service`, ...); `"*"` as a whole principal counts as `AWS: "*"`. */
export function principalsOf(principal: unknown, kind: "AWS" | "Service" | "Federated"): (string | Unknown)[] {
  if (principal === "*") return kind === "AWS" ? ["*"] : [];
  if (isUnknown(principal)) return [UNKNOWN];
  if (principal === null || typeof principal !== "object") return [];
  return strings((principal as Record<string, unknown>)[kind]);
}

/** True when anyone (`*`, `{AWS: "*"}`) is a principal of the statement. */
export function isEveryone(principal: unknown): boolean {
  return principalsOf(principal, "AWS").includes("*");
}

// Condition keys that tie a grant to one caller, account or organization, so a `*` or service principal stops being
// "anyone" (the confused-deputy protections AWS documents for resource policies).
const SCOPING_KEYS = [
  "aws:sourcearn",
  "aws:sourceaccount",
  "aws:sourceowner",
  "aws:sourceorgid",
  "aws:principalarn",
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:sourcevpc",
  "aws:sourcevpce",
];

/** The scoping condition keys a statement uses (lowercased), under any operator. */
export function scopingConditionKeys(condition: unknown): string[] {
  if (condition === null || typeof condition !== "object" || isUnknown(condition)) return [];
  const keys: string[] = [];
  for (const block of Object.values(condition as Record<string, unknown>)) {
    if (block === null || typeof block !== "object") continue;
    for (const key of Object.keys(block)) if (SCOPING_KEYS.includes(key.toLowerCase())) keys.push(key.toLowerCase());
  }
  return keys;
}

/** True when the statement denies requests made without TLS: `Bool` (or `BoolIfExists`) `aws:SecureTransport` false. */
export function deniesInsecureTransport(s: Statement): boolean {
  if (s.effect !== "Deny" || !isEveryone(s.principal)) return false;
  const condition = s.condition;
  if (condition === null || typeof condition !== "object" || isUnknown(condition)) return false;
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!/^Bool(IfExists)?$/.test(operator) || block === null || typeof block !== "object") continue;
    for (const [key, value] of Object.entries(block as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (key.toLowerCase() === "aws:securetransport" && values.some((v) => v === false || v === "false")) return true;
    }
  }
  return false;
}
