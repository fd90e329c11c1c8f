import { errorOf, type Span } from "./segment";

// An order's journey, read from its recorded segments: who called whom, when, for how long, and with what outcome.
// A segment's caller is the segment its parent span belongs to (a subsegment's id is the Parent of the header the
// call carried); a segment that starts a trace has no caller in X-Ray, so the local cloud's own note of what
// started it (`metadata.local.source`, on the segments it records for AWS services) names one, drawn dashed.

/** One call between two participants. */
export interface Call {
  readonly traceId: string;
  readonly from: string;
  readonly to: string;
  readonly label: string;
  readonly start: number;
  readonly durationMs: number;
  readonly error?: string;
  /** The call starts a new trace (the caller passed no trace header, or the consumer only links to it). */
  readonly newTrace: boolean;
}

/** Which AWS service a subsegment named by the SDK calls, by the origin of the segment that service records. */
const SERVICE_ORIGIN: Readonly<Record<string, string>> = {
  EventBridge: "AWS::Events",
  SNS: "AWS::SNS",
  Lambda: "AWS::Lambda",
  SFN: "AWS::StepFunctions::StateMachine",
};

/** The participant a span stands for: an AWS resource, a function, a service. */
export function participantOf(span: Span): string {
  const doc = span.doc;
  if (span.kind === "subsegment" && doc.namespace === "aws") return [doc.name, resourceOf(doc.aws ?? {})].filter(Boolean).join(" ");
  if (span.kind === "subsegment" && doc.namespace === "remote") return doc.name;
  return doc.name;
}

function resourceOf(aws: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof aws.table_name === "string") return aws.table_name;
  if (typeof aws.queue_url === "string") return aws.queue_url.split("/").pop();
  if (typeof aws.resource === "string") return aws.resource;
  return undefined;
}

/** Every call the spans of some traces record, in start order. */
export function callsOf(spans: readonly Span[]): Call[] {
  const byId = new Map(spans.map((s) => [s.id, s]));
  const owner = (span: Span): Span => byId.get(span.segmentId) ?? span;
  const childSegments = new Map<string, Span[]>();
  for (const s of spans) if (s.kind === "segment" && s.parentId) childSegments.set(s.parentId, [...(childSegments.get(s.parentId) ?? []), s]);
  const calls: Call[] = [];
  const push = (span: Span, from: string, to: string, label: string, newTrace: boolean) => {
    const error = span.error ? (errorOf(span.doc) ?? "error") : undefined;
    calls.push({ traceId: span.traceId, from, to, label, start: span.start, durationMs: Math.max(0, Math.round((span.end - span.start) * 1000)), ...(error ? { error } : {}), newTrace });
  };
  for (const span of spans) {
    const doc = span.doc;
    if (span.kind === "subsegment") {
      if (doc.namespace !== "aws" && doc.namespace !== "remote") continue;
      // A call whose service records its own segment is drawn once, as that segment's call.
      const service = SERVICE_ORIGIN[doc.name];
      const sameService = service !== undefined && (childSegments.get(span.id) ?? []).some((c) => c.doc.origin === service);
      if (!sameService) push(span, participantOf(owner(span)), participantOf(span), String(doc.aws?.operation ?? doc.name), false);
      continue;
    }
    // The function's own segment is the Lambda service segment's work: one participant, drawn once.
    if (doc.origin === "AWS::Lambda::Function") continue;
    const parent = span.parentId ? byId.get(span.parentId) : undefined;
    const label = labelOf(span);
    if (parent) {
      // A call through a resource that records no segment of its own (a queue) comes from that resource.
      const viaSdk = parent.kind === "subsegment" && parent.doc.namespace === "aws" && (SERVICE_ORIGIN[parent.doc.name] === undefined || SERVICE_ORIGIN[parent.doc.name] !== doc.origin);
      const stateName = parent.kind === "subsegment" && !parent.doc.namespace && parent.doc.metadata?.local?.state === true ? `${parent.name}: ` : "";
      push(span, viaSdk ? participantOf(parent) : participantOf(owner(parent)), participantOf(span), `${stateName}${label}`, false);
    } else {
      const source = doc.metadata?.local?.source;
      push(span, typeof source === "string" ? source : "client", participantOf(span), label, true);
    }
  }
  return calls.sort((a, b) => a.start - b.start);
}

function labelOf(span: Span): string {
  const doc = span.doc;
  const request = doc.http?.request;
  if (doc.origin === "AWS::ApiGateway::Stage" && request) return `${request.method ?? ""} ${request.url ? new URL(request.url, "http://x").pathname : ""}`.trim();
  if (doc.origin === "AWS::Lambda") return "Invoke";
  if (doc.origin === "AWS::StepFunctions::StateMachine") return "StartExecution";
  if (doc.origin === "AWS::Events") return "event";
  if (doc.origin === "AWS::SNS") return "notification";
  return "message";
}

/** Mermaid's names must be plain: a participant's alias is an index, its label the name. */
function aliases(calls: readonly Call[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const c of calls) for (const p of [c.from, c.to]) if (!map.has(p)) map.set(p, `P${map.size + 1}`);
  return map;
}

function safe(text: string): string {
  return text.replace(/[;#\n]/g, " ").replace(/:/g, "꞉");
}

/** A Mermaid sequence diagram of an order's journey: one message per call with its duration, errors marked ✗. */
export function journeyMermaid(orderId: string, traceIds: readonly string[], calls: readonly Call[]): string {
  const names = aliases(calls);
  const lines = ["sequenceDiagram", `  title Order ${orderId} — ${traceIds.length} trace(s)`, "  autonumber"];
  for (const [name, alias] of names) lines.push(`  participant ${alias} as ${safe(name)}`);
  let trace: string | undefined;
  for (const c of calls) {
    if (c.traceId !== trace) {
      lines.push(`  Note over ${names.get(c.from)},${names.get(c.to)}: trace ${c.traceId}${c.newTrace && trace !== undefined ? " (new trace)" : ""}`);
      trace = c.traceId;
    }
    const arrow = c.error ? "-x" : c.newTrace ? "-->>" : "->>";
    lines.push(`  ${names.get(c.from)}${arrow}${names.get(c.to)}: ${safe(c.label)} (${c.durationMs} ms)${c.error ? ` ✗ ${safe(c.error).slice(0, 120)}` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The journey as terminal lines: offset from the first call, caller → callee, what, how long, the outcome. */
export function journeyTimeline(orderId: string, traceIds: readonly string[], calls: readonly Call[]): string {
  const t0 = calls[0]?.start ?? 0;
  const lines = [`order ${orderId}: ${calls.length} call(s) in ${traceIds.length} trace(s)`];
  let trace: string | undefined;
  for (const c of calls) {
    if (c.traceId !== trace) {
      lines.push(`  trace ${c.traceId}${c.newTrace ? " (starts here)" : ""}`);
      trace = c.traceId;
    }
    const offset = `+${Math.round((c.start - t0) * 1000)} ms`.padStart(10);
    lines.push(`  ${offset}  ${c.from} ${c.newTrace ? "⇢" : "→"} ${c.to}  ${c.label}  ${c.durationMs} ms${c.error ? `  ✗ ${c.error.slice(0, 160)}` : ""}`);
  }
  return lines.join("\n");
}
