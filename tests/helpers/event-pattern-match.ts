// Whether an event matches an EventBridge pattern, for the operators orderflow's rules use: exact values, prefix,
// anything-but, exists and $or. No maintained library evaluates EventBridge patterns offline (the real test is the
// TestEventPattern API call), so this covers that subset and refuses any other operator rather than guess.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    if (key === "$or") return (expected as Record<string, Json>[]).some((alternative) => matchesPattern(alternative, event));
    const actual = event[key];
    if (Array.isArray(expected)) return expected.some((matcher) => matchesValue(matcher, actual));
    if (expected !== null && typeof expected === "object") {
      return actual !== null && typeof actual === "object" && !Array.isArray(actual) && matchesPattern(expected, actual);
    }
    throw new Error(`pattern leaf "${key}" must be an array, got ${JSON.stringify(expected)}`);
  });
}

function matchesValue(matcher: Json, actual: Json | undefined): boolean {
  const values = Array.isArray(actual) ? actual : [actual];
  if (matcher === null || typeof matcher !== "object") return values.some((v) => v === matcher);
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case "prefix":
      return values.some((v) => typeof v === "string" && v.startsWith(String(operand)));
    case "exists":
      return operand === (actual !== undefined);
    case "anything-but": {
      const excluded = Array.isArray(operand) ? operand : [operand];
      return actual !== undefined && values.every((v) => !excluded.includes(v as Json));
    }
    default:
      throw new Error(`operator "${operator}" is not supported by this matcher`);
  }
}
