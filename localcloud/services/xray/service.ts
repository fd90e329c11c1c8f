import dgram from "node:dgram";
import { mkdirSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseDaemonDatagram } from "./daemon-protocol";
import { callsOf, journeyMermaid, journeyTimeline } from "./journey";
import { spansOf, type SegmentDocument } from "./segment";
import { serviceMapMermaid } from "./service-map";
import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from "./trace-header";

/** A segment the local cloud records for an AWS service (API Gateway, Lambda, Step Functions, EventBridge, SNS). */
export interface OpenSegment {
  readonly traceId: string;
  readonly id: string;
  /** The header a call made from this segment (or one of its subsegments) carries on. */
  header(parentId?: string): string;
  /** A subsegment, closed by its own `end`; recorded with the segment. */
  subsegment(name: string, fields?: Partial<SegmentDocument>): OpenSubsegment;
  end(outcome?: Outcome): void;
}

export interface OpenSubsegment {
  readonly id: string;
  end(outcome?: Outcome): void;
}

export interface Outcome {
  /** A client error (4xx) or a function error. */
  readonly error?: string;
  /** A server error (5xx, a timeout, the runtime failed). */
  readonly fault?: string;
  readonly throttle?: boolean;
  readonly fields?: Partial<SegmentDocument>;
}

/** Where the segments of an order are on disk after a run: `orders.json` maps each order id to its trace ids. */
export const ORDER_INDEX = "orders.json";

/**
 * The local X-Ray: a daemon on a free UDP port for the segments the functions' SDK and the label worker send, and the
 * segments AWS services record for themselves, which the local cloud records in their place. Everything is kept by
 * trace id, and written to `<dir>/<traceId>.json`, `<dir>/<orderId>.mmd` (each order's journey) and
 * `<dir>/../service-map.mmd` on `write()`.
 */
export class XRayService {
  private readonly traces = new Map<string, Map<string, SegmentDocument>>();
  private readonly dirty = new Set<string>();
  /** Datagrams the daemon could not read, with why (the last few). */
  readonly rejected: string[] = [];
  received = 0;
  /** Where the daemon listens, read once it is bound: it keeps its port for its life, and a closed socket has none. */
  private bound?: { address: string; port: number };

  private constructor(
    private readonly socket: dgram.Socket,
    readonly dir: string,
  ) {}

