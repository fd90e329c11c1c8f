import type { SegmentDocument } from "./segment";

// The X-Ray daemon's UDP protocol: each datagram is a JSON header line, `{"format": "json", "version": 1}`, a newline,
// and one segment document (a segment, or a subsegment sent on its own with `type: "subsegment"`).
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-sendingdata.html#xray-api-daemon

export class DaemonProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DaemonProtocolError";
  }
}

/** The segment document a datagram carries; a DaemonProtocolError names what is wrong with it. */
export function parseDaemonDatagram(datagram: Buffer | string): SegmentDocument {
  const text = typeof datagram === "string" ? datagram : datagram.toString("utf8");
  const newline = text.indexOf("\n");
  if (newline < 0) throw new DaemonProtocolError('a datagram must start with the header {"format": "json", "version": 1} and a newline');
  let header: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    throw new DaemonProtocolError(`the header is not JSON: ${text.slice(0, Math.min(newline, 80))}`);
  }
  const h = header as { format?: unknown; version?: unknown };
  if (h?.format !== "json" || h.version !== 1) throw new DaemonProtocolError(`unsupported header ${JSON.stringify(header)}: the daemon reads {"format": "json", "version": 1}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(newline + 1));
  } catch (error) {
    throw new DaemonProtocolError(`the segment document is not JSON: ${(error as Error).message}`);
  }
  const d = doc as Partial<SegmentDocument> | null;
  if (!d || typeof d !== "object" || Array.isArray(d)) throw new DaemonProtocolError("the segment document must be a JSON object");
  const missing = (["id", "name", "start_time"] as const).filter((k) => d[k] === undefined);
  if (d.trace_id === undefined) missing.push("trace_id" as never);
  if (missing.length > 0) throw new DaemonProtocolError(`the segment document ${d.name ? `"${String(d.name)}" ` : ""}has no ${missing.join(", ")}`);
  if (d.type === "subsegment" && d.parent_id === undefined) throw new DaemonProtocolError(`the subsegment "${String(d.name)}" is sent on its own but has no parent_id`);
  if (typeof d.start_time !== "number" || (d.end_time !== undefined && typeof d.end_time !== "number")) throw new DaemonProtocolError(`the segment "${String(d.name)}" has times that are not epoch seconds`);
  return d as SegmentDocument;
}
