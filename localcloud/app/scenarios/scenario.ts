import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, paginateScan } from "@aws-sdk/lib-dynamodb";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { StackOutputs } from "../../../stacks/contracts";
import type { StackKind } from "../../../stacks/environments";
import type { LocalCloud } from "../../cloud";
import { safeFileName } from "../../services/xray/service";
import { stepErrors } from "./step-errors";

/** One scripted run through the local cloud, with expectations that must hold. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /**
   * Runs alone, after the scenarios that run side by side: it loads the cloud (many orders, injected faults) enough
   * to hold up what the others wait for. @default false
   */
  readonly alone?: boolean;
  run(context: ScenarioContext): Promise<void>;
}

/** One step of a scenario, as printed. */
export interface StepResult {
  readonly label: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly detail?: string;
  /** When the step failed: the errors the cloud recorded while it ran (denials, function errors, dead letters). */
  readonly errors?: readonly string[];
}

/** What the command line passes to scenarios that take a size or a seed (`--orders`, `--fault-seed`). */
export interface ScenarioOptions {
  /** How many orders a scenario that places many places. */
  readonly orders?: number;
  /** The seed of a scenario's random choices and faults. */
  readonly seed?: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
  readonly ms: number;
  /** How many orders it placed (201 answers). */
  readonly orders: number;
  readonly error?: string;
  /** The traces of the scenario's first order, and its journey's diagram (when it placed one that was traced). */
  readonly trace?: { readonly orderId: string; readonly traceIds: readonly string[]; readonly diagram: string };
}

/** An expectation that did not hold; the message says what was expected and what was found. */
export class ExpectationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpectationFailed";
  }
}

/** What a request carries to say who calls: a bearer token and an API key; either left out is not sent. */
export interface Credentials {
  readonly token?: string;
  readonly apiKey?: string;
}

export interface PlaceOrderOptions {
  /** The Idempotency-Key header. @default a new one */
  readonly key?: string;
  /** The status the POST must answer (after retrying 429s), or the step fails. @default 201 */
  readonly expectStatus?: number;
  /** Who places it. @default the customer the body names, else the scenario's customer, signed in to the storefront */
  readonly as?: Credentials;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/**
 * What a scenario works with: the API (as a signed-in customer unless told otherwise), the tables (through the same
 * SDK the handlers use), and time-aware waits.
 */
export class ScenarioContext {
  readonly steps: StepResult[] = [];
  /** The orders this scenario placed (201 answers), in order. */
  readonly orders: string[] = [];
  /** The scenario's own customer: the `sub` of its access tokens, so its orders are its own. */
  readonly customerId = `customer-${randomUUID().slice(0, 8)}`;
  private readonly db: DynamoDBDocumentClient;
  private readonly sqs: SQSClient;

  constructor(
    readonly cloud: LocalCloud,
    private readonly onStep: (step: StepResult) => void = () => undefined,
    readonly options: ScenarioOptions = {},
  ) {
    const client = { endpoint: cloud.endpointUrl, region: cloud.graph.cloud.region, credentials: cloud.operator };
    this.db = DynamoDBDocumentClient.from(new DynamoDBClient(client));
    this.sqs = new SQSClient(client);
  }

  /** Runs one step; its failure fails the scenario with the step named. */
  async step<T>(label: string, body: () => Promise<T>, detail?: (value: T) => string): Promise<T> {
    const started = Date.now();
    try {
      const value = await body();
      const result = { label, ok: true, ms: Date.now() - started, ...(detail ? { detail: detail(value) } : {}) };
      this.steps.push(result);
      this.onStep(result);
      return value;
    } catch (error) {
      const errors = this.errorsSince(started);
      const result = { label, ok: false, ms: Date.now() - started, detail: (error as Error).message, ...(errors.length > 0 ? { errors } : {}) };
      this.steps.push(result);
      this.onStep(result);
      throw error;
    }
  }

  /** The errors the cloud recorded since `since` that say why a step failed, this scenario's orders' first. */
  private errorsSince(since: number): string[] {
    const traces = this.orders.length > 0 ? this.cloud.xray.orders() : new Map<string, string[]>();
    const traceRoots = new Set(this.orders.flatMap((id) => traces.get(id) ?? []));
    return stepErrors(this.cloud.activity.records, since, { orderIds: this.orders, traceRoots });
  }

  /** A stack's output, by its contract. */
  output<K extends StackKind, O extends keyof StackOutputs<K>>(kind: K, name: O): StackOutputs<K>[O] {
    const stack = this.cloud.stacks.find((s) => s.kind === kind);
    const value = stack?.resolved.outputs[name as string];
    if (value === undefined) throw new ExpectationFailed(`stack ${kind} exports no ${String(name)}`);
    return value as StackOutputs<K>[O];
  }

  /**
   * A customer signed in to the storefront: an access token from the local user pool's issuer (in this process, as
   * SRP sign-in would give it; `sub` is the customer id) and the storefront's API key.
   */
  customer(customerId: string = this.customerId): Credentials {
    return { token: this.cloud.access.issuer().customerAccessToken({ sub: customerId }), apiKey: this.apiKey("storefront") };
  }

  /** The back office (client-credentials grant) with these scopes, and its API key. */
  machine(scopes: readonly string[]): Credentials {
    return { token: this.cloud.access.issuer().machineAccessToken({ clientId: this.output("orders", "backOfficeClientId"), scopes }), apiKey: this.apiKey("backOffice") };
  }

