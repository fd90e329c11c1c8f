import { EventPatternError, eventPatternProblems, type PatternDialect, type PatternProblem } from "../../components/event-pattern";
import { compileRules, countAlternatives, FlattenedEvent, isObject, matchesRules, type MatchSemantics, type Rule } from "./content-filter";

// Whether an event matches an EventBridge event pattern: rules on a bus ("rule" dialect), and Pipes / Lambda event
// source mapping filter criteria ("pipe" dialect, which lacks wildcard and nested anything-but). The grammar is the
// one components/event-pattern.ts validates at program time; the semantics are AWS's, from:
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html           (syntax, considerations)
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html (every operator)
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html
// and, where the pages are silent, AWS's open-source matcher (github.com/aws/event-ruler), which EventBridge runs.
// The matching itself lives in content-filter.ts; this module adds EventBridge's grammar and limits.

/**
 * "Numeric matching ... is limited to values between -5.0e9 and +5.0e9 inclusive" (content-based filtering page):
 * an event number beyond it is not compared by `numeric` (it can still equal an exact number).
 */
export const EVENTBRIDGE_NUMERIC_LIMIT = 5e9;

/** `PutRule` and `TestEventPattern` refuse a pattern whose `$or`s expand to over 1000 combinations. */
export const MAX_OR_COMBINATIONS = 1000;

const EVENTBRIDGE: MatchSemantics = { numericLimit: EVENTBRIDGE_NUMERIC_LIMIT, existsNeedsValue: false };

/** A validated pattern, ready to match many events. */
export interface CompiledEventPattern {
  /** The pattern as an object. */
  readonly pattern: Readonly<Record<string, unknown>>;
  /** The dialect it was validated for. */
  readonly dialect: PatternDialect;
  /** Whether the event (an object, or its JSON text) matches. */
  matches(event: unknown): boolean;
}

/**
 * Validates a pattern as EventBridge would (`PutRule`, `CreatePipe`, `CreateEventSourceMapping`) and compiles it.
 * Takes the pattern as the graph holds it (a rule's `eventPattern`, a filter's `pattern`: JSON text) or as an object.
 * Throws `EventPatternError` naming every offending path for a pattern AWS would reject.
 */
export function compileEventPattern(pattern: string | Readonly<Record<string, unknown>>, dialect: PatternDialect = "rule"): CompiledEventPattern {
  const parsed = typeof pattern === "string" ? parsePattern(pattern) : pattern;
  const problems = [...eventPatternProblems(parsed, dialect), ...limitProblems(parsed as Record<string, unknown>)];
  if (problems.length > 0) throw new EventPatternError(problems);
  const rules: Rule[] = compileRules(parsed as Record<string, unknown>);
  return {
    pattern: parsed,
    dialect,
    matches: (event: unknown) => matchesRules(rules, new FlattenedEvent(parseEvent(event)), EVENTBRIDGE),
  };
}

/** Whether `event` matches `pattern` (see `compileEventPattern`); compile once instead when matching many events. */
export function matchesEventPattern(
  pattern: string | Readonly<Record<string, unknown>>,
  event: unknown,
  dialect: PatternDialect = "rule",
): boolean {
  return compileEventPattern(pattern, dialect).matches(event);
}

function parsePattern(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new EventPatternError([{ path: "(pattern)", message: `is not valid JSON: ${(e as Error).message}` }]);
  }
}

/** An event is a JSON object; PutEvents refuses anything else, so a caller passing one has a bug worth hearing. */
function parseEvent(event: unknown): Record<string, unknown> {
  let value = event;
  if (typeof event === "string") {
    try {
      value = JSON.parse(event);
    } catch (e) {
      throw new TypeError(`The event is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (!isObject(value)) throw new TypeError(`An event must be a JSON object, but ${JSON.stringify(value)} was given`);
  return value;
}

// What the service refuses beyond the program-time validator (components/event-pattern.ts): too many `$or`
// combinations (content-based filtering page, "Complex example with $or matching") and an empty prefix or suffix
// under anything-but, which PutRule rejects (LocalStack's AWS-validated pattern tests,
// content_anything_prefix_empty_EXC / content_anything_suffix_empty_EXC).
function limitProblems(pattern: Record<string, unknown>): PatternProblem[] {
  if (!isObject(pattern)) return [];
  const problems: PatternProblem[] = [];
  const combinations = countAlternatives(pattern);
  if (combinations > MAX_OR_COMBINATIONS) {
    problems.push({ path: "$or", message: `expands to ${combinations} rule combinations; EventBridge allows at most ${MAX_OR_COMBINATIONS}` });
  }
  walk(pattern, "");
  return problems;

  function walk(node: unknown, path: string): void {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) {
        const at = path === "" ? key : `${path}.${key}`;
        if (key === "anything-but" && isObject(value)) {
          for (const nested of ["prefix", "suffix"] as const) {
            if (value[nested] === "") problems.push({ path: `${at}.${nested}`, message: `is empty; EventBridge needs at least one character to exclude` });
          }
        }
        walk(value, at);
      }
    }
  }
}
