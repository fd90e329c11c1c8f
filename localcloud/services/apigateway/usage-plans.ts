import { randomInt } from "node:crypto";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { TokenBucket } from "./token-bucket";

// API keys and usage plans of one REST API stage, as API Gateway applies them to a method with `apiKeyRequired`:
// - the key comes in the `x-api-key` header (the API's default key source, HEADER); no key, an unknown key, a disabled
//   key, or a key of no usage plan bound to this stage answers 403 `{"message":"Forbidden"}` ("If you forget to set the
//   x-api-key header or set it with an incorrect key, you get a 403 Forbidden response").
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-usage-plan-test-with-postman.html
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html
// - each key is throttled to its plan's rate and burst (a token bucket per key, applied before the stage's), 429
//   "Too Many Requests" (THROTTLED), and counted against the plan's quota per period, 429 "Limit Exceeded"
//   (QUOTA_EXCEEDED). https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
//   https://repost.aws/knowledge-center/api-gateway-429-limit
// - an API key's value is made by API Gateway when the program sets none: the local cloud makes one per run, 40
//   letters and digits (values are 20 to 128 alphanumeric characters), or uses the program's `value`.
//   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html
// Limits are real time, whatever the local cloud's time scale: a rate is a promise to callers, not a configured wait.
// Not emulated: per-method throttles inside a plan (`apiStages[].throttles`), the quota's `offset`, and API keys
// returned by a Lambda authorizer (key source AUTHORIZER).

const API_KEY = "aws:apigateway/apiKey:ApiKey";
const USAGE_PLAN = "aws:apigateway/usagePlan:UsagePlan";
const USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey";

export interface UsagePlanLimits {
  readonly id: string;
  readonly name: string;
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly quota?: { readonly limit: number; readonly period: "DAY" | "WEEK" | "MONTH" };
}

/** An API key of a usage plan bound to the stage. */
export interface StageApiKey {
  /** The key's id (what `aws apigateway get-api-key --api-key <id>` takes, and the stacks export). */
  readonly id: string;
  /** The key's logical name in the program (`ordersStorefrontApiKey`). */
  readonly name: string;
  /** The program's own `value`, if it sets one; otherwise one is made per run. */
  readonly value?: string;
  readonly enabled: boolean;
  readonly plan: UsagePlanLimits;
}

/** The API keys the stage's usage plans hold, with their plans' limits. */
export function stageApiKeysFromGraph(resources: readonly RecordedResource[], restApiId: string, stageName: string): StageApiKey[] {
  const plans = resources
    .filter((r) => r.type === USAGE_PLAN)
    .filter((plan) => list<{ apiId?: unknown; stage?: unknown }>(plan.inputs.apiStages).some((s) => s.apiId === restApiId && s.stage === stageName));
  return plans.flatMap((plan) => {
    const limits = planLimits(plan);
    return resources
      .filter((r) => r.type === USAGE_PLAN_KEY && r.inputs.usagePlanId === limits.id && (r.inputs.keyType ?? "API_KEY") === "API_KEY")
      .map((link) => resources.find((r) => r.type === API_KEY && idOf(r) === link.inputs.keyId))
      .filter((key): key is RecordedResource => key !== undefined)
      .map((key) => ({
        id: idOf(key),
        name: key.name,
        ...(typeof key.inputs.value === "string" ? { value: key.inputs.value } : {}),
        enabled: key.inputs.enabled !== false,
        plan: limits,
      }));
  });
}

function planLimits(plan: RecordedResource): UsagePlanLimits {
  const throttle = (plan.inputs.throttleSettings ?? {}) as { rateLimit?: unknown; burstLimit?: unknown };
  const quota = (plan.inputs.quotaSettings ?? {}) as { limit?: unknown; period?: unknown };
  return {
    id: idOf(plan),
    name: plan.name,
    // API Gateway needs both to throttle a plan; a rate alone has a burst of 0 and admits nothing.
    ...(typeof throttle.rateLimit === "number" && typeof throttle.burstLimit === "number" ? { throttle: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit } } : {}),
    ...(typeof quota.limit === "number" && (quota.period === "DAY" || quota.period === "WEEK" || quota.period === "MONTH") ? { quota: { limit: quota.limit, period: quota.period } } : {}),
  };
}

