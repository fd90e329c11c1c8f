import { z } from "zod";
import { EMAIL_RECIPIENTS_RULE, isEmailRecipients, isSmsRecipients, SMS_RECIPIENTS_RULE } from "../handlers/notifications/recipients";
import type { StackKind } from "./environments";

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const logRetentionDays = z
  .number()
  .int()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} days`,
  });

const apiClientLimits = z.strictObject({
  rateLimit: z.number().positive().max(10000),
  burstLimit: z.number().int().min(1).max(5000),
  dailyQuota: z.number().int().min(1),
});

/**
 * The environment's settings: `orderflow:<key>` in `Pulumi.<env>.yaml`, exported by the platform stack as `settings` for
 * every domain stack of the environment.
 */
export const environmentSettingsSchema = z.strictObject({
  /** Pulumi organization that owns the stacks, for StackReferences. */
  org: z.string().min(1).default("organization"),
  /** Retention of every log group (functions, saga, pipes, API access logs). */
  logRetentionDays: logRetentionDays.default(30),
  /** Point-in-time recovery on every table. */
  pointInTimeRecovery: z.boolean().default(true),
  /** Deletion protection on every table. */
  deletionProtection: z.boolean().default(false),
  /** Where alarms are emailed; none means alarms go only to the alarm topic. */
  alarmEmail: z.email().optional(),
  /**
   * Reserved concurrency of each function, or `none` (also the default) to leave functions on the account's unreserved
   * pool; `none` in a domain's file undoes the environment's reservation there. Lambda keeps 100 of the account's quota
   * unreserved, and a new account's quota (10) admits no reservation at all: `orderflow up` checks the account first.
   */
  reservedConcurrency: z
    .union([z.number().int().min(1).max(1000), z.literal("none")], { error: 'expected a number of executions from 1 to 1000, or "none" for no reservation' })
    .optional(),
  /** Days the bus archive keeps events for replay. */
  archiveRetentionDays: z.number().int().min(1).max(3650).default(30),
  /** Log level of every function (Powertools). */
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  /**
   * Where the label worker's tasks run: `private` (a VPC of its own, private subnets, one NAT gateway) or `default` (the
   * account's default VPC with public IPs, no NAT: cheaper, but many organizations delete default VPCs, and then the
   * service cannot start; `orderflow up` checks that the account has one).
   */
  labelWorkerVpc: z.enum(["default", "private"]).default("private"),
  /** How many label-worker tasks (Fargate) run: at least `min`, scaled out with the labels queue's backlog up to `max`. */
  labelWorkerTasks: z
    .strictObject({ min: z.number().int().min(1).max(100), max: z.number().int().min(1).max(100) })
    .refine((t) => t.min <= t.max, { message: "`min` must not exceed `max`" })
    .default({ min: 1, max: 2 }),
  /** API Gateway stage throttling: steady requests per second and burst. */
  apiThrottle: z
    .strictObject({ rateLimit: z.number().positive().max(10000), burstLimit: z.number().int().min(1).max(5000) })
    .default({ rateLimit: 50, burstLimit: 100 }),
  /** How customers sign in (the orders stack's Cognito user pool and the storefront's app client). */
  identity: z
    .strictObject({
      /** Whether customers may sign themselves up; otherwise the back office creates them. */
      selfSignUp: z.boolean().default(false),
      /** Whether the pool refuses deletion (it holds every customer and their password); off only where customers are test data. */
      deletionProtection: z.boolean().default(true),
      /** Cognito threat protection: OFF keeps the pool on the Essentials plan; AUDIT and ENFORCED need the Plus plan (billed per user). */
      threatProtection: z.enum(["OFF", "AUDIT", "ENFORCED"]).default("OFF"),
      /** Minutes the storefront's access and ID tokens live (Cognito allows 5 to 1440). */
      accessTokenMinutes: z.number().int().min(5).max(1440).default(15),
      /** Where the hosted UI may send a signed-in customer back: https URLs, or http://localhost while developing. */
      callbackUrls: z
        .array(z.url().refine((u) => u.startsWith("https://") || /^http:\/\/localhost(:\d+)?(\/|$)/.test(u), { message: "Cognito accepts only https URLs, or http://localhost" }))
        .min(1)
        .default(["http://localhost:3000/"]),
    })
    .prefault({}),
  /**
   * What the environment may cost (`orderflow cost`, and the preview's summary): at most this many dollars per order
   * (measured on the local cloud, its costliest path) and per month whether or not anyone orders. Unset: no budget.
   */
  costBudget: z
    .strictObject({ maxPerOrderUsd: z.number().positive().optional(), maxFixedMonthlyUsd: z.number().positive().optional() })
    .optional(),
  /** Each API client's own limits (its API key's usage plan): steady requests per second, burst, requests per day. */
  apiClients: z
    .strictObject({ storefront: apiClientLimits, backOffice: apiClientLimits })
    .default({ storefront: { rateLimit: 20, burstLimit: 40, dailyQuota: 50_000 }, backOffice: { rateLimit: 5, burstLimit: 10, dailyQuota: 10_000 } }),
});
export type EnvironmentSettings = z.infer<typeof environmentSettingsSchema>;

const required = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? `is required: ${what}` : undefined) });

/** How customers are notified: no default, so every environment says where its emails and texts go. */
export const notificationSettingsSchema = z.strictObject({
  email: z.strictObject(
    {
      /** The SES identity the notifications stack manages: a domain (verified through DKIM) or one address. */
      identity: z.string().regex(/^(?:[^\s@]+@)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lowercase domain such as \"mail.example.com\" or an email address"),
      /** The From address: the identity's address, or an address of the identity's domain. */
      from: z.email(),
      /** The display name in From. */
      fromName: z.string().regex(/^[A-Za-z0-9 .,'&()-]{1,64}$/, "must be 1 to 64 letters, digits, spaces and . , ' & ( ) -").optional(),
      /** "customers", or a mailbox simulator address that receives every email instead (works in the SES sandbox). */
      recipients: z.string().refine(isEmailRecipients, { message: `must be ${EMAIL_RECIPIENTS_RULE}` }),
    },
    required("the SES identity, From address and recipients of the customers' emails"),
  ).refine((e) => (e.identity.includes("@") ? e.from.toLowerCase() === e.identity.toLowerCase() : e.from.toLowerCase().endsWith(`@${e.identity}`)), {
    message: "must be the identity's address, or an address @ the identity's domain: SES sends only from a verified identity",
    path: ["from"],
  }),
  sms: z.strictObject(
    {
      /** "simulator" (a US simulator number the stack requests), or the ARN of a registered phone number, pool or sender ID. */
      originationIdentity: z.string().regex(/^(simulator|arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool|sender-id)\/\S+)$/, '"simulator", or the ARN of a phone number, pool or sender ID (arn:aws:sms-voice:<region>:<account>:phone-number/...)'),
      /** "customers", or a simulator destination number that receives every text instead. */
      recipients: z.string().refine(isSmsRecipients, { message: `must be ${SMS_RECIPIENTS_RULE}` }),
    },
    required("the origination identity and recipients of the customers' texts"),
  ).refine((s) => s.originationIdentity !== "simulator" || s.recipients !== "customers", {
    message: "a simulator origination number reaches only simulator destination numbers: set a simulator number here, or a registered origination identity",
    path: ["recipients"],
  }),
});
export type NotificationSettings = z.infer<typeof notificationSettingsSchema>;

/** Settings only some domains have, set in `Pulumi.<env>.<domain>.yaml`. */
const domainOnlySchemas = {
  payments: z.strictObject({
    /** The simulated payment provider declines any charge above this amount (in minor units, e.g. cents). */
    paymentDeclineAbove: z.number().int().positive().default(100_000),
  }),
  notifications: notificationSettingsSchema,
} as const;

/** A domain's config: its own keys, plus any environment setting it overrides. */
export function domainSettingsSchema(kind: StackKind) {
  const own = (domainOnlySchemas as Record<string, z.ZodObject>)[kind] ?? z.strictObject({});
  return environmentSettingsSchema.partial().extend(own.shape).strict();
}

/** Config was rejected; the message names each key, the value and what is allowed. */
export class SettingsError extends Error {
  constructor(source: string, problems: string[]) {
    super(`Invalid settings in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

