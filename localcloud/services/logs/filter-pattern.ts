import { AwsError } from "../../kernel/aws-error";

/** A compiled filter pattern: does a log event's message match it. */
export type LogEventMatcher = (message: string) => boolean;

/**
 * CloudWatch Logs' filter pattern syntax, as FilterLogEvents reads it: an empty pattern matches every event; terms
 * match events that contain them all (case-sensitive; a quoted term may hold spaces and symbols), `?a ?b` any of them,
 * `-a` excludes; `%regex%` matches a regular expression; `{ $.field = value }` compares a field of a JSON event
 * (`=`, `!=`, `<`, `<=`, `>`, `>=`; strings with `*` wildcards, numbers, `true`/`false`, `NULL`, `EXISTS`,
 * `NOT EXISTS`), joined with `&&` and `||` and grouped with parentheses. Space-delimited patterns (`[a, b, ...]`) are
 * refused with an error naming them: the local cloud does not read them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
export function compileFilterPattern(pattern: string | undefined): LogEventMatcher {
  const text = (pattern ?? "").trim();
  if (text === "") return () => true;
  if (text.startsWith("{")) return compileJsonPattern(text);
  if (text.startsWith("[")) throw invalid("space-delimited filter patterns ([field, ...]) are not supported by the local cloud; use terms, %regex% or a JSON pattern");
  if (text.length > 1 && text.startsWith("%") && text.endsWith("%")) {
    let regex: RegExp;
    try {
      regex = new RegExp(text.slice(1, -1));
    } catch (error) {
      throw invalid(`invalid regular expression ${text}: ${(error as Error).message}`);
    }
    return (message) => regex.test(message);
  }
  return compileTerms(text);
}

function compileTerms(text: string): LogEventMatcher {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  for (const match of text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)) {
    const term = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3];
    if (match[1] === "?") any.push(term);
    else if (match[1] === "-") none.push(term);
    else all.push(term);
  }
  return (message) => all.every((t) => message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t))) && !none.some((t) => message.includes(t));
}

type Token = { kind: "(" | ")" | "&&" | "||" } | { kind: "comparison"; test: (event: unknown) => boolean };

function compileJsonPattern(text: string): LogEventMatcher {
  if (!text.endsWith("}")) throw invalid(`a JSON filter pattern must end with "}": ${text}`);
  const tokens = tokenize(text.slice(1, -1));
  let at = 0;
  // expression := conjunction ("||" conjunction)*; conjunction := primary ("&&" primary)*; primary := comparison | "(" expression ")"
  const expression = (): ((event: unknown) => boolean) => {
    const parts = [conjunction()];
    while (tokens[at]?.kind === "||") {
      at++;
      parts.push(conjunction());
    }
    return (event) => parts.some((p) => p(event));
  };
  const conjunction = (): ((event: unknown) => boolean) => {
    const parts = [primary()];
    while (tokens[at]?.kind === "&&") {
      at++;
      parts.push(primary());
    }
    return (event) => parts.every((p) => p(event));
  };
  const primary = (): ((event: unknown) => boolean) => {
    const token = tokens[at++];
    if (token?.kind === "comparison") return token.test;
    if (token?.kind === "(") {
      const inner = expression();
      if (tokens[at++]?.kind !== ")") throw invalid(`unbalanced parentheses in ${text}`);
      return inner;
    }
    throw invalid(`expected a comparison such as $.level = "ERROR" in ${text}`);
  };
  const test = expression();
  if (at !== tokens.length) throw invalid(`unexpected text after position ${at} in ${text}`);
  return (message) => {
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      return false;
    }
    return test(event);
  };
}

const COMPARISON = /^\s*(\$(?:\.[A-Za-z0-9_@-]+|\[\d+\])+)\s*(?:(NOT\s+EXISTS|EXISTS)|IS\s+(NULL|TRUE|FALSE)|(=|!=|<=|>=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s()&|]+))/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let rest = text;
  while (rest.trim().length > 0) {
    rest = rest.trimStart();
    if (rest.startsWith("(") || rest.startsWith(")")) {
      tokens.push({ kind: rest[0] as "(" | ")" });
      rest = rest.slice(1);
    } else if (rest.startsWith("&&") || rest.startsWith("||")) {
      tokens.push({ kind: rest.slice(0, 2) as "&&" | "||" });
      rest = rest.slice(2);
    } else {
      const match = COMPARISON.exec(rest);
      if (!match) throw invalid(`cannot read the JSON filter pattern at "${rest.slice(0, 40)}"`);
      tokens.push({ kind: "comparison", test: comparison(match[1], match[2], match[3], match[4], match[5]) });
      rest = rest.slice(match[0].length);
    }
  }
  return tokens;
}

function comparison(selector: string, exists: string | undefined, is: string | undefined, operator: string | undefined, raw: string | undefined): (event: unknown) => boolean {
  const path = [...selector.matchAll(/\.([A-Za-z0-9_@-]+)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
  const read = (event: unknown): { found: boolean; value?: unknown } => {
    let value = event;
    for (const key of path) {
      if (value === null || typeof value !== "object" || !(key in (value as object))) return { found: false };
      value = (value as Record<string | number, unknown>)[key];
    }
    return { found: true, value };
  };
  if (exists) return (event) => read(event).found === !exists.startsWith("NOT");
  if (is) {
    const wanted = is === "NULL" ? null : is === "TRUE";
    return (event) => {
      const { found, value } = read(event);
      return found && value === wanted;
    };
  }
  const value = raw!;
  if (value.startsWith('"') || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) {
    if (operator !== "=" && operator !== "!=") throw invalid(`${operator} compares numbers; ${value} is not one`);
    const text = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
    // `*` is a wildcard in string comparisons.
    const regex = new RegExp(`^${text.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return (event) => {
      const { found, value: actual } = read(event);
      if (!found) return false;
      const matches = actual !== null && typeof actual !== "object" && regex.test(String(actual));
      return operator === "=" ? matches : !matches;
    };
  }
  const number = Number(value);
  const compare: Record<string, (a: number) => boolean> = { "=": (a) => a === number, "!=": (a) => a !== number, "<": (a) => a < number, "<=": (a) => a <= number, ">": (a) => a > number, ">=": (a) => a >= number };
  return (event) => {
    const { found, value: actual } = read(event);
    return found && typeof actual === "number" && compare[operator!](actual);
  };
}

function invalid(message: string): AwsError {
  return new AwsError("InvalidParameterException", `Invalid filter pattern: ${message}`);
}
