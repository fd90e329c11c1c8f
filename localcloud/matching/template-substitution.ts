// How EventBridge fills an input template's `<placeholders>`, shared by rule targets' input transformers and Pipes'
// input templates. The rules, from the docs and from what AWS delivered in LocalStack's AWS-validated input
// transformer tests (tests/aws/services/events/test_events_inputs.snapshot.json, recorded against AWS):
//
// - A template whose first character is "{" or "[" is JSON; any other template (a quoted "..." string or plain text)
//   is text, delivered exactly as rendered, quotes included
//   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html, "Input transform
//   examples": "Simple string" and "Simple JSON").
// - In a JSON template, a placeholder in value position becomes the value's JSON: a string is quoted, an object or
//   array is inserted as JSON ("Because of this, put quotes around variables that refer to JSON path parameters, but
//   do not put quotes around variables that refer to JSON objects or arrays",
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
// - Inside a JSON string (or anywhere in a text template) a string is inserted as is, unescaped ("EventBridge doesn't
//   escape values extracted by Input Path"), a number or boolean as its text. An object or array inside a string of a
//   JSON template leaves invalid JSON, and AWS does not deliver the event; in a text template it is inserted as its
//   JSON with the quotes removed (`{acc_id:0a787ecb-4015,sf_id:baz}`, recorded), as the Pipes page describes for
//   `<$.body>` ("{"key": "value"} will become "{key: value}"").
// - A path that selects nothing inserts an empty string: `""` in value position, nothing inside a string (recorded).
// - A placeholder cannot be an object key (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html).

export type TemplateKind = "json" | "text";

/** One `<placeholder>` of a template. */
export interface Placeholder {
  /** What is between the angle brackets. */
  readonly name: string;
  readonly start: number;
  readonly end: number;
  /** Inside a JSON string literal of the template. */
  readonly inString: boolean;
  /** Used as an object key (followed by ":"), which AWS refuses. */
  readonly asKey: boolean;
}

/** The rendered output is not what the target could receive; AWS does not deliver the event. */
export class InputTransformationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputTransformationError";
  }
}

export function templateKind(template: string): TemplateKind {
  const first = template.trimStart()[0];
  return first === "{" || first === "[" ? "json" : "text";
}

/** Every placeholder the pattern recognises, with whether it sits inside a JSON string. */
export function scanPlaceholders(template: string, placeholder: RegExp): Placeholder[] {
  const sticky = new RegExp(placeholder.source, "y");
  const found: Placeholder[] = [];
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === "<") {
      sticky.lastIndex = i;
      const match = sticky.exec(template);
      if (match) {
        const end = i + match[0].length;
        const asKey = !inString && /^\s*:/.test(template.slice(end));
        found.push({ name: match[1], start: i, end, inString, asKey });
        i = end - 1;
        continue;
      }
    }
    if (inString && c === "\\") i++;
    else if (c === '"') inString = !inString;
  }
  return found;
}

/** A placeholder's value; `undefined` when its path selects nothing. */
export type Resolve = (placeholder: Placeholder) => unknown;

/** Fills the placeholders; a JSON template must still be JSON afterwards. */
export function renderTemplate(template: string, placeholders: readonly Placeholder[], resolve: Resolve): string {
  const kind = templateKind(template);
  let output = "";
  let from = 0;
  for (const placeholder of placeholders) {
    output += template.slice(from, placeholder.start);
    const value = resolve(placeholder);
    output += kind === "json" && !placeholder.inString ? valueForm(value) : stringForm(value, kind);
    from = placeholder.end;
  }
  output += template.slice(from);
  if (kind === "json") {
    try {
      JSON.parse(output);
    } catch (e) {
      throw new InputTransformationError(
        `The transformed input is not valid JSON, so AWS would not deliver it (${(e as Error).message}): ${output}. ` +
          "An object or array, or a string holding quotes, cannot go inside a quoted string of a JSON template.",
      );
    }
  }
  return output;
}

/** Checks that a JSON template is JSON once its placeholders hold plain values, so a typo fails before any event. */
export function jsonTemplateProblem(template: string, placeholders: readonly Placeholder[]): string | undefined {
  if (templateKind(template) !== "json") return undefined;
  let probe = "";
  let from = 0;
  for (const placeholder of placeholders) {
    probe += template.slice(from, placeholder.start) + (placeholder.inString ? "x" : "0");
    from = placeholder.end;
  }
  probe += template.slice(from);
  try {
    JSON.parse(probe);
    return undefined;
  } catch (e) {
    return `starts like JSON but is not valid JSON: ${(e as Error).message}`;
  }
}

function valueForm(value: unknown): string {
  return value === undefined ? '""' : JSON.stringify(value);
}

function stringForm(value: unknown, kind: TemplateKind): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    const json = JSON.stringify(value);
    return kind === "json" ? json : json.replace(/"/g, "");
  }
  return JSON.stringify(value);
}
