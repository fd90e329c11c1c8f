import { isIP } from "node:net";
import { MAX_WILDCARD_COMPLEXITY, wildcardComplexity } from "./wildcard-complexity";

// EventBridge event patterns (rules) and filter criteria (Pipes, Lambda event source mappings) share one syntax, that
// of AWS's open-source matcher, event-ruler. A malformed pattern is only rejected by the API at deploy time, halfway
// through an update; checking it here turns that into a program-time error that says which field is wrong.

/** `{ "equals-ignore-case": "..." }`, as `prefix` and `suffix` accept it. */
export interface IgnoreCase {
  readonly "equals-ignore-case": string;
}

/**
 * What `anything-but` accepts: one value, a list of only strings or only numbers, or one nested matcher over a string
 * or a list of strings (event-ruler README "Anything-but matching": "It also may be applied to a prefix, suffix, or
 * equals-ignore-case match of a string or a list of strings"; AWS accepts `{"prefix": ["init", "test"]}`, LocalStack's
 * AWS-validated event_pattern_templates/content_anything_prefix_list).
 */
export type AnythingBut =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string | readonly string[] }
  | { readonly suffix: string | readonly string[] }
  | { readonly "equals-ignore-case": string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

/** One comparison operator object in a list of values: exactly one key. */
export type Matcher =
  | { readonly prefix: string | IgnoreCase }
  | { readonly suffix: string | IgnoreCase }
  | { readonly "equals-ignore-case": string }
  | { readonly wildcard: string }
  | { readonly "anything-but": AnythingBut }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** A value in a field's list: matched exactly (string, number, boolean, null) or through an operator. */
export type PatternValue = string | number | boolean | null | Matcher;

/**
 * An EventBridge event pattern as a typed object: every field maps to a non-empty list of values (any of which may
 * match), or to a nested pattern; `$or` holds two or more alternative patterns.
 *
 * @example
 * ```ts
 * const placed: EventPattern = {
 *   source: ["orderflow.orders"],
 *   "detail-type": ["OrderPlaced"],
 *   detail: { total: [{ numeric: [">", 0, "<=", 10000] }], channel: [{ "anything-but": "test" }] },
 * };
 * ```
 */
export interface EventPattern {
  readonly $or?: readonly EventPattern[];
  readonly [field: string]: readonly PatternValue[] | EventPattern | readonly EventPattern[] | undefined;
}

/**
 * Where a pattern is used. Pipes filter criteria support fewer operators than bus rules: no `wildcard` and no nested
 * matcher under `anything-but` (the EventBridge "Comparison operators" table, "Pipe support" column).
 */
export type PatternDialect = "rule" | "pipe";

/** One thing wrong with a pattern: where (`detail.status[0].prefix`) and what. */
export interface PatternProblem {
  readonly path: string;
  readonly message: string;
}

/** A pattern that EventBridge would reject; `problems` lists every offending path. */
export class EventPatternError extends Error {
  constructor(readonly problems: readonly PatternProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join("; "));
    this.name = "EventPatternError";
  }
}

const OPERATORS = ["prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"] as const;
const ANYTHING_BUT_OPERATORS = ["prefix", "suffix", "equals-ignore-case", "wildcard"] as const;
const NUMERIC_LIMIT = 5e9;
/**
 * Names a field may not have inside `$or`: event-ruler reserves its operators and keywords there
 * (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP, checked by JsonRuleCompiler.parseObjectInsideOrRelationship).
 */
const RESERVED_IN_OR = [
  "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric", "cidr",
  "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
  "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
  "ip-address-in-range", "ip-address-not-in-range",
];
const LOWER_BOUNDS = [">", ">="];
const UPPER_BOUNDS = ["<", "<="];

