import { EventPatternError } from "../../../components/event-pattern";
import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import { compileEventPattern } from "../../matching/event-pattern-matcher";
import type { BusSpec, RuleSpec, RuleTargetSpec } from "./spec";
import { epochSeconds, page } from "../../endpoint/pagination";
import type { EventBridgeService } from "./service";

type Input = Record<string, unknown>;

/** The fields TestEventPattern requires of an event (LocalStack's AWS-recorded tests: `resources` is not required). */
const MANDATORY_EVENT_FIELDS = ["id", "account", "source", "time", "region", "detail-type"];

/**
 * The EventBridge API (`AWSEvents.<Action>`, JSON 1.1) over the graph's buses and rules: PutEvents on the service
 * itself, the buses, rules and targets as deployed, and TestEventPattern with the same matcher the rules use.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_TestEventPattern.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListTargetsByRule.html
 */
export class EventBridgeApi {
  readonly contentType = "application/x-amz-json-1.1";

  constructor(
    private readonly events: EventBridgeService,
    private readonly buses: readonly BusSpec[],
    private readonly rules: readonly RuleSpec[],
    /** When the buses and rules were "created": the local cloud's start. */
    private readonly createdAt: Date,
  ) {}

  async call(action: string, input: Input, context: RequestContext): Promise<Input> {
    switch (action) {
      case "PutEvents":
        return this.events.call(action, input, context);
      case "ListEventBuses": {
        const prefix = typeof input.NamePrefix === "string" ? input.NamePrefix : "";
        const { items, next } = page(
          this.buses.filter((b) => b.name.startsWith(prefix)),
          { max: input.Limit, token: input.NextToken, limit: 100, error: validation },
        );
        return { EventBuses: items.map((b) => this.bus(b)), ...(next ? { NextToken: next } : {}) };
      }
      case "DescribeEventBus":
        return this.bus(this.busNamed(input.Name));
      case "ListRules": {
        const bus = this.busNamed(input.EventBusName);
        const prefix = typeof input.NamePrefix === "string" ? input.NamePrefix : "";
        const { items, next } = page(
          this.rulesOf(bus).filter((r) => r.name.startsWith(prefix)),
          { max: input.Limit, token: input.NextToken, limit: 100, error: validation },
        );
        return { Rules: items.map((r) => this.rule(r, bus)), ...(next ? { NextToken: next } : {}) };
      }
      case "DescribeRule": {
        const bus = this.busNamed(input.EventBusName);
        return { ...this.rule(this.ruleNamed(input.Name, bus), bus), CreatedBy: this.createdBy(bus) };
      }
      case "ListTargetsByRule": {
        const bus = this.busNamed(input.EventBusName);
        const rule = this.ruleNamed(input.Rule, bus);
        const { items, next } = page(rule.targets, { max: input.Limit, token: input.NextToken, limit: 100, error: validation });
        return { Targets: items.map(target), ...(next ? { NextToken: next } : {}) };
      }
      case "TestEventPattern":
        return { Result: testEventPattern(input.EventPattern, input.Event) };
      default:
        throw new AwsError("UnknownOperationException", `The local cloud does not serve EventBridge ${action}.`);
    }
  }

  private busNamed(reference: unknown): BusSpec {
    const name = reference === undefined || reference === null ? "default" : String(reference);
    const bus = this.buses.find((b) => b.name === name || b.arn === name);
    if (!bus) throw new AwsError("ResourceNotFoundException", `Event bus ${name} does not exist.`);
    return bus;
  }

  private rulesOf(bus: BusSpec): RuleSpec[] {
    return this.rules.filter((r) => r.busName === bus.name || r.busName === bus.arn);
  }

  private ruleNamed(reference: unknown, bus: BusSpec): RuleSpec {
    if (typeof reference !== "string" || reference.length === 0) throw validation("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
    const rule = this.rulesOf(bus).find((r) => r.name === reference || r.arn === reference);
    if (!rule) throw new AwsError("ResourceNotFoundException", `Rule ${reference} does not exist on EventBus ${bus.name}.`);
    return rule;
  }

  private bus(bus: BusSpec): Input {
    return {
      Name: bus.name,
      Arn: bus.arn,
      ...(bus.policy !== undefined ? { Policy: typeof bus.policy === "string" ? bus.policy : JSON.stringify(bus.policy) } : {}),
      CreationTime: epochSeconds(this.createdAt),
      LastModifiedTime: epochSeconds(this.createdAt),
    };
  }

  private rule(rule: RuleSpec, bus: BusSpec): Input {
    return { Name: rule.name, Arn: rule.arn, EventPattern: JSON.stringify(rule.pattern), State: rule.enabled ? "ENABLED" : "DISABLED", EventBusName: bus.name };
  }

  /** The account that created the rule: the bus's own (the ARN's account field). */
  private createdBy(bus: BusSpec): string {
    return bus.arn.split(":")[4] ?? "";
  }
}

/** A target as ListTargetsByRule reports it: its input, retry policy and dead-letter queue as deployed. */
function target(t: RuleTargetSpec): Input {
  return {
    Id: t.id,
    Arn: t.arn,
    ...(t.roleArn ? { RoleArn: t.roleArn } : {}),
    ...(t.input !== undefined ? { Input: t.input } : {}),
    ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
    ...(t.inputTransformer ? { InputTransformer: { ...(t.inputTransformer.inputPaths ? { InputPathsMap: t.inputTransformer.inputPaths } : {}), InputTemplate: t.inputTransformer.inputTemplate } } : {}),
    ...(t.messageGroupId ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
    ...(t.deadLetterArn ? { DeadLetterConfig: { Arn: t.deadLetterArn } } : {}),
    RetryPolicy: { MaximumRetryAttempts: t.maximumRetryAttempts, MaximumEventAgeInSeconds: t.maximumEventAgeSeconds },
  };
}

/**
 * TestEventPattern: the pattern checked as PutRule checks it (InvalidEventPatternException naming each problem), the
 * event as EventBridge requires one (a JSON object with its envelope's fields; ValidationException otherwise), then
 * matched with the rules' own matcher.
 */
export function testEventPattern(pattern: unknown, event: unknown): boolean {
  if (typeof pattern !== "string" || pattern.length === 0) throw validation("1 validation error detected: Value null at 'eventPattern' failed to satisfy constraint: Member must not be null");
  if (typeof event !== "string" || event.length === 0) throw validation("1 validation error detected: Value null at 'event' failed to satisfy constraint: Member must not be null");
  let compiled;
  try {
    compiled = compileEventPattern(pattern);
  } catch (error) {
    if (error instanceof EventPatternError) throw new AwsError("InvalidEventPatternException", `Event pattern is not valid. Reason: ${error.message}`);
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(event);
  } catch {
    throw validation("Parameter Event is not valid.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw validation("Parameter Event is not valid.");
  const missing = MANDATORY_EVENT_FIELDS.filter((field) => !(field in parsed));
  if (missing.length > 0) throw validation(`Parameter Event is not valid. Reason: the event has no ${missing.join(", ")} (an event needs ${MANDATORY_EVENT_FIELDS.join(", ")}).`);
  return compiled.matches(parsed);
}

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}