const NAMESPACE = "orderflow";

/**
 * Reads the `orderflow:*` keys of a stack's config (strings as Pulumi passes them; typed YAML values arrive as their JSON
 * text) and validates them. Unknown keys, wrong types and out-of-range values fail together, each named.
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  rawConfig: Record<string, string>,
  source: string,
): z.infer<S> {
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(rawConfig)) {
    const [ns, ...rest] = key.split(":");
    if (ns !== NAMESPACE) continue;
    values[rest.join(":").replace(/^config\./, "")] = parseValue(raw);
  }
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  throw new SettingsError(source, result.error.issues.map((issue) => describeIssue(issue, values, schema)));
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function describeIssue(issue: z.core.$ZodIssue, values: Record<string, unknown>, schema: z.ZodType): string {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => unknownKey([...issue.path, k], values, schema)).join("\n  - ");
  }
  const key = `${NAMESPACE}:${issue.path.join(".")}`;
  const received = valueAt(values, issue.path);
  return `${key} = ${JSON.stringify(received)}: ${issue.message}`;
}

// An unknown key is a typo, or a domain's setting put in another stack's file: say which, and what this file takes.
function unknownKey(path: PropertyKey[], values: Record<string, unknown>, schema: z.ZodType): string {
  const key = `${NAMESPACE}:${path.join(".")}`;
  const received = JSON.stringify(valueAt(values, path));
  const owner = Object.entries(domainOnlySchemas).find(([, own]) => path.length === 1 && String(path[0]) in own.shape)?.[0];
  if (owner) return `${key} (${received}) is a setting of the ${owner} domain: set it in Pulumi.<env>.${owner}.yaml`;
  const known = path.length === 1 && schema instanceof z.ZodObject ? Object.keys(schema.shape).sort() : [];
  return `${key} (${received}) is not a setting orderflow knows; check its spelling${known.length > 0 ? `. Settings here: ${known.join(", ")}` : ""}`;
}

function valueAt(values: Record<string, unknown>, path: PropertyKey[]): unknown {
  let current: unknown = values;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
