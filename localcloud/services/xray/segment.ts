// X-Ray segment documents: what the SDKs send to the daemon and what AWS services record for themselves. Only the
// fields the local cloud reads are typed; a document keeps every field it arrived with.
// https://docs.aws.amazon.com/xray/latest/devguide/xray-api-segmentdocuments.html

export interface SegmentDocument {
  readonly id: string;
  readonly name: string;
  /** Required on segments and on subsegments sent on their own. */
  readonly trace_id?: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  readonly parent_id?: string;
  /** `subsegment` on a subsegment sent on its own. */
  readonly type?: string;
  /** The AWS resource type of a segment (`AWS::Lambda::Function`, `AWS::ApiGateway::Stage`...). */
  readonly origin?: string;
  /** `aws` for a call to an AWS service, `remote` for another downstream call. */
  readonly namespace?: string;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly cause?: { readonly exceptions?: readonly { readonly message?: string; readonly type?: string }[] } | string;
  readonly http?: { readonly request?: { readonly method?: string; readonly url?: string }; readonly response?: { readonly status?: number } };
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly subsegments?: readonly SegmentDocument[];
  /** Traces this one is linked to (an SQS consumer's invocation links to its messages' producers). */
  readonly links?: readonly { readonly trace_id: string; readonly id?: string }[];
}

/** One segment or subsegment of a trace, out of its nesting: what the journey and the service map are built from. */
export interface Span {
  readonly traceId: string;
  readonly id: string;
  readonly parentId?: string;
  /** The segment this span belongs to (itself, for a segment). */
  readonly segmentId: string;
  readonly name: string;
  readonly kind: "segment" | "subsegment";
  readonly doc: SegmentDocument;
  readonly start: number;
  readonly end: number;
  readonly error: boolean;
}

/** Every span of some segment documents, nested subsegments included, in start order. */
export function spansOf(docs: readonly SegmentDocument[]): Span[] {
  const spans: Span[] = [];
  const visit = (doc: SegmentDocument, traceId: string, parentId: string | undefined, segmentId: string, kind: Span["kind"]) => {
    spans.push({
      traceId,
      id: doc.id,
      ...(parentId ? { parentId } : {}),
      segmentId,
      name: doc.name,
      kind,
      doc,
      start: doc.start_time,
      end: doc.end_time ?? doc.start_time,
      error: doc.error === true || doc.fault === true || doc.throttle === true,
    });
    for (const sub of doc.subsegments ?? []) visit(sub, traceId, doc.id, segmentId, "subsegment");
  };
  for (const doc of docs) {
    if (!doc.trace_id) continue;
    const isSegment = doc.type !== "subsegment";
    // A subsegment sent on its own belongs to the segment its parent belongs to; resolved below.
    visit(doc, doc.trace_id, doc.parent_id, isSegment ? doc.id : (doc.parent_id ?? doc.id), isSegment ? "segment" : "subsegment");
  }
  const byId = new Map(spans.map((s) => [s.id, s]));
  const segmentOf = (span: Span, depth = 0): string => {
    if (span.kind === "segment" || depth > 64) return span.id;
    const parent = span.parentId ? byId.get(span.parentId) : undefined;
    return parent ? segmentOf(parent, depth + 1) : span.segmentId;
  };
  return spans.map((s) => (s.kind === "subsegment" ? { ...s, segmentId: segmentOf(s) } : s)).sort((a, b) => a.start - b.start);
}

/** The first message of a span's error, if it has one. */
export function errorOf(doc: SegmentDocument): string | undefined {
  const cause = doc.cause;
  if (typeof cause === "string") return cause;
  const first = cause?.exceptions?.[0];
  if (first) return [first.type, first.message].filter(Boolean).join(": ");
  const status = doc.http?.response?.status;
  return status !== undefined && status >= 400 ? `HTTP ${status}` : undefined;
}
