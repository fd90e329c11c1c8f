import { json, num, obj, str, stringRecord, type GraphResources, type Origin } from "../../graph/resources";
import { GraphError } from "../../graph/errors";

export interface BusSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly policy?: unknown;
}

export interface RuleSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly pattern: Record<string, unknown>;
  readonly enabled: boolean;
  readonly targets: readonly RuleTargetSpec[];
}

export interface RuleTargetSpec extends Origin {
  readonly id: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: { readonly inputPaths?: Readonly<Record<string, string>>; readonly inputTemplate: string };
  /** RetryPolicy: AWS's defaults are 185 attempts and 24 hours. */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn?: string;
  readonly roleArn?: string;
  readonly messageGroupId?: string;
}

/** The graph's event buses, with the policy their EventBusPolicy attaches. */
export function readBuses(graph: GraphResources): BusSpec[] {
  const { of, origin, out } = graph;
  const busPolicies = new Map(of("aws:cloudwatch/eventBusPolicy:EventBusPolicy").map(({ r }) => [String(r.inputs.eventBusName ?? "default"), json(r.inputs.policy)]));
  return of("aws:cloudwatch/eventBus:EventBus").map(({ stack, r }) => {
    const name = String(out(r).name);
    return { ...origin(stack, r), name, arn: String(out(r).arn), ...(busPolicies.has(name) ? { policy: busPolicies.get(name) } : {}) };
  });
}

/** The graph's pattern rules, each with its targets. */
export function readRules(graph: GraphResources): RuleSpec[] {
  const { of, origin, out } = graph;
  const targetsByRule = new Map<string, RuleTargetSpec[]>();
  for (const { stack, r } of of("aws:cloudwatch/eventTarget:EventTarget")) {
    const i = r.inputs;
    const key = `${String(i.eventBusName ?? "default")}/${String(i.rule)}`;
    const retry = obj(i.retryPolicy);
    const transformer = obj(i.inputTransformer);
    const list = targetsByRule.get(key) ?? [];
    list.push({
      ...origin(stack, r),
      id: String(out(r).targetId ?? i.targetId),
      arn: String(i.arn),
      ...(str(i.input) ? { input: str(i.input) } : {}),
      ...(str(i.inputPath) ? { inputPath: str(i.inputPath) } : {}),
      ...(str(transformer.inputTemplate)
        ? { inputTransformer: { inputPaths: stringRecord(transformer.inputPaths), inputTemplate: String(transformer.inputTemplate) } }
        : {}),
      // EventBridge's retry defaults: 185 attempts over 24 hours (PutTargets API reference, RetryPolicy).
      maximumRetryAttempts: num(retry.maximumRetryAttempts) ?? 185,
      maximumEventAgeSeconds: num(retry.maximumEventAgeInSeconds) ?? 86400,
      ...(str(obj(i.deadLetterConfig).arn) ? { deadLetterArn: str(obj(i.deadLetterConfig).arn) } : {}),
      ...(str(i.roleArn) ? { roleArn: str(i.roleArn) } : {}),
      ...(str(obj(i.sqsTarget).messageGroupId) ? { messageGroupId: str(obj(i.sqsTarget).messageGroupId) } : {}),
    });
    targetsByRule.set(key, list);
  }
  return of("aws:cloudwatch/eventRule:EventRule").map(({ stack, r }) => {
    const i = r.inputs;
    const name = String(out(r).name);
    const busName = String(i.eventBusName ?? "default");
    const pattern = json(i.eventPattern);
    if (pattern === null || typeof pattern !== "object") throw new GraphError(`Rule ${name} has no event pattern; the local cloud serves pattern rules only (not schedules).`);
    return {
      ...origin(stack, r),
      name,
      arn: String(out(r).arn),
      busName,
      pattern: pattern as Record<string, unknown>,
      enabled: i.state === undefined ? i.isEnabled !== false : i.state === "ENABLED",
      targets: targetsByRule.get(`${busName}/${name}`) ?? [],
    };
  });
}