/** Why a request with an API key is not let through: the gateway response type, its status and its message. */
export interface KeyRefusal {
  readonly type: "INVALID_API_KEY" | "THROTTLED" | "QUOTA_EXCEEDED";
  readonly status: 403 | 429;
  readonly message: string;
  /** Why, for the local activity log; never sent. */
  readonly reason: string;
}

export type KeyAdmission = { readonly admitted: true; readonly key: StageApiKey & { readonly value: string } } | ({ readonly admitted: false } & KeyRefusal);

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A value as API Gateway generates them: 40 letters and digits. */
export function generateApiKeyValue(): string {
  return Array.from({ length: 40 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
}

/** The stage's keys with their values for this run, each with its own throttle and quota counter. */
export class StageApiKeys {
  readonly keys: readonly (StageApiKey & { readonly value: string })[];
  private readonly byValue = new Map<string, StageApiKey & { readonly value: string }>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly used = new Map<string, { period: string; count: number }>();

  constructor(
    keys: readonly StageApiKey[],
    private readonly now: () => Date = () => new Date(),
  ) {
    this.keys = keys.map((k) => ({ ...k, value: k.value ?? generateApiKeyValue() }));
    for (const key of this.keys) {
      this.byValue.set(key.value, key);
      if (key.plan.throttle) this.buckets.set(key.id, new TokenBucket(key.plan.throttle.rateLimit, key.plan.throttle.burstLimit));
    }
  }

  /** A key by its id, as the stacks export it. */
  byId(id: string): (StageApiKey & { readonly value: string }) | undefined {
    return this.keys.find((k) => k.id === id);
  }

  /** Checks a request's `x-api-key` and takes one request from its plan's throttle and quota. */
  admit(value: string | undefined): KeyAdmission {
    const key = value ? this.byValue.get(value) : undefined;
    if (!key || !key.enabled) {
      return { admitted: false, type: "INVALID_API_KEY", status: 403, message: "Forbidden", reason: !value ? "no x-api-key header" : !key ? "x-api-key names no API key of this stage's usage plans" : `API key ${key.name} is disabled` };
    }
    const bucket = this.buckets.get(key.id);
    if (bucket && !bucket.take()) {
      return { admitted: false, type: "THROTTLED", status: 429, message: "Too Many Requests", reason: `API key ${key.name} exceeded the throttle of usage plan ${key.plan.name} (rate ${bucket.rate}, burst ${bucket.burst})` };
    }
    if (key.plan.quota) {
      const period = periodOf(this.now(), key.plan.quota.period);
      const used = this.used.get(key.id);
      const count = used?.period === period ? used.count : 0;
      if (count >= key.plan.quota.limit) {
        return { admitted: false, type: "QUOTA_EXCEEDED", status: 429, message: "Limit Exceeded", reason: `API key ${key.name} used its quota of usage plan ${key.plan.name} (${key.plan.quota.limit} per ${key.plan.quota.period})` };
      }
      this.used.set(key.id, { period, count: count + 1 });
    }
    return { admitted: true, key };
  }
}

/** The quota period a moment falls in, in UTC: the day, the ISO week's Monday, or the month. */
function periodOf(date: Date, period: "DAY" | "WEEK" | "MONTH"): string {
  const day = date.toISOString().slice(0, 10);
  if (period === "DAY") return day;
  if (period === "MONTH") return day.slice(0, 7);
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - ((date.getUTCDay() + 6) % 7)));
  return `week of ${monday.toISOString().slice(0, 10)}`;
}

function idOf(r: RecordedResource): string {
  return String(r.id ?? r.outputs.id ?? "");
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}
