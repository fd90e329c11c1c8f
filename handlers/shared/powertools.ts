import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { captureLambdaHandler } from "@aws-lambda-powertools/tracer/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

// One logger, tracer and metrics per function, shared by every module of the handler (Powertools' example app does
// the same). Service name, log level and namespace come from POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL and
// POWERTOOLS_METRICS_NAMESPACE, which the Function component sets.

/** Structured JSON logs; `correlation_id` is set per request or record (see `setCorrelationId`). */
export const logger = new Logger();

/** X-Ray through aws-xray-sdk-core; the clients in `clients.ts` are captured by it. */
export const tracer = new Tracer();

/** CloudWatch metrics in the embedded metric format, flushed after each invocation. */
export const metrics = new Metrics();

/** The business metrics, all counts. */
export const METRIC_NAMES = {
  ordersPlaced: "OrdersPlaced",
  paymentsDeclined: "PaymentsDeclined",
  stockShortages: "StockShortages",
  shipmentsCreated: "ShipmentsCreated",
  emailsSent: "EmailsSent",
  /** Emails SES refused for good (rejected content, an invalid address): recorded, not retried. */
  emailsRefused: "EmailsRefused",
  textsSent: "TextsSent",
  /** Texts AWS refused for good (an opted-out or invalid number): recorded, not retried. */
  textsRefused: "TextsRefused",
} as const;

export type MetricName = (typeof METRIC_NAMES)[keyof typeof METRIC_NAMES];

/** Adds 1 (or `value`) to a business metric of this invocation. */
export function count(name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** Tags every following log line with the correlation id of the order being handled (none: the key is dropped). */
export function setCorrelationId(id: string | undefined): void {
  if (id) logger.setCorrelationId(id);
  else logger.removeKeys(["correlation_id"]);
}

/**
 * Wraps a handler in the Powertools middlewares: the Lambda context and a fresh set of keys in every log line,
 * a traced handler segment, and metrics flushed at the end (a cold-start metric included).
 */
export function withPowertools<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler)
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }));
}

/**
 * Runs `work` in a subsegment of its own named `name`, annotated with `orderId`, so the order's traces can be found
 * in X-Ray (`annotation.orderId = "..."`) and each record of a batch shows its own duration and error. Without
 * tracing (outside Lambda, or disabled) it only runs `work`.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/core/tracer/#methods
 */
export function inOrderSubsegment<T>(name: string, orderId: string | undefined, work: () => T): T {
  const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (!parent) return work();
  const subsegment = parent.addNewSubsegment(name);
  if (orderId) subsegment.addAnnotation("orderId", orderId);
  tracer.setSegment(subsegment);
  const close = (error?: unknown) => {
    if (error instanceof Error) subsegment.addError(error);
    subsegment.close();
    tracer.setSegment(parent);
  };
  try {
    const result = work();
    if (result instanceof Promise) {
      return result.then(
        (value: unknown) => (close(), value),
        (error: unknown) => {
          close(error);
          throw error;
        },
      ) as T;
    }
    close();
    return result;
  } catch (error) {
    close(error);
    throw error;
  }
}

/** Annotates the current segment with the order an invocation handles (see `inOrderSubsegment`). */
export function traceOrder(orderId: string): void {
  tracer.putAnnotation("orderId", orderId);
}

/** `jane.doe@example.com` → `j***@example.com`: enough to tell recipients apart in the logs, not to contact them. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  return at <= 0 ? "***" : `${email[0]}***${email.slice(at)}`;
}

/** `+4915112345678` → `***5678`. */
export function maskPhone(phone: string): string {
  return `***${phone.slice(-4)}`;
}
