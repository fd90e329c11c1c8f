import { decodeRecord, type FilterSource } from "../../matching/filter-criteria";
import { evaluateJsonPath, JsonPathError, parseJsonPath, type JsonPath } from "../../matching/json-path";
import { jsonTemplateProblem, renderTemplate, scanPlaceholders } from "../../matching/template-substitution";

// A pipe's input template (`targetParameters.inputTemplate`, or the enrichment's): placeholders are JSON paths into
// the event itself (`<$.dynamodb.NewImage.orderId.S>`) or the pipe's reserved variables (`<aws.pipes.pipe-arn>`).
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html: "They can be free
// text, a JSON path to the event payload, or a JSON object that includes inline JSON paths to the event payload."
// Values are inserted as rule input transformers insert them (template-substitution.ts). An SQS `body` or Kinesis
// `data` holding JSON is decoded first, so `<$.body.orderId>` reaches into it ("Implicit body data parsing").

/** What Pipes knows about the execution besides the event. */
export interface PipeContext {
  readonly pipeArn: string;
  readonly pipeName: string;
  readonly sourceArn: string;
  /** @default - No enrichment: `<aws.pipes.enrichment-arn>` renders empty. */
  readonly enrichmentArn?: string;
  readonly targetArn: string;
  /** "The time at which the event was received by the input transformer": ISO 8601 text, or a Date. */
  readonly ingestionTime: string | Date;
}

/** A template Pipes would refuse at CreatePipe / UpdatePipe; `problems` lists every reason. */
export class PipeInputTemplateError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid pipe input template: ${problems.join("; ")}`);
    this.name = "PipeInputTemplateError";
  }
}

export interface CompiledPipeInputTemplate {
  /**
   * What the target (or enrichment) receives for one event: the rendered template. `source` decodes the record's
   * data field for the paths; leave it out for an event an enrichment returned. Throws `InputTransformationError`
   * when a JSON template renders to something that is not JSON.
   */
  render(event: unknown, context: PipeContext, source?: FilterSource): string;
}

/** The reserved variables ("Reserved variables" on the Pipes input transformation page). */
export const PIPE_RESERVED_VARIABLES = [
  "aws.pipes.pipe-arn",
  "aws.pipes.pipe-name",
  "aws.pipes.source-arn",
  "aws.pipes.enrichment-arn",
  "aws.pipes.target-arn",
  "aws.pipes.event.ingestion-time",
  "aws.pipes.event",
  "aws.pipes.event.json",
] as const;

const MAX_TEMPLATE_LENGTH = 8192;
const PLACEHOLDER = /<(\$[A-Za-z0-9_\-/.[\]*]*|aws\.pipes\.[A-Za-z.-]+)>/;

/** Validates a pipe's input template and compiles its paths. */
export function compilePipeInputTemplate(template: string): CompiledPipeInputTemplate {
  if (typeof template !== "string" || template.length === 0 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new PipeInputTemplateError([`inputTemplate must be 1 to ${MAX_TEMPLATE_LENGTH} characters`]);
  }
  const problems: string[] = [];
  const placeholders = scanPlaceholders(template, PLACEHOLDER);
  const paths = new Map<string, JsonPath>();
  for (const placeholder of placeholders) {
    if (placeholder.asKey) problems.push(`<${placeholder.name}> is used as an object key, which Pipes does not allow`);
    if (placeholder.name.startsWith("$")) {
      try {
        paths.set(placeholder.name, parseJsonPath(placeholder.name));
      } catch (e) {
        if (!(e instanceof JsonPathError)) throw e;
        problems.push(e.message);
      }
    } else if (!(PIPE_RESERVED_VARIABLES as readonly string[]).includes(placeholder.name)) {
      problems.push(`<${placeholder.name}> is not a reserved variable; use one of ${PIPE_RESERVED_VARIABLES.map((v) => `<${v}>`).join(", ")}`);
    }
  }
  const jsonProblem = jsonTemplateProblem(template, placeholders);
  if (jsonProblem) problems.push(`inputTemplate ${jsonProblem}`);
  if (problems.length > 0) throw new PipeInputTemplateError(problems);

  return {
    render(event, context, source) {
      const decoded = source && isRecord(event) ? decodeRecord(event, source) : event;
      return renderTemplate(template, placeholders, (placeholder) => {
        const path = paths.get(placeholder.name);
        return path ? evaluateJsonPath(path, decoded) : reserved(placeholder.name, event, decoded, context);
      });
    },
  };
}

/** Renders one event through a pipe's input template (see `compilePipeInputTemplate`). */
export function renderPipeInputTemplate(template: string, event: unknown, context: PipeContext, source?: FilterSource): string {
  return compilePipeInputTemplate(template).render(event, context, source);
}

function reserved(name: string, event: unknown, decoded: unknown, context: PipeContext): unknown {
  switch (name) {
    case "aws.pipes.pipe-arn":
      return context.pipeArn;
    case "aws.pipes.pipe-name":
      return context.pipeName;
    case "aws.pipes.source-arn":
      return context.sourceArn;
    case "aws.pipes.enrichment-arn":
      return context.enrichmentArn;
    case "aws.pipes.target-arn":
      return context.targetArn;
    case "aws.pipes.event.ingestion-time":
      return typeof context.ingestionTime === "string" ? context.ingestionTime : context.ingestionTime.toISOString();
    case "aws.pipes.event":
      // "The event as received by the input transformer."
      return event;
    case "aws.pipes.event.json":
      // "Only has a value if the original payload ... is JSON"; encoded fields such as an SQS body are decoded.
      return typeof decoded === "object" && decoded !== null ? decoded : undefined;
    default:
      return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
