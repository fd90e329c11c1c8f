import { BlockList, isIP } from "node:net";

// The matching core that EventBridge event patterns, Pipes and Lambda filter criteria, and SNS filter policies share.
// AWS runs all of them on one engine, open-sourced as event-ruler (github.com/aws/event-ruler, README "Ruler by
// Example", "JSON Array Matching", "And and Or Relationship among fields"), so their semantics line up:
//
// - An event is flattened into leaves: every scalar (string, number, boolean, null) under its dot-joined path, so
//   `{"detail": {"state": "x"}}` and `{"detail.state": "x"}` are the same field (EventBridge "Event pattern syntax",
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html, "Considerations"). Objects and
//   empty arrays are not leaves: `exists` only sees leaves ("Exists matching only works on leaf nodes",
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
// - Arrays are flattened too: a field matches when any element matches ("Matching on multiple field values",
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html). Fields of one rule must
//   come from the same element of an array of objects (event-ruler README "JSON Array Matching": a match never
//   combines fields "within JSON objects that are in different elements of the same array").
// - A rule matches when every field matches (AND); a field matches when any of its values matches (OR); `$or` lists
//   alternative rules (eb-create-pattern-operators.html, "Or (multiple fields)").
//
// This module holds the compiled form and the matching; each service's module validates its own grammar first.

/** A JSON scalar: what a leaf of a flattened event holds. */
export type JsonScalar = string | number | boolean | null;

/** What an `anything-but` excludes. */
export type Exclusion =
  | { readonly kind: "values"; readonly values: readonly (string | number)[] }
  | { readonly kind: "prefix" | "suffix" | "equals-ignore-case"; readonly values: readonly string[] }
  | { readonly kind: "wildcard"; readonly patterns: readonly RegExp[] };

/** One value of a field's list, compiled. */
export type ValueMatcher =
  | { readonly kind: "exact"; readonly value: JsonScalar }
  | { readonly kind: "prefix" | "suffix"; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: "equals-ignore-case"; readonly value: string }
  | { readonly kind: "wildcard"; readonly pattern: RegExp }
  | { readonly kind: "numeric"; readonly bounds: readonly NumericBound[] }
  | { readonly kind: "cidr"; readonly block: BlockList }
  | { readonly kind: "exists"; readonly value: boolean }
  | { readonly kind: "anything-but"; readonly exclusion: Exclusion };

export interface NumericBound {
  readonly operator: "=" | "<" | "<=" | ">" | ">=";
  readonly value: number;
}

/** A field of a rule: a dot-joined path and the values (any of which may match) its leaves are compared with. */
export interface FieldCondition {
  readonly path: string;
  readonly matchers: readonly ValueMatcher[];
}

/** One alternative of a compiled pattern: every field must match. */
export type Rule = readonly FieldCondition[];

/** Where the services differ, all else being the ruler's behaviour. */
export interface MatchSemantics {
  /**
   * Numbers beyond this magnitude are not compared by `numeric` (EventBridge: 5e9, SNS: 1e9).
   */
  readonly numericLimit: number;
  /**
   * SNS: `"exists": true` needs "a non-null and non-empty value"; EventBridge counts a `null` leaf as present.
   */
  readonly existsNeedsValue: boolean;
  /**
   * Paths whose `anything-but` is judged on all their values at once ("matches if none of the array elements are
   * listed"), as SNS does for `String.Array` attributes; elsewhere any one value not excluded is enough.
   */
  readonly anythingButOverAllValues?: ReadonlySet<string>;
  /**
   * SNS message attributes: `"exists": false` "only matches if at least one attribute is present".
   */
  readonly absenceNeedsSomeField?: boolean;
}

/** Compiles a pattern object that its service has already validated into its alternative rules. */
export function compileRules(pattern: Record<string, unknown>): Rule[] {
  return compileObject(pattern, "");
}

/** How many alternatives `$or` expands a pattern into (EventBridge refuses more than 1000). */
export function countAlternatives(pattern: Record<string, unknown>): number {
  let count = 1;
  for (const [key, value] of Object.entries(pattern)) {
    if (key === "$or" && Array.isArray(value)) {
      count *= value.reduce((sum: number, alternative) => sum + countAlternatives(alternative as Record<string, unknown>), 0);
    } else if (isObject(value)) {
      count *= countAlternatives(value);
    }
  }
  return count;
}

function compileObject(node: Record<string, unknown>, prefix: string): Rule[] {
  let rules: Rule[] = [[]];
  for (const [key, value] of Object.entries(node)) {
    if (key === "$or" && Array.isArray(value)) {
      const alternatives = value.flatMap((alternative) => compileObject(alternative as Record<string, unknown>, prefix));
      rules = rules.flatMap((rule) => alternatives.map((alternative) => [...rule, ...alternative]));
    } else if (Array.isArray(value)) {
      const field: FieldCondition = { path: join(prefix, key), matchers: value.map(compileValue) };
      rules = rules.map((rule) => [...rule, field]);
    } else if (isObject(value)) {
      const nested = compileObject(value, join(prefix, key));
      rules = rules.flatMap((rule) => nested.map((alternative) => [...rule, ...alternative]));
    } else {
      throw new Error(`"${join(prefix, key)}" must be an object or an array, but ${JSON.stringify(value)} was provided`);
    }
  }
  return rules;
}

