// The JSONPath subset EventBridge evaluates in input transformers and Pipes input templates. "EventBridge does not
// support all JSON Path syntax ... Supported syntax includes: dot notation (for example, $.detail), dashes,
// underscores, alphanumeric characters, array indices, wildcards (*), forward slashes"
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html, and the same note on
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html). That grammar is a
// few lines, so it is written here rather than pulled in with a general JSONPath library that accepts far more than
// EventBridge does.
//
//   path    := "$" step*
//   step    := "." name | ".*" | "[" index "]" | "[*]"
//   name    := one or more of A-Z a-z 0-9 _ - /
//   index   := one or more digits

/** One step of a parsed path. */
export type PathStep = { readonly kind: "key"; readonly key: string } | { readonly kind: "index"; readonly index: number } | { readonly kind: "wildcard" };

/** A parsed path. `definite` is false when a wildcard makes it select a list of values. */
export interface JsonPath {
  readonly text: string;
  readonly steps: readonly PathStep[];
  readonly definite: boolean;
}

/** A path EventBridge would not evaluate; the message says where it goes wrong. */
export class JsonPathError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`"${path}" is not a JSON path EventBridge evaluates: ${reason}`);
    this.name = "JsonPathError";
  }
}

const NAME = /^[A-Za-z0-9_\-/]+/;

/** Parses a path such as `$.detail.items[0].sku`, `$.detail.*` or `$.resources[*]`. */
export function parseJsonPath(text: string): JsonPath {
  if (typeof text !== "string" || !text.startsWith("$")) {
    throw new JsonPathError(String(text), 'it must start with "$" (e.g. "$.detail.orderId")');
  }
  const steps: PathStep[] = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith(".*")) {
      steps.push({ kind: "wildcard" });
      rest = rest.slice(2);
    } else if (rest.startsWith(".")) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new JsonPathError(text, `expected a name after "." at "${rest}" (letters, digits, "_", "-" or "/")`);
      steps.push({ kind: "key", key: name[0] });
      rest = rest.slice(1 + name[0].length);
    } else if (rest.startsWith("[*]")) {
      steps.push({ kind: "wildcard" });
      rest = rest.slice(3);
    } else if (rest.startsWith("[")) {
      const index = /^\[(\d+)\]/.exec(rest);
      if (!index) throw new JsonPathError(text, `expected an array index such as [0] or [*] at "${rest}" (bracket notation for keys is not supported)`);
      steps.push({ kind: "index", index: Number(index[1]) });
      rest = rest.slice(index[0].length);
    } else {
      throw new JsonPathError(text, `unexpected "${rest[0]}" at "${rest}"`);
    }
  }
  return { text, steps, definite: steps.every((step) => step.kind !== "wildcard") };
}

/**
 * What the path selects in the document: for a definite path the value, or `undefined` when any step is missing;
 * for a path with a wildcard the list of every value it reaches (possibly empty), as JSONPath defines indefinite paths.
 */
export function evaluateJsonPath(path: JsonPath | string, document: unknown): unknown {
  const parsed = typeof path === "string" ? parseJsonPath(path) : path;
  let current: unknown[] = [document];
  for (const step of parsed.steps) {
    const next: unknown[] = [];
    for (const node of current) {
      if (step.kind === "key") {
        if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, step.key)) next.push(node[step.key]);
      } else if (step.kind === "index") {
        if (Array.isArray(node) && step.index < node.length) next.push(node[step.index]);
      } else if (Array.isArray(node)) {
        next.push(...node);
      } else if (isRecord(node)) {
        next.push(...Object.values(node));
      }
    }
    current = next;
  }
  return parsed.definite ? current[0] : current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