  /** Binds the daemon to 127.0.0.1 on a free port. */
  static async start(dir: string): Promise<XRayService> {
    const socket = dgram.createSocket("udp4");
    const xray = new XRayService(socket, dir);
    socket.on("message", (message) => xray.receive(message));
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => {
        socket.off("error", reject);
        const { address, port } = socket.address();
        xray.bound = { address, port };
        resolve();
      });
    });
    socket.unref();
    return xray;
  }

  /** `127.0.0.1:<port>`: AWS_XRAY_DAEMON_ADDRESS for every function and task. */
  get address(): string {
    return `${this.bound!.address}:${this.bound!.port}`;
  }

  get port(): number {
    return this.bound!.port;
  }

  receive(datagram: Buffer | string): void {
    try {
      this.record(parseDaemonDatagram(datagram));
      this.received++;
    } catch (error) {
      this.rejected.push((error as Error).message);
      if (this.rejected.length > 20) this.rejected.shift();
    }
  }

  /** Keeps a document by trace and id; a later version of a document (in progress, then complete) replaces it. */
  record(doc: SegmentDocument): void {
    if (!doc.trace_id) return;
    const trace = this.traces.get(doc.trace_id) ?? new Map<string, SegmentDocument>();
    trace.set(doc.id, doc);
    this.traces.set(doc.trace_id, trace);
    this.dirty.add(doc.trace_id);
  }

  /** The documents of a trace. */
  trace(traceId: string): SegmentDocument[] {
    return [...(this.traces.get(traceId)?.values() ?? [])];
  }

  get traceIds(): string[] {
    return [...this.traces.keys()];
  }

  /**
   * Opens a segment for an AWS service. It continues `incoming` when that header is sampled; without one it starts a
   * trace when `startTrace` (the service traces actively), and returns undefined otherwise, or when the caller
   * decided not to sample.
   */
  begin(name: string, origin: string, incoming: string | undefined, options: { startTrace: boolean; source?: string; fields?: Partial<SegmentDocument>; links?: readonly string[] }): OpenSegment | undefined {
    const header = parseTraceHeader(incoming);
    if (header?.sampled === "0") return undefined;
    if (!header && !options.startTrace) return undefined;
    const traceId = header?.root ?? newTraceId();
    const id = newSegmentId();
    const start = Date.now() / 1000;
    const subsegments: SegmentDocument[] = [];
    const links = (options.links ?? []).flatMap((l) => {
      const h = parseTraceHeader(l);
      return h ? [{ trace_id: h.root, ...(h.parent ? { id: h.parent } : {}) }] : [];
    });
    return {
      traceId,
      id,
      header: (parentId = id) => formatTraceHeader({ root: traceId, parent: parentId, sampled: "1" }),
      subsegment: (subName, fields = {}) => {
        const subId = newSegmentId();
        const subStart = Date.now() / 1000;
        return {
          id: subId,
          end: (outcome = {}) => subsegments.push({ id: subId, name: subName, start_time: subStart, end_time: Date.now() / 1000, ...fields, ...outcomeFields(outcome) }),
        };
      },
      end: (outcome = {}) =>
        this.record({
          trace_id: traceId,
          id,
          name,
          origin,
          start_time: start,
          end_time: Date.now() / 1000,
          ...(header?.parent ? { parent_id: header.parent } : {}),
          ...options.fields,
          ...outcomeFields(outcome),
          ...(links.length > 0 ? { links } : {}),
          // What started the segment, when nothing traced did: the journey draws its caller from it.
          ...(options.source ? { metadata: { ...options.fields?.metadata, local: { source: options.source } } } : {}),
          ...(subsegments.length > 0 ? { subsegments: [...subsegments].sort((a, b) => a.start_time - b.start_time) } : {}),
        }),
    };
  }

  /** The ids of the traces whose spans name an order (the `orderId` annotation), by order. */
  orders(): Map<string, string[]> {
    const orders = new Map<string, string[]>();
    for (const [traceId, docs] of this.traces) {
      for (const span of spansOf([...docs.values()])) {
        const orderId = span.doc.annotations?.orderId;
        if (typeof orderId !== "string") continue;
        const list = orders.get(orderId) ?? [];
        if (!list.includes(traceId)) list.push(traceId);
        orders.set(orderId, list);
      }
    }
    return orders;
  }

  /**
   * Writes what changed since the last write: each changed trace's segments, every order's journey, the order index
   * and the service map.
   */
  write(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const traceId of this.dirty) writeFileSync(path.join(this.dir, `${traceId}.json`), `${JSON.stringify({ traceId, segments: this.trace(traceId) }, null, 2)}\n`);
    this.dirty.clear();
    const orders = this.orders();
    const index: Record<string, string[]> = {};
    for (const [orderId, traceIds] of orders) {
      index[orderId] = traceIds;
      const spans = spansOf(traceIds.flatMap((t) => this.trace(t)));
      writeFileSync(path.join(this.dir, `${safeFileName(orderId)}.mmd`), journeyMermaid(orderId, traceIds, callsOf(spans)));
    }
    writeFileSync(path.join(this.dir, ORDER_INDEX), `${JSON.stringify(index, null, 2)}\n`);
    const all = spansOf(this.traceIds.flatMap((t) => this.trace(t)));
    writeFileSync(path.join(this.dir, "..", "service-map.mmd"), serviceMapMermaid(callsOf(all)));
  }

  /** Closes the daemon's socket after a last write. */
  async stop(): Promise<void> {
    this.write();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

function outcomeFields(outcome: Outcome): Partial<SegmentDocument> {
  const message = outcome.fault ?? outcome.error;
  return {
    ...(outcome.error ? { error: true } : {}),
    ...(outcome.fault ? { fault: true } : {}),
    ...(outcome.throttle ? { throttle: true, error: true } : {}),
    ...(message ? { cause: { exceptions: [{ message }] } } : {}),
    ...outcome.fields,
  };
}

export function safeFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** An order's timeline from the files of the last run in `dir`; throws naming what is missing. */
export function timelineFromFiles(dir: string, orderId: string): string {
  const indexFile = path.join(dir, ORDER_INDEX);
  if (!existsSync(indexFile)) throw new Error(`no traces in ${dir}: run the local cloud first (they are written when a scenario ends and when it stops)`);
  const index = JSON.parse(readFileSync(indexFile, "utf8")) as Record<string, string[]>;
  const traceIds = index[orderId];
  if (!traceIds) {
    const known = Object.keys(index);
    throw new Error(`no trace names order ${orderId} in ${dir}${known.length > 0 ? `; the last run traced ${known.length} order(s), e.g. ${known.slice(0, 3).join(", ")}` : ""}`);
  }
  const docs = traceIds.flatMap((t) => {
    const file = path.join(dir, `${t}.json`);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as { segments: SegmentDocument[] }).segments : [];
  });
  return journeyTimeline(orderId, traceIds, callsOf(spansOf(docs)));
}
