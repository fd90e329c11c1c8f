import { evaluateJsonPath, JsonPathError, parseJsonPath, type JsonPath } from "../../matching/json-path";
import { jsonTemplateProblem, renderTemplate, scanPlaceholders, type Placeholder } from "../../matching/template-substitution";

// A rule target's input transformer: `inputPaths` (the API's InputPathsMap) names values picked from the event by
// JSON path, `inputTemplate` places them, and what it renders is delivered instead of the event
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html;
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html). How values are inserted is
// template-substitution.ts; this module adds the rule's variables and what PutTargets checks.

/** The transformer as the graph holds it (`inputTransformer` of an `aws:cloudwatch/eventTarget:EventTarget`). */
export interface InputTransformerInput {
  readonly inputPaths?: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** What EventBridge knows about the delivery besides the event. */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** When EventBridge received the event: an ISO 8601 timestamp, or a Date. */
  readonly ingestionTime: string | Date;
}

/** A transformer that PutTargets would refuse; `problems` lists every reason. */
export class InputTransformerError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid input transformer: ${problems.join("; ")}`);
    this.name = "InputTransformerError";
  }
}

/** A validated transformer, ready to transform many events. */
export interface CompiledInputTransformer {
  /**
   * What the target receives for this event: the rendered template (JSON text for a JSON template, the text itself
   * otherwise). Throws `InputTransformationError` when the result of a JSON template is not JSON.
   */
  transform(event: unknown, context: RuleContext): string;
}

/** "You can define up to 100 variables" (eb-transform-target-input.html). */
export const MAX_INPUT_PATHS = 100;
/** InputTemplate: "Minimum length of 1. Maximum length of 8192" (API_InputTransformer). */
export const MAX_TEMPLATE_LENGTH = 8192;

/**
 * "These variables are reserved, and you can't create variables with these names" (eb-transform-target-input.html,
 * "Predefined variables").
 */
export const PREDEFINED_VARIABLES = [
  "aws.events.rule-arn",
  "aws.events.rule-name",
  "aws.events.event.ingestion-time",
  "aws.events.event",
  "aws.events.event.json",
] as const;

// A placeholder is a variable name between angle brackets; the names are InputPathsMap keys ([A-Za-z0-9_-]+,
// API_InputTransformer) or the dotted predefined ones.
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/;
const KEY = /^[A-Za-z0-9_-]+$/;

/** Validates a transformer as PutTargets does and compiles its paths and template. */
export function compileInputTransformer(transformer: InputTransformerInput): CompiledInputTransformer {
  const problems: string[] = [];
  const paths = new Map<string, JsonPath>();
  const entries = Object.entries(transformer.inputPaths ?? {});
  if (entries.length > MAX_INPUT_PATHS) problems.push(`inputPaths has ${entries.length} entries; EventBridge allows at most ${MAX_INPUT_PATHS}`);
  for (const [key, path] of entries) {
    if (!KEY.test(key) || key.length > 256) {
      problems.push(`inputPaths key "${key}" must be 1 to 256 letters, digits, "_" or "-" (names starting "aws." are EventBridge's own)`);
      continue;
    }
    try {
      paths.set(key, parseJsonPath(path));
    } catch (e) {
      if (!(e instanceof JsonPathError)) throw e;
      problems.push(`inputPaths.${key}: ${e.message}`);
    }
  }

  const template = transformer.inputTemplate;
  if (typeof template !== "string" || template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    problems.push(`inputTemplate must be 1 to ${MAX_TEMPLATE_LENGTH} characters`);
    throw new InputTransformerError(problems);
  }
  const placeholders = scanPlaceholders(template, PLACEHOLDER);
  for (const placeholder of placeholders) {
    const known = paths.has(placeholder.name) || (PREDEFINED_VARIABLES as readonly string[]).includes(placeholder.name);
    // PutTargets: "InputTemplate for target <id> contains invalid placeholder <name>." (AWS's answer, recorded by
    // LocalStack's test_put_events_with_input_transformer_missing_keys).
    if (!known) problems.push(`inputTemplate contains invalid placeholder <${placeholder.name}>: it is neither an inputPaths key nor a predefined variable`);
    if (placeholder.asKey) problems.push(`inputTemplate uses <${placeholder.name}> as an object key, which EventBridge does not allow`);
  }
  const jsonProblem = jsonTemplateProblem(template, placeholders);
  if (jsonProblem) problems.push(`inputTemplate ${jsonProblem}`);
  if (problems.length > 0) throw new InputTransformerError(problems);

  return {
    transform(event, context) {
      const parsed = typeof event === "string" ? (JSON.parse(event) as unknown) : event;
      return renderTemplate(template, placeholders, (placeholder: Placeholder) => {
        const path = paths.get(placeholder.name);
        return path ? evaluateJsonPath(path, parsed) : predefined(placeholder.name, parsed, context);
      });
    },
  };
}

/** Renders one event through a transformer (see `compileInputTransformer`). */
export function transformInput(transformer: InputTransformerInput, event: unknown, context: RuleContext): string {
  return compileInputTransformer(transformer).transform(event, context);
}

function predefined(name: string, event: unknown, context: RuleContext): unknown {
  switch (name) {
    case "aws.events.rule-arn":
      return context.ruleArn;
    case "aws.events.rule-name":
      return context.ruleName;
    case "aws.events.event.ingestion-time":
      return typeof context.ingestionTime === "string" ? context.ingestionTime : context.ingestionTime.toISOString();
    case "aws.events.event":
      return envelope(event);
    case "aws.events.event.json":
      return event;
    default:
      return undefined;
  }
}

/**
 * `<aws.events.event>`: "The original event payload as JSON (without the detail field)". AWS also renames
 * `detail-type` to `detailType` in it (recorded by LocalStack's AWS-validated test_input_transformer_predefined_variables).
 */
function envelope(event: unknown): unknown {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return event;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === "detail") continue;
    result[key === "detail-type" ? "detailType" : key] = value;
  }
  return result;
}
