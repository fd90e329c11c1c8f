import { EventPatternError } from "../../components/event-pattern";
import { isObject } from "./content-filter";
import { compileEventPattern, type CompiledEventPattern } from "./event-pattern-matcher";

// Filter criteria of EventBridge Pipes and Lambda event source mappings: up to five event patterns ("pipe" dialect)
// over each source record, logically ORed ("If a record from your event source satisfies one or more of your
// filters, Lambda includes the record", https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html).
//
// The record's data field is matched decoded ("Message and data fields",
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html): an SQS `body` that is JSON
// is matched as JSON, a Kinesis `data` is base64-decoded first; DynamoDB's `dynamodb` is JSON already. When the body
// and the filter's pattern for it disagree in format (a JSON body under a plain-string pattern, or the reverse), that
// filter drops the record; a filter that says nothing about the data field matches on the other fields only.

/** The sources whose data field the filters decode. */
export type FilterSource = "sqs" | "kinesis" | "dynamodb";

/** The filter criteria as the graph holds them (`filterCriteria` of a pipe's source or of an event source mapping). */
export interface FilterCriteriaInput {
  readonly filters?: readonly { readonly pattern?: string }[];
}

/** Compiled filter criteria. */
export interface CompiledFilterCriteria {
  /** Whether the record passes: true when there are no filters, else when any filter matches it. */
  matches(record: Readonly<Record<string, unknown>>): boolean;
}

const DATA_FIELD: Record<FilterSource, string> = { sqs: "body", kinesis: "data", dynamodb: "dynamodb" };

/**
 * Validates and compiles filter criteria for a source. Accepts the graph's `{ filters: [{ pattern }] }`, or a list of
 * patterns (JSON text or objects). Throws `EventPatternError` for a pattern Pipes or Lambda would reject.
 */
export function compileFilterCriteria(
  criteria: FilterCriteriaInput | readonly (string | Readonly<Record<string, unknown>>)[] | undefined,
  source: FilterSource,
): CompiledFilterCriteria {
  const patterns = Array.isArray(criteria)
    ? (criteria as readonly (string | Readonly<Record<string, unknown>>)[])
    : ((criteria as FilterCriteriaInput | undefined)?.filters ?? []).map((filter, i) => {
        if (typeof filter.pattern !== "string") {
          throw new EventPatternError([{ path: `filters[${i}].pattern`, message: "is missing; every filter needs a pattern" }]);
        }
        return filter.pattern;
      });
  const field = DATA_FIELD[source];
  const filters = patterns.map((pattern) => dataFieldFilter(compileEventPattern(pattern, "pipe"), field, source));
  return {
    matches: (record) => filters.length === 0 || filters.some((filter) => filter(record)),
  };
}

type DataFormat = "json" | "plain" | "none";

function dataFieldFilter(pattern: CompiledEventPattern, field: string, source: FilterSource): (record: Readonly<Record<string, unknown>>) => boolean {
  const expected = patternFormat(pattern.pattern, field);
  if (source === "dynamodb" && expected === "plain") {
    // "The filter pattern for data properties must be in a valid JSON format" (Kinesis and DynamoDB table).
    throw new EventPatternError([{ path: field, message: "must be a nested pattern: a DynamoDB stream record's dynamodb field is JSON" }]);
  }
  return (record) => {
    const decoded = decodeDataField(record, field, source);
    if (expected !== "none" && decoded.format !== expected) return false;
    return pattern.matches(decoded.record);
  };
}

/** Whether a pattern treats the data field as JSON (a nested pattern), as a plain value (a list), or not at all. */
function patternFormat(pattern: Readonly<Record<string, unknown>>, field: string): DataFormat {
  const formats = new Set<DataFormat>();
  (function visit(node: Readonly<Record<string, unknown>>) {
    for (const [key, value] of Object.entries(node)) {
      if (key === field) formats.add(Array.isArray(value) ? "plain" : "json");
      else if (key === "$or" && Array.isArray(value)) value.forEach((alternative) => visit(alternative as Record<string, unknown>));
    }
  })(pattern);
  if (formats.size > 1) {
    throw new EventPatternError([{ path: field, message: "is matched both as a plain value and as JSON; use one format per filter" }]);
  }
  return formats.values().next().value ?? "none";
}

/**
 * The record as filters and input templates see it: its data field (SQS `body`, Kinesis `data`) decoded into JSON
 * when it holds JSON, else left as its (decoded) text ("Implicit body data parsing",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
 */
export function decodeRecord(record: Readonly<Record<string, unknown>>, source: FilterSource): Record<string, unknown> {
  return decodeDataField(record, DATA_FIELD[source], source).record;
}

function decodeDataField(record: Readonly<Record<string, unknown>>, field: string, source: FilterSource): { record: Record<string, unknown>; format: DataFormat } {
  const raw = record[field];
  if (raw === undefined) return { record: { ...record }, format: "none" };
  if (source === "dynamodb") return { record: { ...record }, format: isObject(raw) ? "json" : "plain" };
  const text = source === "kinesis" && typeof raw === "string" ? Buffer.from(raw, "base64").toString("utf8") : raw;
  if (typeof text !== "string") return { record: { ...record }, format: isObject(text) || Array.isArray(text) ? "json" : "plain" };
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObject(parsed) || Array.isArray(parsed)) return { record: { ...record, [field]: parsed }, format: "json" };
  } catch {
    // Not JSON: matched as the plain string it is.
  }
  return { record: { ...record, [field]: text }, format: "plain" };
}
