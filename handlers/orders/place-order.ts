import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { createHash, randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { AccessDenied, callerOf, requireScope, type Caller } from "../shared/caller";
import { documentClient } from "../shared/clients";
import { readEnvironment, nonEmpty } from "../shared/environment";
import { ValidationError } from "../shared/errors";
import { answer, correlationIdOf, errorResponse, header, json } from "../shared/http";
import { count, logger, METRIC_NAMES, setCorrelationId, traceOrder, withPowertools } from "../shared/powertools";
import { parse, parseJson } from "../shared/validation";
import { ORDERS_TABLE_KEY, type OrderItem } from "./orders-table";
import { IDEMPOTENCY_HEADER, placeOrderRequest, type PlaceOrderRequest } from "./place-order-request";
import { ORDERS_SCOPES } from "./scopes";

export { IDEMPOTENCY_HEADER, placeOrderRequest, type PlaceOrderRequest } from "./place-order-request";

// POST /orders. Environment: ORDERS_TABLE_NAME. The customer is the caller (the authorizer's `sub`); a machine client
// with the orders/write scope names the customer in the body.

const env = readEnvironment({ ORDERS_TABLE_NAME: nonEmpty });
const db = documentClient();

const idempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters"));

export const handler = withPowertools(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const correlationId = correlationIdOf(event);
  setCorrelationId(correlationId);
  return answer(correlationId, async () => {
    const caller = callerOf(event);
    const parsed = parseJson(placeOrderRequest, event.body, "request body");
    const request = { ...parsed, customerId: customerOf(caller, parsed) };
    const total = totalOf(request);
    const key = readIdempotencyKey(event);
    const orderId = key === undefined ? randomUUID() : orderIdFor(request.customerId, key);
    logger.appendKeys({ orderId, caller: caller.kind === "machine" ? caller.clientId : "customer" });
    traceOrder(orderId);

    const now = new Date().toISOString();
    const item: OrderItem = {
      orderId,
      status: "PENDING",
      customerId: request.customerId,
      contact: request.contact,
      items: request.items,
      currency: request.currency,
      total,
      placedAt: now,
      updatedAt: now,
      correlationId,
      requestHash: requestHash(request, total),
      ...(key !== undefined ? { idempotencyKeyHash: sha256(key) } : {}),
    };
    try {
      // The condition makes the put the single point of truth for "this order exists": a retry with the same key
      // lands on the same id and cannot overwrite the order (or its status, if the saga already moved it).
      await db.send(
        new PutCommand({
          TableName: env.ORDERS_TABLE_NAME,
          Item: item,
          ConditionExpression: "attribute_not_exists(#key)",
          ExpressionAttributeNames: { "#key": ORDERS_TABLE_KEY },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException) || key === undefined) throw error;
      return replay(event, orderId, item.requestHash);
    }
    count(METRIC_NAMES.ordersPlaced);
    logger.info("order placed", { total, currency: request.currency, lines: request.items.length });
    return created(event, item, false);
  });
});

type PlacedRequest = PlaceOrderRequest & { customerId: string };

/**
 * Whose order this is: a customer orders in their own name only (a body naming another customer is refused with 403);
 * a machine client needs the orders/write scope and names the customer.
 */
function customerOf(caller: Caller, request: PlaceOrderRequest): string {
  if (caller.kind === "customer") {
    if (request.customerId !== undefined && request.customerId !== caller.customerId) {
      throw new AccessDenied(403, `The order names customer ${request.customerId}, but you are signed in as ${caller.customerId}; place orders in your own name.`);
    }
    return caller.customerId;
  }
  requireScope(caller, ORDERS_SCOPES.write);
  if (request.customerId === undefined) {
    throw new ValidationError("request body", [{ path: "customerId", message: "is required when a machine client places an order (a customer's token names the customer)" }]);
  }
  return request.customerId;
}

/** The sum of the lines; a `total` the client sent must match it. */
function totalOf(request: PlaceOrderRequest): number {
  const total = request.items.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  if (request.total !== undefined && request.total !== total) {
    throw new ValidationError("request body", [
      { path: "total", message: `must equal the sum of quantity × unitPrice over items (${total}), but is ${request.total}` },
    ]);
  }
  if (total > 100_000_000) {
    throw new ValidationError("request body", [{ path: "items", message: `add up to ${total}, more than the limit of 100000000 minor units` }]);
  }
  return total;
}

function readIdempotencyKey(event: APIGatewayProxyEvent): string | undefined {
  const value = header(event, IDEMPOTENCY_HEADER);
  if (value === undefined) return undefined;
  return parse(z.object({ [IDEMPOTENCY_HEADER]: idempotencyKey }), { [IDEMPOTENCY_HEADER]: value }, "request headers")[IDEMPOTENCY_HEADER];
}

/**
 * The order id for a customer's idempotency key: a UUID-shaped digest, so the retry finds the first attempt's order
 * by key alone (no second table) and two customers choosing the same key do not collide.
 */
export function orderIdFor(customer: string, key: string): string {
  const h = sha256(`${customer}\0${key}`);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Same request, same hash: the fields in a fixed order, whatever order the client sent them in. */
function requestHash(request: PlacedRequest, total: number): string {
  return sha256(
    JSON.stringify([
      request.customerId,
      request.contact.email,
      request.contact.phone ?? null,
      request.currency,
      total,
      request.items.map((l) => [l.sku, l.quantity, l.unitPrice]),
    ]),
  );
}

async function replay(event: APIGatewayProxyEvent, orderId: string, hash: string): Promise<APIGatewayProxyResult> {
  const { Item } = await db.send(new GetCommand({ TableName: env.ORDERS_TABLE_NAME, Key: { [ORDERS_TABLE_KEY]: orderId }, ConsistentRead: true }));
  const existing = Item as OrderItem | undefined;
  if (existing && existing.requestHash === hash) {
    logger.info("replayed order for a retried request");
    return created(event, existing, true);
  }
  logger.warn("idempotency key reused for a different order");
  return errorResponse(422, {
    error: "IdempotencyKeyReused",
    message: `The ${IDEMPOTENCY_HEADER} was already used for a different order. Send a new key for a new order.`,
    fields: [{ path: `headers.${IDEMPOTENCY_HEADER}`, message: "was already used with a different request body" }],
  });
}

function created(event: APIGatewayProxyEvent, order: OrderItem, replayed: boolean): APIGatewayProxyResult {
  return json(
    201,
    { orderId: order.orderId, status: order.status, total: order.total, currency: order.currency },
    { location: locationOf(event, order.orderId), ...(replayed ? { "idempotent-replayed": "true" } : {}) },
  );
}

/** `/<stage>/orders/<id>` as the client called it (API Gateway's request path includes the stage). */
function locationOf(event: APIGatewayProxyEvent, orderId: string): string {
  const path = event.requestContext?.path;
  const base = path && /\/orders\/?$/.test(path) ? path.replace(/\/$/, "") : "/orders";
  return `${base}/${orderId}`;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
