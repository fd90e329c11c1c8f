import * as AWSXRay from "aws-xray-sdk-core";

// X-Ray outside Lambda: nothing opens a segment for us, so each message gets its own, continuing the trace of the
// producer that sent it (SQS carries the AWSTraceHeader system attribute), and the captured SDK clients add their
// calls to it as subsegments. Segments go over UDP to the daemon sidecar at AWS_XRAY_DAEMON_ADDRESS.

/** Per-message tracing: captured clients, and a segment around each message's work. */
export interface Tracing {
  capture<C extends { middlewareStack: unknown }>(client: C): C;
  /** Runs `work` inside a new segment named `name`, continuing `traceHeader` when given; closes it with the outcome. */
  inSegment<T>(name: string, traceHeader: string | undefined, annotations: Record<string, string>, work: () => Promise<T>): Promise<T>;
}

/** Tracing through the daemon at `daemonAddress` (host:port). */
export function xrayTracing(daemonAddress: string): Tracing {
  AWSXRay.setDaemonAddress(daemonAddress);
  // Sampling decisions come from the producer's trace header, or from the SDK's local rules: the task role has no
  // xray:GetSampling* permissions, so the centralized rules would only log access errors.
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.setContextMissingStrategy("LOG_ERROR");
  return {
    capture: (client) => AWSXRay.captureAWSv3Client(client as never) as typeof client,
    inSegment(name, traceHeader, annotations, work) {
      const trace = AWSXRay.utils.processTraceData(traceHeader);
      const segment = new AWSXRay.Segment(name, trace.root ?? null, trace.parent ?? null);
      if (trace.sampled === "0") segment.notTraced = true;
      for (const [key, value] of Object.entries(annotations)) segment.addAnnotation(key, value);
      return AWSXRay.getNamespace().runAndReturn(async () => {
        AWSXRay.setSegment(segment);
        try {
          const result = await work();
          segment.close();
          return result;
        } catch (error) {
          segment.close(error as Error);
          throw error;
        }
      });
    },
  };
}

/** No tracing (no daemon configured): clients as they are, work run as it is. */
export const noTracing: Tracing = {
  capture: (client) => client,
  inSegment: (_name, _traceHeader, _annotations, work) => work(),
};
