import type { Usage } from "../../localcloud/kernel/usage";
import type { Pricer } from "./price-table";

/** The services of a usage key's first part, as a bill names them. */
const SERVICES: Readonly<Record<string, string>> = {
  lambda: "Lambda",
  sqs: "SQS",
  sns: "SNS",
  events: "EventBridge",
  pipes: "EventBridge Pipes",
  states: "Step Functions",
  dynamodb: "DynamoDB",
  apigateway: "API Gateway",
  waf: "WAF",
  ses: "SES",
  sms: "End User Messaging SMS",
  logs: "CloudWatch Logs",
  xray: "X-Ray",
};

/** One priced usage of one order. */
export interface OrderCostLine {
  readonly service: string;
  readonly key: string;
  /** The billed quantity, per order. */
  readonly quantity: number;
  readonly usd: number;
}

export interface OrderCost {
  readonly lines: readonly OrderCostLine[];
  readonly byService: readonly { readonly service: string; readonly usd: number }[];
  readonly totalUsd: number;
}

/**
 * Prices one order from a measured window: its usage divided by the orders the window placed. A stage behind a WAF web
 * ACL has each request inspected and billed by WAF as well. A usage key the price table lacks is an error.
 */
export function priceOrder(usage: Usage, orders: number, pricer: Pricer, options: { wafInspectsApi: boolean }): OrderCost {
  const perOrder: Record<string, number> = {};
  for (const [key, amount] of Object.entries(usage)) perOrder[key] = amount / orders;
  if (options.wafInspectsApi && perOrder["apigateway.requests"]) perOrder["waf.requests"] = perOrder["apigateway.requests"];
  const lines = Object.entries(perOrder)
    .map(([key, quantity]) => ({ service: SERVICES[key.split(".")[0]] ?? key.split(".")[0], key, quantity, usd: pricer.price(key, quantity) }))
    .sort((a, b) => b.usd - a.usd);
  const services = new Map<string, number>();
  for (const line of lines) services.set(line.service, (services.get(line.service) ?? 0) + line.usd);
  const byService = [...services].map(([service, usd]) => ({ service, usd })).sort((a, b) => b.usd - a.usd);
  return { lines, byService, totalUsd: lines.reduce((n, l) => n + l.usd, 0) };
}