function compileValue(value: unknown): ValueMatcher {
  if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
    return { kind: "exact", value };
  }
  if (!isObject(value)) throw new Error(`a match value must be a string, number, boolean, null or operator object, not ${JSON.stringify(value)}`);
  const [operator, operand] = Object.entries(value)[0] ?? [];
  switch (operator) {
    case "prefix":
    case "suffix":
      return isObject(operand)
        ? { kind: operator, value: String(operand["equals-ignore-case"]), ignoreCase: true }
        : { kind: operator, value: String(operand), ignoreCase: false };
    case "equals-ignore-case":
      return { kind: "equals-ignore-case", value: String(operand) };
    case "wildcard":
      return { kind: "wildcard", pattern: wildcardRegExp(String(operand)) };
    case "numeric":
      return { kind: "numeric", bounds: numericBounds(operand as unknown[]) };
    case "cidr":
      return { kind: "cidr", block: cidrBlock(String(operand)) };
    case "exists":
      return { kind: "exists", value: operand === true };
    case "anything-but":
      return { kind: "anything-but", exclusion: exclusion(operand) };
    default:
      throw new Error(`unknown operator ${JSON.stringify(operator)}`);
  }
}

function exclusion(operand: unknown): Exclusion {
  if (typeof operand === "string" || typeof operand === "number") return { kind: "values", values: [operand] };
  if (Array.isArray(operand)) return { kind: "values", values: operand as (string | number)[] };
  const [nested, inner] = Object.entries(operand as Record<string, unknown>)[0];
  const values = (Array.isArray(inner) ? inner : [inner]).map(String);
  if (nested === "wildcard") return { kind: "wildcard", patterns: values.map(wildcardRegExp) };
  if (nested === "prefix" || nested === "suffix" || nested === "equals-ignore-case") return { kind: nested, values };
  throw new Error(`unknown anything-but operator ${JSON.stringify(nested)}`);
}

function numericBounds(operand: unknown[]): NumericBound[] {
  const bounds: NumericBound[] = [];
  for (let i = 0; i + 1 < operand.length; i += 2) {
    bounds.push({ operator: operand[i] as NumericBound["operator"], value: operand[i + 1] as number });
  }
  return bounds;
}

/**
 * `*` stands for any run of characters (none included); `\*` is a literal star and `\\` a literal backslash
 * (event-ruler README "Wildcard matching"; eb-create-pattern-operators.html, "Wildcard matching").
 */
