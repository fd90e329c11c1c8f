// How complex EventBridge judges a field's wildcard patterns. PutRule refuses a rule whose wildcards are too complex
// ("If a rule is too complex, EventBridge returns an InvalidEventPatternException", "Wildcards and event pattern
// complexity", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching-complexity),
// but the page gives no number. The measure is event-ruler's (github.com/aws/event-ruler, MachineComplexityEvaluator
// and its README "Rule complexity"): the most wildcard-pattern prefixes that one input value can keep alive at once —
// the matching automaton's widest set of states. `*ab` scores 2 ("ab" leaves "*" and "*ab" alive), `a*b*bb` scores 5
// ("abbb": "a*", "a*b", "a*b*", "a*b*b", "a*b*bb"); several patterns on one field add up (the evaluator's own tests,
// MachineComplexityEvaluatorTest, which this computation reproduces).

/**
 * The highest complexity EventBridge has been seen to accept. AWS publishes no limit, so it is bracketed by rules
 * checked against AWS: accepted at 7 (`/Users/*\/dir/dir/dir/dir/dir/doc.txt`, LocalStack's AWS-validated
 * event_pattern_templates/content_wildcard_repeating) and at 9 (three `*:stack/<name>/*` on one field, vals-ai/Valkyrie
 * PR #278), refused at 11 (`*:*:*:*:*:event-bus/*`, content_wildcard_complex_EXC) and at 12 (four of those stack
 * patterns, the same PR). Between 9 and 11 we refuse: what passes here must pass in AWS.
 */
export const MAX_WILDCARD_COMPLEXITY = 9;

/** Work bound: past this many automaton states the answer is "too complex" without looking further. */
const MAX_STATES_EXPLORED = 20_000;

type Token = { readonly star: true } | { readonly star: false; readonly char: string };

/**
 * The complexity of a field's wildcard patterns (the plain and the anything-but ones together), capped just above
 * `cap`: the most pattern prefixes one input value keeps alive, summed over the patterns.
 */
export function wildcardComplexity(patterns: readonly string[], cap = MAX_WILDCARD_COMPLEXITY + 1): number {
  const programs = [...new Set(patterns)].map(tokenize);
  const alphabet = [...new Set(programs.flatMap((tokens) => tokens.flatMap((t) => (t.star ? [] : [t.char]))))];
  alphabet.push("\u0000"); // stands for every character no pattern names

  const start = programs.map((tokens) => closure(tokens, new Set([0])));
  const seen = new Set([keyOf(start)]);
  const queue = [start];
  let widest = alivePrefixes(start);
  while (queue.length > 0) {
    const states = queue.shift()!;
    for (const char of alphabet) {
      const next = states.map((alive, i) => step(programs[i], alive, char));
      const key = keyOf(next);
      if (seen.has(key)) continue;
      seen.add(key);
      widest = Math.max(widest, alivePrefixes(next));
      if (widest >= cap || seen.size > MAX_STATES_EXPLORED) return Math.max(widest, cap);
      queue.push(next);
    }
  }
  return widest;
}

// A pattern as characters and stars; `\*` and `\\` are literal characters (the validator refuses other escapes).
function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && (pattern[i + 1] === "*" || pattern[i + 1] === "\\")) tokens.push({ star: false, char: pattern[++i] });
    else if (c === "*") tokens.push({ star: true });
    else tokens.push({ star: false, char: c });
  }
  return tokens;
}

// State i means "the first i tokens are matched". A star matches nothing too, so reaching it also reaches the state
// after it; the state after a star stays alive on any character.
function closure(tokens: readonly Token[], alive: Set<number>): number[] {
  for (let i = 0; i < tokens.length; i++) if (alive.has(i) && tokens[i].star) alive.add(i + 1);
  return [...alive].sort((a, b) => a - b);
}

function step(tokens: readonly Token[], alive: readonly number[], char: string): number[] {
  const next = new Set<number>();
  for (const i of alive) {
    if (i > 0 && tokens[i - 1].star) next.add(i);
    const token = tokens[i];
    if (token !== undefined && !token.star && token.char === char) next.add(i + 1);
  }
  return closure(tokens, next);
}

// The empty prefix (state 0) is no pattern prefix and does not count.
function alivePrefixes(states: readonly (readonly number[])[]): number {
  return states.reduce((sum, alive) => sum + alive.filter((i) => i > 0).length, 0);
}

function keyOf(states: readonly (readonly number[])[]): string {
  return states.map((alive) => alive.join(",")).join("|");
}
