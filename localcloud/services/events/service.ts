import type { XRayService, OpenSegment } from "../xray/service";
import { randomUUID } from "node:crypto";
import type { Activity } from "../../kernel/activity";
import type { Clock } from "../../kernel/clock";
import type { RequestContext } from "../../endpoint/endpoint";
import { compileEventPattern, type CompiledEventPattern } from "../../matching/event-pattern-matcher";
import type { BusSpec, RuleSpec, RuleTargetSpec } from "./spec";
import { compileInputTransformer, type CompiledInputTransformer } from "./input-transformer";
import { evaluateJsonPath } from "../../matching/json-path";
import type { Delivery, DeliveryFailure } from "../../kernel/delivery";
import { chunksOf64KiB, putEventsEntrySize } from "../../kernel/usage";
import { deadLetterErrorCode } from "./dead-letter-code";
import { eventsErrors } from "./errors";

/** An event as EventBridge delivers it to targets (EventBridge user guide, "Amazon EventBridge events"). */
export interface EventEnvelope {
  readonly version: "0";
  readonly id: string;
  readonly "detail-type": string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** One PutEvents entry, as the API takes it. */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
  readonly Time?: string | number;
  readonly TraceHeader?: string;
}

/** Errors EventBridge does not retry: the target is gone or may not be called; straight to the dead-letter queue. */
const NOT_RETRIED = new Set(["ResourceNotFoundException", "QueueDoesNotExist", "NotFoundException", "AccessDenied", "AccessDeniedException", "KMSAccessDeniedException", "InvalidParameterValue"]);

/**
 * EventBridge for the environment's buses: PutEvents (the SDK's `AWSEvents.PutEvents`, JSON 1.1), rules matched with
 * their event patterns, and delivery to each matching rule's targets with the target's input (constant, input path or
 * input transformer), its retry policy (exponential backoff up to the attempts and age it sets) and its dead-letter
 * queue. Errors EventBridge does not retry (a missing target, a denied call) go straight to the dead-letter queue.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 */
export class EventBridgeService {
  readonly contentType = "application/x-amz-json-1.1";
  private readonly pending = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  /** Events put, per bus name. */
  readonly received = new Map<string, EventEnvelope[]>();
  private readonly patterns = new Map<RuleSpec, CompiledEventPattern>();
  private readonly transformers = new Map<RuleTargetSpec, CompiledInputTransformer>();

  constructor(
    private readonly buses: readonly BusSpec[],
    private readonly rules: readonly RuleSpec[],
    private readonly cloud: { account: string; region: string },
    private readonly delivery: Delivery,
    private readonly clock: Clock,
    private readonly activity: Activity,
    /** Where deliveries of traced events record their segments. */
    private readonly xray?: XRayService,
  ) {
    // Patterns and transformers are checked once, as PutRule and PutTargets check them.
    for (const rule of rules) {
      this.patterns.set(rule, compileEventPattern(rule.pattern));
      for (const target of rule.targets) if (target.inputTransformer) this.transformers.set(target, compileInputTransformer(target.inputTransformer));
    }
  }