  /** A client's API key value for this run, by the key id the orders stack exports for it. */
  apiKey(client: "storefront" | "backOffice"): string {
    const id = this.output("orders", client === "storefront" ? "storefrontApiKeyId" : "backOfficeApiKeyId");
    const key = this.cloud.access.apiKeys().find((k) => k.id === id);
    if (!key) throw new ExpectationFailed(`no usage plan of the API holds the ${client} API key ${id}`);
    return key.value;
  }

  /** A request to the API, as the scenario's customer unless `as` says who (`{}`: no token, no API key). */
  async request(method: "GET" | "POST", path: string, body?: unknown, headers: Record<string, string> = {}, as: Credentials = this.customer()): Promise<HttpAnswer> {
    const response = await fetch(`${this.cloud.apiUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...(as.token !== undefined ? { authorization: `Bearer ${as.token}` } : {}),
        ...(as.apiKey !== undefined ? { "x-api-key": as.apiKey } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /**
   * Places an order through POST /orders, retrying a throttled request (429) with the same Idempotency-Key; fails
   * unless the answer has the expected status (201 by default), so a step that posts fails on a refusal.
   */
  async placeOrder(order: Record<string, unknown>, options: PlaceOrderOptions = {}): Promise<HttpAnswer> {
    const key = options.key ?? randomUUID();
    const expected = options.expectStatus ?? 201;
    const as = options.as ?? this.customer(typeof order.customerId === "string" ? order.customerId : this.customerId);
    for (let attempt = 0; ; attempt++) {
      const answer = await this.request("POST", "/orders", order, { "Idempotency-Key": key }, as);
      if (answer.status === 429 && attempt < 50 && expected !== 429) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random())));
        continue;
      }
      if (answer.status !== expected) throw new ExpectationFailed(`POST /orders answered ${answer.status}, expected ${expected}: ${JSON.stringify(answer.body)}`);
      if (answer.status === 201 && typeof answer.body.orderId === "string") this.orders.push(answer.body.orderId);
      return answer;
    }
  }

  /** Every item of a table whose attribute `name` equals `value` (a consistent scan: the tables here are small). */
  async itemsWhere(tableName: string, name: string, value: string): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    const pages = paginateScan(
      { client: this.db },
      { TableName: tableName, ConsistentRead: true, FilterExpression: "#name = :value", ExpressionAttributeNames: { "#name": name }, ExpressionAttributeValues: { ":value": value } },
    );
    for await (const page of pages) found.push(...(page.Items ?? []));
    return found;
  }

  /** Every item of a table (a consistent scan, page by page). */
  async scan(tableName: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: this.db }, { TableName: tableName, ConsistentRead: true })) items.push(...(page.Items ?? []));
    return items;
  }

  async item(tableName: string, key: Record<string, string>): Promise<Record<string, unknown> | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /**
   * Polls until `probe` gives a value, or fails after the timeout with what was awaited. The timeout allows for the
   * configured waits on the way (scaled) plus `slackMs` of real work.
   */
  async waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, configuredWaitSeconds = 0, slackMs = 15_000): Promise<T> {
    const deadline = Date.now() + this.cloud.clock.ms(configuredWaitSeconds) + slackMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined && value !== false) return value;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) throw new ExpectationFailed(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ""}`);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  /** Sends a message to a queue through the SQS API, as a producer would; the queue is named by its URL in the graph. */
  async sendToQueue(graphQueueUrl: string, body: string): Promise<string> {
    const url = this.cloud.sqs.localUrlFor(graphQueueUrl);
    if (!url) throw new ExpectationFailed(`no queue has the URL ${graphQueueUrl}`);
    const { MessageId } = await this.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    return MessageId!;
  }

  /** Log lines a function or service wrote that contain every given text. */
  logLines(component: string, ...texts: string[]): string[] {
    return this.cloud.logs(component).filter((line) => texts.every((t) => line.includes(t)));
  }
}

/** Writes the traces recorded so far and names the order's: its trace ids and its journey's file. */
function traceOf(cloud: LocalCloud, orderId: string | undefined): ScenarioResult["trace"] {
  if (!orderId) return undefined;
  cloud.writeTraces();
  const traceIds = cloud.xray.orders().get(orderId);
  return traceIds ? { orderId, traceIds, diagram: path.join(cloud.xray.dir, `${safeFileName(orderId)}.mmd`) } : undefined;
}

/** Fails unless the condition holds. */
export function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ExpectationFailed(message);
}

/** Runs scenarios one after another (or all at once, those that run alone after), each with its own context. */
export async function runScenarios(cloud: LocalCloud, scenarios: readonly Scenario[], options: { parallel?: boolean; onStep?: (scenario: string, step: StepResult) => void; scenarioOptions?: ScenarioOptions } = {}): Promise<ScenarioResult[]> {
  const runOne = async (scenario: Scenario): Promise<ScenarioResult> => {
    const context = new ScenarioContext(cloud, (step) => options.onStep?.(scenario.name, step), options.scenarioOptions);
    const started = Date.now();
    let outcome: { ok: true } | { ok: false; error: string };
    try {
      await scenario.run(context);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error: (error as Error).message };
    }
    const ms = Date.now() - started;
    const trace = traceOf(cloud, context.orders[0]);
    return { name: scenario.name, steps: context.steps, ms, orders: context.orders.length, ...outcome, ...(trace ? { trace } : {}) };
  };
  if (options.parallel) {
    const together = await Promise.all(scenarios.filter((s) => !s.alone).map(runOne));
    const alone: ScenarioResult[] = [];
    for (const scenario of scenarios.filter((s) => s.alone)) alone.push(await runOne(scenario));
    return scenarios.map((s) => [...together, ...alone].find((r) => r.name === s.name)!);
  }
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) results.push(await runOne(scenario));
  return results;
}