export function wildcardRegExp(wildcard: string): RegExp {
  let source = "";
  for (let i = 0; i < wildcard.length; i++) {
    const c = wildcard[i];
    if (c === "\\" && (wildcard[i + 1] === "*" || wildcard[i + 1] === "\\")) {
      source += `\\${wildcard[++i]}`;
    } else if (c === "*") {
      source += "[\\s\\S]*";
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`, "u");
}

/** An IPv4 or IPv6 CIDR block; the caller has checked its syntax. */
export function cidrBlock(cidr: string): BlockList {
  const [address, bits] = cidr.split("/");
  const block = new BlockList();
  block.addSubnet(address, Number(bits), isIP(address) === 6 ? "ipv6" : "ipv4");
  return block;
}

// ---------------------------------------------------------------------------------------------------------------
// Matching

interface Leaf {
  readonly value: JsonScalar;
  /** The array elements this leaf sits in: [array id, element index] pairs, outermost first. */
  readonly membership: readonly (readonly [number, number])[];
}

/** An event flattened into its leaves by dot-joined path. */
export class FlattenedEvent {
  private readonly leaves = new Map<string, Leaf[]>();
  private arrays = 0;

  constructor(event: unknown) {
    this.walk(event, "", []);
  }

  at(path: string): readonly Leaf[] {
    return this.leaves.get(path) ?? [];
  }

  /** Whether the event has no leaf at all. */
  get empty(): boolean {
    return this.leaves.size === 0;
  }

  private walk(value: unknown, path: string, membership: readonly (readonly [number, number])[]): void {
    if (Array.isArray(value)) {
      const id = this.arrays++;
      value.forEach((element, index) => {
        // Scalars of one array are alternatives of one field; only objects and arrays inside it carry membership.
        const inner = element !== null && typeof element === "object" ? [...membership, [id, index] as const] : membership;
        this.walk(element, path, inner);
      });
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) this.walk(child, join(path, key), membership);
    } else if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      const list = this.leaves.get(path);
      const leaf = { value, membership };
      if (list) list.push(leaf);
      else this.leaves.set(path, [leaf]);
    }
  }
}

type Membership = readonly (readonly [number, number])[];

/** Whether any of the rules matches the event. */
export function matchesRules(rules: readonly Rule[], event: FlattenedEvent, semantics: MatchSemantics): boolean {
  return rules.some((rule) => matchesRule(rule, event, semantics));
}

function matchesRule(rule: Rule, event: FlattenedEvent, semantics: MatchSemantics): boolean {
  const present = (leaf: Leaf) => !semantics.existsNeedsValue || (leaf.value !== null && leaf.value !== "");

  // Depth-first: each field picks a leaf consistent with the array elements already chosen. A field that may be
  // absent (`"exists": false`) is checked last, against the elements the other fields settled on.
  return search(0, [], []);

  function search(index: number, membership: Membership, absent: readonly FieldCondition[]): boolean {
    if (index === rule.length) {
      if (absent.length > 0 && semantics.absenceNeedsSomeField && event.empty) return false;
      return absent.every((field) => !event.at(field.path).some((leaf) => present(leaf) && compatible(leaf.membership, membership)));
    }
    const field = rule[index];
    const leaves = event.at(field.path).filter((leaf) => compatible(leaf.membership, membership));
    const overAll = semantics.anythingButOverAllValues?.has(field.path) ?? false;

    for (const leaf of leaves) {
      const matched = field.matchers.some((matcher) => {
        if (matcher.kind === "exists") return matcher.value && present(leaf);
        if (matcher.kind === "anything-but" && overAll) return false;
        return matchesValue(matcher, leaf.value, semantics);
      });
      if (matched && search(index + 1, merge(membership, leaf.membership), absent)) return true;
    }
    if (overAll && leaves.length > 0) {
      const allPass = field.matchers.some(
        (matcher) => matcher.kind === "anything-but" && leaves.every((leaf) => matchesValue(matcher, leaf.value, semantics)),
      );
      if (allPass && search(index + 1, membership, absent)) return true;
    }
    if (field.matchers.some((matcher) => matcher.kind === "exists" && !matcher.value)) {
      return search(index + 1, membership, [...absent, field]);
    }
    return false;
  }
}

function compatible(a: Membership, b: Membership): boolean {
  return a.every(([id, index]) => b.every(([otherId, otherIndex]) => otherId !== id || otherIndex === index));
}

function merge(a: Membership, b: Membership): Membership {
  const extra = b.filter(([id]) => !a.some(([otherId]) => otherId === id));
  return extra.length === 0 ? a : [...a, ...extra];
}

/** Whether one leaf value satisfies one matcher (`exists` is decided per field, not here). */
export function matchesValue(matcher: ValueMatcher, value: JsonScalar, semantics: MatchSemantics): boolean {
  switch (matcher.kind) {
    case "exact":
      // Numbers compare by value: [300] matches 300.0 and 3.0e2 (event-ruler adds a numeric-equality matcher for
      // every number in a pattern, JsonRuleCompiler); strings character by character, null only null.
      return value === matcher.value;
    case "prefix":
      return typeof value === "string" && fold(value, matcher.ignoreCase).startsWith(fold(matcher.value, matcher.ignoreCase));
    case "suffix":
      return typeof value === "string" && fold(value, matcher.ignoreCase).endsWith(fold(matcher.value, matcher.ignoreCase));
    case "equals-ignore-case":
      return typeof value === "string" && equalsIgnoreCase(value, matcher.value);
    case "wildcard":
      return typeof value === "string" && matcher.pattern.test(value);
    case "numeric":
      return isComparableNumber(value, semantics) && matcher.bounds.every((bound) => compare(value, bound));
    case "cidr": {
      const version = typeof value === "string" ? isIP(value) : 0;
      return version !== 0 && matcher.block.check(value as string, version === 6 ? "ipv6" : "ipv4");
    }
    case "exists":
      return matcher.value;
    case "anything-but":
      return !isExcluded(matcher.exclusion, value);
  }
}

// A value of another type than the exclusion's is never excluded: anything-but "x" matches 5 and null, and
// anything-but 5 matches "5" (event-ruler RulerTest "anything-but"; the value must still exist).
function isExcluded(exclusion: Exclusion, value: JsonScalar): boolean {
  switch (exclusion.kind) {
    case "values":
      return exclusion.values.some((excluded) => excluded === value);
    case "prefix":
      return typeof value === "string" && exclusion.values.some((p) => value.startsWith(p));
    case "suffix":
      return typeof value === "string" && exclusion.values.some((s) => value.endsWith(s));
    case "equals-ignore-case":
      return typeof value === "string" && exclusion.values.some((v) => equalsIgnoreCase(value, v));
    case "wildcard":
      return typeof value === "string" && exclusion.patterns.some((p) => p.test(value));
  }
}

function isComparableNumber(value: JsonScalar, semantics: MatchSemantics): value is number {
  return typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= semantics.numericLimit;
}

function compare(value: number, bound: NumericBound): boolean {
  switch (bound.operator) {
    case "=":
      return value === bound.value;
    case "<":
      return value < bound.value;
    case "<=":
      return value <= bound.value;
    case ">":
      return value > bound.value;
    case ">=":
      return value >= bound.value;
  }
}

function fold(value: string, ignoreCase: boolean): string {
  return ignoreCase ? value.toLowerCase() : value;
}

function equalsIgnoreCase(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || a.toUpperCase() === b.toUpperCase();
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}