  async call(action: string, input: Record<string, unknown>, context: RequestContext): Promise<Record<string, unknown>> {
    if (action !== "PutEvents") throw eventsErrors.UnknownOperationException(`The local cloud does not serve EventBridge ${action}.`);
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw eventsErrors.ValidationException(`1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 and greater than or equal to 1`);
    }
    const results = entries.map((entry) => this.put(entry as PutEventsEntry, context.traceHeader, context.principal));
    return { FailedEntryCount: results.filter((r) => "ErrorCode" in r).length, Entries: results };
  }

  /** Puts one entry on its bus (from the API, or from a bus target); answers as a PutEvents result entry. */
  put(entry: PutEventsEntry, traceHeader?: string, source = "a caller"): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    const busRef = entry.EventBusName ?? "default";
    const bus = this.buses.find((b) => b.name === busRef || b.arn === busRef);
    if (!bus) return { ErrorCode: "ResourceNotFoundException", ErrorMessage: `Event bus ${busRef} does not exist.` };
    for (const field of ["Source", "DetailType", "Detail"] as const) {
      if (typeof entry[field] !== "string" || entry[field]!.length === 0) return { ErrorCode: "InvalidArgument", ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.` };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail!);
    } catch {
      return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    }
    if (detail === null || typeof detail !== "object" || Array.isArray(detail)) return { ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." };
    const event: EventEnvelope = {
      version: "0",
      id: randomUUID(),
      "detail-type": entry.DetailType!,
      source: entry.Source!,
      account: this.cloud.account,
      time: timeOf(entry.Time),
      region: this.cloud.region,
      resources: entry.Resources ?? [],
      detail,
    };
    const trace = entry.TraceHeader ?? traceHeader;
    // Each 64 KB chunk of an entry is one custom event (https://aws.amazon.com/eventbridge/pricing/).
    this.activity.meter({ "events.customEvents": chunksOf64KiB(putEventsEntrySize(entry)) });
    const list = this.received.get(bus.name) ?? [];
    list.push(event);
    this.received.set(bus.name, list);
    const matched = this.rules.filter((r) => r.enabled && (r.busName === bus.name || r.busName === bus.arn) && this.patterns.get(r)!.matches(event));
    this.activity.record({
      service: "events",
      kind: "put",
      name: bus.component,
      detail: `event ${event["detail-type"]} (source ${event.source}) from ${source}; ${matched.length === 0 ? "no rule matched" : `matched ${matched.length === 1 ? "rule" : "rules"} ${matched.map(ruleLabel).join(", ")}`}`,
      traceId: trace,
    });
    const ingestionTime = new Date();
    for (const rule of matched) for (const target of rule.targets) this.track(this.deliver(rule, target, event, trace, ingestionTime));
    return { EventId: event.id };
  }

  /** Waits until every delivery started so far has succeeded or reached its dead-letter queue. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopping.abort();
  }

  private track(delivery: Promise<void>): void {
    const p = delivery.finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * EventBridge passes a trace on only when PutEvents carried one (the entry's TraceHeader, else the request's
   * X-Amzn-Trace-Id), and starts none: the delivery records a segment for the bus with a subsegment per attempt, and
   * the target receives the header with that subsegment as Parent.
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-related-service-xray.html
   */
  private async deliver(rule: RuleSpec, target: RuleTargetSpec, event: EventEnvelope, traceId: string | undefined, ingestionTime: Date): Promise<void> {
    const trace = this.xray?.begin(rule.busName.split("/").pop()!, "AWS::Events", traceId, { startTrace: false, fields: { aws: { rule: rule.name, event_id: event.id } } });
    try {
      await this.deliverTraced(rule, target, event, traceId, ingestionTime, trace);
    } finally {
      trace?.end();
    }
  }

  private async deliverTraced(rule: RuleSpec, target: RuleTargetSpec, event: EventEnvelope, traceId: string | undefined, ingestionTime: Date, trace: OpenSegment | undefined): Promise<void> {
    const started = this.clock.now();
    let attempts = 0;
    let backoff = 1;
    let payload: string;
    try {
      payload = this.inputFor(rule, target, event, ingestionTime);
    } catch (error) {
      return this.deadLetter(rule, target, event, { code: "InvalidInputTransformer", message: (error as Error).message, retryable: false }, 0, traceId);
    }
    for (;;) {
      if (this.stopping.signal.aborted) return;
      const call = trace?.subsegment(serviceOf(target.arn), { namespace: "aws", aws: { operation: `rule ${rule.name}`, resource: resourceName(target.arn) } });
      const failure = await this.delivery.deliver(target.arn, payload, {
        traceId: trace && call ? trace.header(call.id) : traceId,
        source: `rule ${ruleLabel(rule)}`,
        principal: target.roleArn ?? "events.amazonaws.com",
        sourceArn: rule.arn,
        ...(target.messageGroupId ? { messageGroupId: target.messageGroupId } : {}),
      });
      call?.end(failure ? { error: `${failure.code}: ${failure.message}` } : {});
      if (!failure) {
        this.activity.record({ service: "events", kind: "deliver", name: ruleLabel(rule), detail: `delivered to ${target.arn.split(":").pop()}`, traceId });
        return;
      }
      attempts++;
      const retryable = failure.retryable && !NOT_RETRIED.has(failure.code);
      const ageExceeded = this.clock.now() - started >= this.clock.ms(target.maximumEventAgeSeconds);
      if (!retryable || attempts > target.maximumRetryAttempts || ageExceeded) {
        return this.deadLetter(rule, target, event, failure, attempts - 1, traceId, !retryable ? undefined : ageExceeded ? "MaximumEventAgeInSeconds" : "MaximumRetryAttempts");
      }
      this.activity.record({ service: "events", kind: "retry", name: ruleLabel(rule), detail: `delivery to ${target.arn.split(":").pop()} failed (${failure.code}); retry ${attempts}`, error: true, traceId });
      // Exponential backoff with full jitter, from 1 s up to 5 minutes between attempts (scaled).
      await this.clock.sleep(Math.random() * backoff, this.stopping.signal);
      backoff = Math.min(backoff * 2, 300);
    }
  }

  /** The target's input: its constant Input, the part of the event at InputPath, its input transformer, or the event. */
  private inputFor(rule: RuleSpec, target: RuleTargetSpec, event: EventEnvelope, ingestionTime: Date): string {
    if (target.input !== undefined) return target.input;
    const transformer = this.transformers.get(target);
    if (transformer) return transformer.transform(event, { ruleName: rule.name, ruleArn: rule.arn, ingestionTime });
    if (target.inputPath !== undefined) return JSON.stringify(evaluateJsonPath(target.inputPath, event) ?? null);
    return JSON.stringify(event);
  }

  /**
   * The event, with why it failed, on the target's dead-letter queue; dropped when the target has none, as EventBridge
   * drops it. "Each message in your DLQ will include the following custom attributes" (rule DLQ page,
   * https://docs.aws.amazon.com/eventbridge/latest/userguide/rule-dlq.html): RULE_ARN, TARGET_ARN, ERROR_CODE (one of
   * EventBridge's codes, see dead-letter-code.ts), ERROR_MESSAGE, RETRY_ATTEMPTS (0 for an error not retried) and,
   * when the retry policy ran out, EXHAUSTED_RETRY_CONDITION naming the limit reached by its RetryPolicy field,
   * MaximumRetryAttempts or MaximumEventAgeInSeconds (the values EventBridge Scheduler documents for the same
   * attribute, https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html).
   */
  private async deadLetter(rule: RuleSpec, target: RuleTargetSpec, event: EventEnvelope, failure: DeliveryFailure, retries: number, traceId: string | undefined, exhausted?: string): Promise<void> {
    const where = target.deadLetterArn ? `sent to its dead-letter queue ${target.deadLetterArn.split(":").pop()}` : "dropped (the target has no dead-letter queue)";
    this.activity.record({ service: "events", kind: "dead-letter", name: ruleLabel(rule), detail: `event ${event.id} for ${target.arn.split(":").pop()} ${where}: ${failure.code}: ${failure.message}`, error: true, traceId });
    if (!target.deadLetterArn) return;
    const attribute = (value: string) => ({ DataType: "String", StringValue: value });
    const failed = await this.delivery.deliver(target.deadLetterArn, JSON.stringify(event), {
      traceId,
      source: `rule ${ruleLabel(rule)} (dead letter)`,
      principal: "events.amazonaws.com",
      sourceArn: rule.arn,
      messageAttributes: {
        RULE_ARN: attribute(rule.arn),
        TARGET_ARN: attribute(target.arn),
        ERROR_CODE: attribute(deadLetterErrorCode(failure)),
        ERROR_MESSAGE: attribute(`${failure.code}: ${failure.message}`),
        RETRY_ATTEMPTS: attribute(String(retries)),
        ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attribute(exhausted) } : {}),
      },
    });
    if (failed) this.activity.record({ service: "events", kind: "lost", name: ruleLabel(rule), detail: `event ${event.id} lost: its dead-letter queue refused it (${failed.code}: ${failed.message})`, error: true, traceId });
  }
}

/**
 * A rule as the program names it (`orderConfirmedToShipping`, its resource's name without the `Rule` suffix): the
 * rules of one bus share their component (the bus), so that name alone would name them all alike.
 */
export function ruleLabel(rule: Pick<RuleSpec, "urn" | "component">): string {
  const parts = rule.urn.split("::");
  return (parts.length > 1 ? parts[parts.length - 1].replace(/Rule$/, "") : "") || rule.component;
}

/** EventBridge's event time: the entry's Time, else now, as an ISO timestamp without milliseconds. */
function timeOf(time: string | number | undefined): string {
  const date = time === undefined ? new Date() : new Date(typeof time === "number" ? time * 1000 : time);
  return (Number.isNaN(date.getTime()) ? new Date() : date).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The service a target's ARN names, as the X-Ray SDK names its subsegments (SQS, SNS, Lambda, SFN, EventBridge). */
export function serviceOf(arn: string): string {
  const service = arn.split(":")[2];
  return ({ sqs: "SQS", sns: "SNS", lambda: "Lambda", states: "SFN", events: "EventBridge" } as Record<string, string>)[service] ?? service;
}

/** The resource's name in its ARN: a queue's or topic's name, a function's, a state machine's, a bus's. */
export function resourceName(arn: string): string {
  const parts = arn.split(":");
  const service = parts[2];
  if (service === "lambda" || service === "states") return parts[6] ?? parts[parts.length - 1];
  return parts[parts.length - 1].split("/").pop()!;
}
