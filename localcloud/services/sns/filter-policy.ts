import { isIP } from "node:net";
import { compileRules, FlattenedEvent, isObject, matchesRules, type MatchSemantics, type Rule } from "../../matching/content-filter";

// Whether an SNS subscription's filter policy accepts a published message, in either scope
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html, "filter policy scope"):
// - MessageAttributes (the default): the policy's keys are attribute names. String attributes compare as strings,
//   Number attributes as numbers, String.Array attributes element by element; Binary attributes are ignored
//   (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html). Nested policies are refused.
// - MessageBody: the message must be a JSON object; the policy may nest keys into it. A body that is not JSON, or not a
//   JSON object, matches no policy.
// Every key must match (AND) and any value in a key's list may (OR); `$or` lists alternatives
// (https://docs.aws.amazon.com/sns/latest/dg/and-or-logic.html). Operators: exact strings and numbers, prefix, suffix,
// equals-ignore-case, anything-but (values, or a prefix), cidr (string-value-matching.html), numeric "=" and ranges
// (numeric-value-matching.html), exists (attribute-key-matching.html). SNS runs the matcher EventBridge runs
// (content-filter.ts), with its own grammar and limits, checked here as `Subscribe` / `SetSubscriptionAttributes` do.

export type FilterPolicyScope = "MessageAttributes" | "MessageBody";

/** A message attribute as `Publish` takes it (`DataType`, `StringValue`) or as SNS delivers it (`Type`, `Value`). */
export interface SnsMessageAttribute {
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: unknown;
  readonly Type?: string;
  readonly Value?: string | number;
}

/** What a filter policy is matched against. */
export interface SnsMessage {
  /** The message body, as published. */
  readonly message: string;
  readonly messageAttributes?: Readonly<Record<string, SnsMessageAttribute>>;
}

/** One reason SNS would refuse a policy: where and why. */
export interface FilterPolicyProblem {
  readonly path: string;
  readonly message: string;
}