/** Every problem EventBridge would find in the pattern, in document order; empty when the pattern is valid. */
export function eventPatternProblems(pattern: unknown, dialect: PatternDialect = "rule"): PatternProblem[] {
  const problems: PatternProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });

  if (!isPlainObject(pattern)) {
    report("(pattern)", `must be an object of fields, but ${describe(pattern)} was provided`);
    return problems;
  }
  if (Object.keys(pattern).length === 0) {
    report("(pattern)", "is empty: it needs at least one field, such as `source: [\"orderflow.orders\"]`");
    return problems;
  }
  // Each field's wildcard patterns (plain and under anything-but), by field path: $or alternatives share one machine.
  const wildcards = new Map<string, { at: string; patterns: string[] }>();
  checkObject(pattern, "", false);
  checkWildcardComplexity();
  return problems;

  function checkObject(node: Record<string, unknown>, path: string, insideOr: boolean): void {
    for (const [field, value] of Object.entries(node)) {
      const at = join(path, field);
      if (insideOr && RESERVED_IN_OR.includes(field)) {
        report(at, `"${field}" is a name event-ruler reserves and cannot be a field inside $or`);
      } else if (value === undefined) {
        report(at, "is undefined; remove the field or give it a list of values");
      } else if (field === "$or") {
        checkOr(value, at);
      } else if (Array.isArray(value)) {
        checkValues(value, at);
      } else if (isPlainObject(value)) {
        if (Object.keys(value).length === 0) report(at, "is an empty object; give it fields or remove it");
        else checkObject(value, at, insideOr);
      } else {
        report(at, `must be a list of values (leaf values are always in an array, e.g. [${JSON.stringify(value)}]), but ${describe(value)} was provided`);
      }
    }
  }

  function checkOr(value: unknown, at: string): void {
    if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
      report(at, `must be a list of at least two patterns, but ${describe(value)} was provided`);
      return;
    }
    value.forEach((alternative, i) => {
      if (Object.keys(alternative).length === 0) report(`${at}[${i}]`, "is an empty pattern");
      else checkObject(alternative, `${at}[${i}]`, true);
    });
  }

  function checkValues(values: unknown[], at: string): void {
    if (values.length === 0) {
      report(at, "is an empty list, which matches nothing; EventBridge rejects it");
      return;
    }
    values.forEach((value, i) => {
      const item = `${at}[${i}]`;
      if (value === null || typeof value === "string" || typeof value === "boolean") return;
      if (typeof value === "number") {
        if (!Number.isFinite(value)) report(item, `must be a finite number, but ${value} was provided`);
        return;
      }
      if (Array.isArray(value)) {
        report(item, "is a nested list; list the values directly in the field's array");
        return;
      }
      if (isPlainObject(value)) {
        checkMatcher(value, item);
        return;
      }
      report(item, `must be a string, number, boolean, null or operator object, but ${describe(value)} was provided`);
    });
  }

  function checkMatcher(matcher: Record<string, unknown>, at: string): void {
    const keys = Object.keys(matcher);
    if (keys.length !== 1) {
      report(at, `an operator object holds exactly one operator, but it has ${keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ")}`);
      return;
    }
    const operator = keys[0];
    const value = matcher[operator];
    const path = `${at}.${operator}`;
    switch (operator) {
      case "prefix":
      case "suffix":
        if (isPlainObject(value) && Object.keys(value).length === 1 && "equals-ignore-case" in value) {
          requireString(value["equals-ignore-case"], `${path}.equals-ignore-case`);
        } else if (typeof value !== "string") {
          report(path, `must be a string or { "equals-ignore-case": string }, but ${describe(value)} was provided`);
        }
        return;
      case "equals-ignore-case":
        requireString(value, path);
        return;
      case "wildcard":
        if (dialect === "pipe") report(path, "is not supported in Pipes filter criteria (EventBridge rules only)");
        else checkWildcard(value, path);
        return;
      case "exists":
        if (typeof value !== "boolean") report(path, `must be true or false, but ${describe(value)} was provided`);
        return;
      case "cidr":
        checkCidr(value, path);
        return;
      case "numeric":
        checkNumeric(value, path);
        return;
      case "anything-but":
        checkAnythingBut(value, path);
        return;
      default:
        report(path, `is not an EventBridge operator; use one of ${OPERATORS.join(", ")}`);
    }
  }

  function checkAnythingBut(value: unknown, at: string): void {
    if (typeof value === "string") return;
    if (typeof value === "number") {
      if (!Number.isFinite(value)) report(at, `must be a finite number, but ${value} was provided`);
      return;
    }
    if (Array.isArray(value)) {
      const allStrings = value.every((v) => typeof v === "string");
      const allNumbers = value.every((v) => typeof v === "number" && Number.isFinite(v));
      if (value.length === 0) report(at, "is an empty list; give at least one value to exclude");
      else if (!allStrings && !allNumbers) report(at, "must list only strings or only numbers");
      return;
    }
    if (isPlainObject(value)) {
      const keys = Object.keys(value);
      if (keys.length !== 1 || !(ANYTHING_BUT_OPERATORS as readonly string[]).includes(keys[0])) {
        report(at, `may nest exactly one of ${ANYTHING_BUT_OPERATORS.join(", ")}, but it has ${keys.length === 0 ? "none" : keys.map((k) => `"${k}"`).join(", ")}`);
        return;
      }
      const nested = keys[0];
      const path = `${at}.${nested}`;
      if (dialect === "pipe") {
        report(path, "is not supported under anything-but in Pipes filter criteria (EventBridge rules only)");
        return;
      }
      const inner = value[nested];
      const operands = Array.isArray(inner) ? inner : [inner];
      const where = (i: number) => (Array.isArray(inner) ? `${path}[${i}]` : path);
      if (Array.isArray(inner) && inner.length === 0) report(path, "is an empty list");
      operands.forEach((operand, i) => {
        if (nested === "wildcard") {
          checkWildcard(operand, where(i));
        } else if (typeof operand !== "string") {
          report(where(i), `must be a string, but ${describe(operand)} was provided`);
        } else if ((nested === "prefix" || nested === "suffix") && operand === "") {
          // event-ruler: "Null prefix/suffix not allowed" (LocalStack's AWS-validated content_anything_prefix_empty_EXC).
          report(where(i), "is empty; EventBridge needs at least one character to exclude");
        }
      });
      return;
    }
    report(at, `must be a string, a number, a list of strings or numbers, or one nested operator, but ${describe(value)} was provided`);
  }

  // event-ruler's numeric grammar: ["=", n] | [lower, n] | [upper, n] | [lower, n, upper, n], lower bound below upper.
  function checkNumeric(value: unknown, at: string): void {
    if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4)) {
      report(at, `must be [operator, number] or [">" | ">=", low, "<" | "<=", high], but ${JSON.stringify(value)} was provided`);
      return;
    }
    const [op1, n1, op2, n2] = value as unknown[];
    const numbers: [unknown, number][] = [[n1, 1]];
    if (value.length === 2) {
      if (typeof op1 !== "string" || !["=", ...LOWER_BOUNDS, ...UPPER_BOUNDS].includes(op1)) {
        report(`${at}[0]`, `must be one of "=", "<", "<=", ">", ">=", but ${describe(op1)} was provided`);
      }
    } else {
      if (typeof op1 !== "string" || !LOWER_BOUNDS.includes(op1)) {
        report(`${at}[0]`, `a range starts with its lower bound, ">" or ">=", but ${describe(op1)} was provided`);
      }
      if (typeof op2 !== "string" || !UPPER_BOUNDS.includes(op2)) {
        report(`${at}[2]`, `a range ends with its upper bound, "<" or "<=", but ${describe(op2)} was provided`);
      }
      numbers.push([n2, 3]);
    }
    let valid = true;
    for (const [n, index] of numbers) {
      if (typeof n !== "number" || !Number.isFinite(n)) {
        report(`${at}[${index}]`, `must be a number, but ${describe(n)} was provided`);
        valid = false;
      } else if (Math.abs(n) > NUMERIC_LIMIT) {
        report(`${at}[${index}]`, `must be between -5e9 and 5e9 (EventBridge's numeric range), but ${n} was provided`);
        valid = false;
      }
    }
    if (valid && value.length === 4 && (n1 as number) >= (n2 as number)) {
      report(at, `the lower bound ${String(n1)} must be less than the upper bound ${String(n2)}`);
    }
  }

  // A single "*" stands for any run of characters; "**" is rejected, and a backslash may only escape "*" or "\".
  function checkWildcard(value: unknown, at: string): void {
    if (typeof value !== "string") {
      report(at, `must be a string, but ${describe(value)} was provided`);
      return;
    }
    const field = fieldOf(at);
    const entry = wildcards.get(field) ?? { at: field, patterns: [] };
    entry.patterns.push(value);
    wildcards.set(field, entry);
    for (let i = 0; i < value.length; i++) {
      const c = value[i];
      if (c === "\\") {
        const next = value[i + 1];
        if (next !== "*" && next !== "\\") {
          report(at, `"${value}" has a backslash escaping ${next === undefined ? "nothing" : `"${next}"`}; only "\\*" and "\\\\" are allowed`);
          return;
        }
        i++;
      } else if (c === "*" && value[i + 1] === "*") {
        report(at, `"${value}" has consecutive wildcards "**"; use a single "*"`);
        return;
      }
    }
  }

  function checkWildcardComplexity(): void {
    for (const { at, patterns } of wildcards.values()) {
      const complexity = wildcardComplexity(patterns);
      if (complexity > MAX_WILDCARD_COMPLEXITY) {
        report(at, `Rule is too complex: the wildcards ${patterns.map((p) => JSON.stringify(p)).join(", ")} have a complexity above ${MAX_WILDCARD_COMPLEXITY}, EventBridge's limit; use fewer "*", fewer repeated characters after one, or a prefix`);
      }
    }
  }

  function checkCidr(value: unknown, at: string): void {
    const match = typeof value === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(value) : null;
    const version = match ? isIP(match[1]) : 0;
    const bits = match ? Number(match[2]) : NaN;
    if (!match || version === 0 || bits > (version === 4 ? 32 : 128)) {
      report(at, `must be an IPv4 or IPv6 CIDR block such as "10.0.0.0/24", but ${describe(value)} was provided`);
    }
  }

  function requireString(value: unknown, at: string): void {
    if (typeof value !== "string") report(at, `must be a string, but ${describe(value)} was provided`);
  }
}

/** Fails with every problem found unless the pattern is valid EventBridge syntax for the dialect. */
export function validateEventPattern(pattern: unknown, dialect: PatternDialect = "rule"): asserts pattern is EventPattern {
  const problems = eventPatternProblems(pattern, dialect);
  if (problems.length > 0) throw new EventPatternError(problems);
}

/** The JSON string EventBridge takes (`eventPattern` of a rule, `pattern` of a pipe filter), after validation. */
export function serializeEventPattern(pattern: EventPattern, dialect: PatternDialect = "rule"): string {
  validateEventPattern(pattern, dialect);
  return JSON.stringify(pattern);
}

// The field a value belongs to, whatever $or alternative it sits in: "$or[1].detail.path[0].wildcard" -> "detail.path".
function fieldOf(at: string): string {
  return at.replace(/\$or\[\d+\]\.?/g, "").replace(/\[\d+\].*$/, "");
}

function join(path: string, field: string): string {
  return path === "" ? field : `${path}.${field}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return `the list ${JSON.stringify(value)}`;
  if (typeof value === "object" && value !== null) return `the object ${JSON.stringify(value)}`;
  return `${typeof value} ${JSON.stringify(value)}`;
}
