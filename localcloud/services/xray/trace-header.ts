import { randomBytes } from "node:crypto";

// The X-Ray tracing header, as services pass it to each other (`X-Amzn-Trace-Id`, the SQS `AWSTraceHeader`
// attribute, Lambda's `_X_AMZN_TRACE_ID`): `Root=1-<8 hex epoch seconds>-<24 hex>;Parent=<16 hex>;Sampled=1`.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader

export interface TraceHeader {
  readonly root: string;
  /** The id of the segment or subsegment that made the call; absent when a trace starts. */
  readonly parent?: string;
  /** `1` sampled, `0` not; absent when the decision is left to the receiver. */
  readonly sampled?: "0" | "1";
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/**
 * Parses a tracing header; undefined when there is none or its Root is not a valid trace id (X-Ray drops headers that
 * are not valid, and the call goes on untraced).
 */
export function parseTraceHeader(value: string | undefined): TraceHeader | undefined {
  if (!value) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const root = fields.get("Root");
  if (!root || !TRACE_ID.test(root)) return undefined;
  const parent = fields.get("Parent");
  const sampled = fields.get("Sampled");
  return {
    root,
    ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}),
    ...(sampled === "0" || sampled === "1" ? { sampled } : {}),
  };
}

export function formatTraceHeader(header: TraceHeader): string {
  return [`Root=${header.root}`, ...(header.parent ? [`Parent=${header.parent}`] : []), ...(header.sampled ? [`Sampled=${header.sampled}`] : [])].join(";");
}

/** A new trace id: version 1, the start time in epoch seconds (8 hex digits), 96 random bits. */
export function newTraceId(nowMs = Date.now()): string {
  return `1-${Math.floor(nowMs / 1000).toString(16).padStart(8, "0")}-${randomBytes(12).toString("hex")}`;
}

/** A new segment or subsegment id: 64 random bits in 16 hex digits. */
export function newSegmentId(): string {
  return randomBytes(8).toString("hex");
}