/** A filter policy that SNS would refuse with `InvalidParameter`; `problems` names every offending path. */
export class FilterPolicyError extends Error {
  constructor(readonly problems: readonly FilterPolicyProblem[]) {
    super(`Invalid parameter: FilterPolicy: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
    this.name = "FilterPolicyError";
  }
}

/** A message whose attributes `Publish` would refuse (a Number that is not a number, a String.Array that is not one). */
export class MessageAttributeError extends Error {
  constructor(readonly attribute: string, reason: string) {
    super(`Invalid parameter: MessageAttributes: "${attribute}" ${reason}`);
    this.name = "MessageAttributeError";
  }
}

/** "A filter policy can have a maximum of five keys" (filter policy constraints). */
export const MAX_POLICY_KEYS = 5;
/** "The total combination of values must not exceed 150" (filter policy constraints). */
export const MAX_POLICY_COMBINATIONS = 150;
/** "The maximum size of a filter policy is 256 KB" (filter policy constraints). */
export const MAX_POLICY_BYTES = 256 * 1024;
/** "For numeric matching, the value can range from -10^9 to 10^9" (filter policy constraints). */
export const SNS_NUMERIC_LIMIT = 1e9;

const OPERATORS = ["prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"];
const NUMERIC_OPERATORS = ["=", "<", "<=", ">", ">="];

/** A validated policy, ready to match many messages. */
export interface CompiledFilterPolicy {
  readonly policy: Readonly<Record<string, unknown>>;
  readonly scope: FilterPolicyScope;
  /** Whether SNS delivers the message to the subscription. */
  matches(message: SnsMessage): boolean;
}

/**
 * Validates and compiles a filter policy as a subscription holds it (`filterPolicy`: JSON text, or an object) for its
 * `filterPolicyScope` (undefined means MessageAttributes, SNS's default). Throws `FilterPolicyError` when SNS would
 * refuse the policy.
 */
export function compileFilterPolicy(
  policy: string | Readonly<Record<string, unknown>>,
  scope: FilterPolicyScope | undefined = "MessageAttributes",
): CompiledFilterPolicy {
  if (scope !== "MessageAttributes" && scope !== "MessageBody") {
    throw new FilterPolicyError([{ path: "(scope)", message: `must be MessageAttributes or MessageBody, but ${JSON.stringify(scope)} was provided` }]);
  }
  const parsed = typeof policy === "string" ? parsePolicy(policy) : policy;
  const problems = filterPolicyProblems(parsed, scope);
  if (problems.length > 0) throw new FilterPolicyError(problems);
  const rules: Rule[] = compileRules(parsed as Record<string, unknown>);
  return {
    policy: parsed,
    scope,
    matches: (message) => (scope === "MessageBody" ? matchesBody(rules, message) : matchesAttributes(rules, message)),
  };
}

/**
 * Whether a subscription receives the message: always without a policy, else when its policy matches. Takes the
 * subscription's inputs as the graph holds them.
 */
export function subscriptionAccepts(
  subscription: { readonly filterPolicy?: string | Readonly<Record<string, unknown>>; readonly filterPolicyScope?: FilterPolicyScope },
  message: SnsMessage,
): boolean {
  if (subscription.filterPolicy === undefined || subscription.filterPolicy === "") return true;
  return compileFilterPolicy(subscription.filterPolicy, subscription.filterPolicyScope).matches(message);
}

function matchesBody(rules: readonly Rule[], message: SnsMessage): boolean {
  let body: unknown;
  try {
    body = JSON.parse(message.message);
  } catch {
    return false; // "Filter policies for the message body assume that the message payload is a well-formed JSON object."
  }
  if (!isObject(body)) return false;
  return matchesRules(rules, new FlattenedEvent(body), { numericLimit: SNS_NUMERIC_LIMIT, existsNeedsValue: true });
}

function matchesAttributes(rules: readonly Rule[], message: SnsMessage): boolean {
  const values: Record<string, unknown> = {};
  const arrays = new Set<string>();
  for (const [name, attribute] of Object.entries(message.messageAttributes ?? {})) {
    const type = attribute.DataType ?? attribute.Type ?? "";
    const raw = attribute.StringValue ?? attribute.Value;
    if (type === "String.Array") {
      values[name] = parseStringArray(name, raw);
      arrays.add(name);
    } else if (type === "Number" || type.startsWith("Number.")) {
      values[name] = parseNumber(name, raw);
    } else if (type === "String" || type.startsWith("String.")) {
      values[name] = String(raw ?? "");
    } else if (type === "Binary" || type.startsWith("Binary.")) {
      continue; // "Amazon SNS ignores message attributes with the Binary data type."
    } else {
      throw new MessageAttributeError(name, `has data type ${JSON.stringify(type)}; use String, String.Array, Number or Binary`);
    }
  }
  const semantics: MatchSemantics = {
    numericLimit: SNS_NUMERIC_LIMIT,
    existsNeedsValue: true,
    // "For String.Array type attributes, it [anything-but] matches if none of the array elements are listed".
    anythingButOverAllValues: arrays,
    absenceNeedsSomeField: true,
  };
  return matchesRules(rules, new FlattenedEvent(values), semantics);
}

function parseStringArray(name: string, raw: unknown): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(String(raw));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.some((element) => element !== null && typeof element === "object")) {
    throw new MessageAttributeError(name, `is a String.Array, so its value must be a JSON array of strings, numbers, booleans or nulls, but ${JSON.stringify(raw)} was provided`);
  }
  return value;
}

function parseNumber(name: string, raw: unknown): number {
  const value = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
  if (!Number.isFinite(value)) throw new MessageAttributeError(name, `is a Number, but ${JSON.stringify(raw)} is not a number`);
  return value;
}

function parsePolicy(text: string): Record<string, unknown> {
  if (Buffer.byteLength(text, "utf8") > MAX_POLICY_BYTES) {
    throw new FilterPolicyError([{ path: "(policy)", message: `is ${Buffer.byteLength(text, "utf8")} bytes; SNS allows at most 256 KB` }]);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new FilterPolicyError([{ path: "(policy)", message: `is not valid JSON: ${(e as Error).message}` }]);
  }
}

/** Every reason SNS would refuse the policy in the scope, in document order; empty when it is valid. */
export function filterPolicyProblems(policy: unknown, scope: FilterPolicyScope = "MessageAttributes"): FilterPolicyProblem[] {
  const problems: FilterPolicyProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(policy)) {
    report("(policy)", `must be a JSON object, but ${JSON.stringify(policy)} was provided`);
    return problems;
  }
  if (Object.keys(policy).length === 0) {
    report("(policy)", "is empty; name at least one key, or remove the policy");
    return problems;
  }
  const leafKeys = new Set<string>();
  checkObject(policy, "", 0);
  if (problems.length > 0) return problems;

  if (leafKeys.size > MAX_POLICY_KEYS) {
    report("(policy)", `Filter policy can not have more than ${MAX_POLICY_KEYS} keys, but it has ${leafKeys.size} (${[...leafKeys].join(", ")})`);
  }
  const combinations = complexity(policy, 0);
  if (combinations > MAX_POLICY_COMBINATIONS) {
    report("(policy)", `Filter policy is too complex: ${combinations} combinations, more than ${MAX_POLICY_COMBINATIONS}`);
  }
  if (Buffer.byteLength(JSON.stringify(policy), "utf8") > MAX_POLICY_BYTES) {
    report("(policy)", "is larger than 256 KB");
  }
  return problems;

  function checkObject(node: Record<string, unknown>, path: string, depth: number): void {
    for (const [key, value] of Object.entries(node)) {
      const at = path === "" ? key : `${path}.${key}`;
      if (key === "$or") {
        if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) {
          report(at, `must be a list of at least two policies, but ${JSON.stringify(value)} was provided`);
        } else {
          value.forEach((alternative) => checkObject(alternative as Record<string, unknown>, path, depth));
        }
      } else if (Array.isArray(value)) {
        leafKeys.add(at);
        checkValues(value, at);
      } else if (isObject(value)) {
        if (scope === "MessageAttributes") report(at, "Filter policy scope MessageAttributes does not support nested filter policy");
        else if (Object.keys(value).length === 0) report(at, "is an empty object");
        else checkObject(value, at, depth + 1);
      } else {
        report(at, `"${key}" must be an object or an array`);
      }
    }
  }

  function checkValues(values: unknown[], at: string): void {
    if (values.length === 0) report(at, "Empty arrays are not allowed");
    values.forEach((value, i) => {
      const item = `${at}[${i}]`;
      if (value === null || typeof value === "string" || typeof value === "boolean") return;
      if (typeof value === "number") {
        checkNumber(value, item);
        return;
      }
      if (!isObject(value)) {
        report(item, "Match value must be String, number, true, false, or null");
        return;
      }
      const keys = Object.keys(value);
      if (keys.length !== 1) {
        report(item, keys.length === 0 ? "Empty objects are not allowed" : "Only one key allowed in match expression");
        return;
      }
      checkOperator(keys[0], value[keys[0]], `${item}.${keys[0]}`);
    });
  }

  function checkOperator(operator: string, operand: unknown, at: string): void {
    switch (operator) {
      case "prefix":
      case "suffix":
      case "equals-ignore-case":
        if (typeof operand !== "string") report(at, `${operator} match pattern must be a string`);
        return;
      case "exists":
        if (typeof operand !== "boolean") report(at, "exists match pattern must be either true or false.");
        return;
      case "cidr":
        checkCidr(operand, at);
        return;
      case "numeric":
        checkNumeric(operand, at);
        return;
      case "anything-but":
        checkAnythingBut(operand, at);
        return;
      default:
        report(at, `Unrecognized match type ${operator}; SNS supports ${OPERATORS.join(", ")}`);
    }
  }

  function checkAnythingBut(operand: unknown, at: string): void {
    if (typeof operand === "string") return;
    if (typeof operand === "number") {
      checkNumber(operand, at);
      return;
    }
    if (Array.isArray(operand)) {
      const strings = operand.every((v) => typeof v === "string");
      const numbers = operand.every((v) => typeof v === "number");
      if (operand.length === 0) report(at, "Empty arrays are not allowed");
      else if (!strings && !numbers) report(at, "must list only strings or only numbers");
      else if (numbers) operand.forEach((v, i) => checkNumber(v as number, `${at}[${i}]`));
      return;
    }
    if (isObject(operand)) {
      const keys = Object.keys(operand);
      if (keys.length !== 1 || keys[0] !== "prefix") {
        report(at, `Unsupported anything-but pattern: ${keys.join(", ") || "(none)"}; SNS nests only prefix under anything-but`);
      } else if (typeof operand.prefix !== "string" || operand.prefix === "") {
        report(`${at}.prefix`, "prefix match pattern must be a non-empty string");
      }
      return;
    }
    report(at, `Value of anything-but must be an array or single string/number value, but ${JSON.stringify(operand)} was provided`);
  }

  // Mirrors SNS's numeric grammar: ["=", n], [op, n], or [">" | ">=", low, "<" | "<=", high] with low below high.
  function checkNumeric(operand: unknown, at: string): void {
    if (!Array.isArray(operand) || operand.length === 0) {
      report(at, "Invalid member in numeric match: it must be [operator, number] or a two-sided range");
      return;
    }
    if (operand.length !== 2 && operand.length !== 4) {
      report(at, operand.length > 4 ? "Too many terms in numeric range expression" : `Bad numeric expression ${JSON.stringify(operand)}`);
      return;
    }
    const [op1, n1, op2, n2] = operand as unknown[];
    if (typeof op1 !== "string" || !NUMERIC_OPERATORS.includes(op1)) {
      report(`${at}[0]`, `Unrecognized numeric range operator: ${JSON.stringify(op1)}`);
      return;
    }
    if (typeof n1 !== "number") {
      report(`${at}[1]`, `Value of ${op1} must be numeric`);
      return;
    }
    checkNumber(n1, `${at}[1]`);
    if (operand.length === 2) return;
    if (op1 !== ">" && op1 !== ">=") {
      report(`${at}[0]`, `a range starts with ">" or ">=", but ${JSON.stringify(op1)} was provided`);
      return;
    }
    if (op2 !== "<" && op2 !== "<=") {
      report(`${at}[2]`, `Bad numeric range operator: ${JSON.stringify(op2)}; a range ends with "<" or "<="`);
      return;
    }
    if (typeof n2 !== "number") {
      report(`${at}[3]`, `Value of ${op2} must be numeric`);
      return;
    }
    checkNumber(n2, `${at}[3]`);
    if (n1 >= n2) report(at, `Bottom must be less than top: ${n1} is not below ${n2}`);
  }

  function checkNumber(value: number, at: string): void {
    if (!Number.isFinite(value) || Math.abs(value) > SNS_NUMERIC_LIMIT) {
      report(at, `must be a number from -1e9 to 1e9, but ${value} was provided`);
    }
  }

  function checkCidr(operand: unknown, at: string): void {
    if (typeof operand !== "string") {
      report(at, "cidr match pattern must be a string");
      return;
    }
    const parts = operand.split("/");
    if (parts.length !== 2) {
      report(at, "Malformed CIDR, one '/' required");
      return;
    }
    const version = isIP(parts[0]);
    if (version === 0) {
      report(at, `Nonstandard IP address: ${parts[0]}`);
      return;
    }
    if (!/^\d+$/.test(parts[1])) {
      report(at, "Malformed CIDR, mask bits must be an integer");
      return;
    }
    if (Number(parts[1]) > (version === 4 ? 32 : 128)) report(at, `Malformed CIDR, mask bits must be at most ${version === 4 ? 32 : 128}`);
  }
}

// SNS's complexity: the policy's `$or` alternatives, summed, each the product over its keys of (nesting depth x
// number of values) (filter policy constraints: "3 x 4 x 2 x 3 = 72" for a key three levels deep with four values
// next to one two levels deep with three).
function complexity(node: Record<string, unknown>, depth: number): number {
  return alternatives(node, depth).reduce((sum, product) => sum + product, 0);
}

function alternatives(node: Record<string, unknown>, depth: number): number[] {
  let products = [1];
  for (const [key, value] of Object.entries(node)) {
    if (key === "$or" && Array.isArray(value)) {
      const options = value.flatMap((alternative) => alternatives(alternative as Record<string, unknown>, depth));
      products = products.flatMap((p) => options.map((o) => p * o));
    } else if (Array.isArray(value)) {
      products = products.map((p) => p * (depth + 1) * value.length);
    } else if (isObject(value)) {
      const nested = alternatives(value, depth + 1);
      products = products.flatMap((p) => nested.map((n) => p * n));
    }
  }
  return products;
}
