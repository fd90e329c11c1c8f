import * as z from "zod/mini";
import { ValidationError, type FieldIssue } from "./errors";

/**
 * Parses `input` with `schema`, or throws a ValidationError listing each offending field path. Unknown keys are
 * dropped, so payloads may carry more than a handler reads.
 */
export function parse<S extends z.ZodMiniType>(schema: S, input: unknown, subject: string): z.infer<S> {
  const result = safeParse(schema, input);
  if (!result.success) throw new ValidationError(subject, fieldIssues(result.error.issues, input));
  return result.data as z.infer<S>;
}

/** Marks an issue whose message the schema did not choose; `describe` words it. */
const UNWORDED = "Invalid input";

/**
 * `schema.safeParse`, with the messages the schemas chose and the generic one otherwise: if anything in the process
 * loads zod's locale (the full `zod` does), its wording must not replace ours, so every handler answers alike.
 */
export function safeParse<S extends z.ZodMiniType>(schema: S, input: unknown) {
  return schema.safeParse(input, { error: () => UNWORDED });
}

/** Parses a JSON text, then validates it; text that is not JSON is a ValidationError on the root. */
export function parseJson<S extends z.ZodMiniType>(schema: S, text: string | null | undefined, subject: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? "");
  } catch {
    throw new ValidationError(subject, [{ path: "(root)", message: "must be a JSON document" }]);
  }
  return parse(schema, value, subject);
}

/** `["items", 0, "quantity"]` → `items[0].quantity`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : `${i === 0 ? "" : "."}${String(key)}`))
    .join("");
}

/** zod's issues about `input` as field issues, their paths under `prefix`. */
export function fieldIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return issues.map((issue) => ({
    path: fieldPath([...prefix, ...issue.path]),
    message: describe(issue, valueAt(input, issue.path) === undefined),
  }));
}

// zod 4 leaves the offending value out of its issues, so "missing" and "wrong type" are told apart by looking.
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

// zod/mini ships no messages (its locales are what makes zod big), so the messages are worded here.

function describe(issue: z.core.$ZodIssue, missing: boolean): string {
  // A message given in the schema (`z.regex(re, "must be ...")`) wins.
  if (issue.message && issue.message !== UNWORDED) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return missing ? `is required (${article(issue.expected)})` : `must be ${article(issue.expected)}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `must have at least ${String(issue.minimum)} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
        : `must be ${issue.inclusive ? "at least" : "greater than"} ${String(issue.minimum)}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `must have at most ${String(issue.maximum)} ${issue.origin === "array" ? "item(s)" : "character(s)"}`
        : `must be ${issue.inclusive ? "at most" : "less than"} ${String(issue.maximum)}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `must be a valid ${issue.format}`;
    case "unrecognized_keys":
      return `has unknown key(s) ${issue.keys.join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return "is invalid";
  }
}

function article(expected: string): string {
  if (expected === "int") return "an integer";
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
