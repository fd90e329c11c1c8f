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
import { readCatalog } from "./catalog-reader";
import { ORDERS_TABLE_KEY, type OrderItem } from "./orders-table";
import { IDEMPOTENCY_HEADER, placeOrderRequest, type PlaceOrderRequest } from "./place-order-request";
import { priceOrder, type PricedOrder } from "./pricing";
import { ORDERS_SCOPES } from "./scopes";

export { IDEMPOTENCY_HEADER, placeOrderRequest, type PlaceOrderRequest } from "./place-order-request";

// POST /orders. Environment: ORDERS_TABLE_NAME; CATALOG_TABLE_NAME (inventory's catalog, read only); SOLD_CURRENCIES
// (the environment's `orderflow:currencies`, comma-separated). The customer is the caller (the authorizer's `sub`); a
// machine client with the orders/write scope names the customer in the body. Either way the order is priced from the
// catalog at the time of ordering, and those prices are recorded on the order: a later price change does not touch it.

const env = readEnvironment({
  ORDERS_TABLE_NAME: nonEmpty,
  CATALOG_TABLE_NAME: nonEmpty,
  SOLD_CURRENCIES: z.string().check(z.regex(/^[A-Z]{3}(,[A-Z]{3})*$/, "a comma-separated list of ISO 4217 codes such as \"EUR,USD\"")),
});
const soldCurrencies = env.SOLD_CURRENCIES.split(",");
const db = documentClient();

const idempotencyKey = z.string().check(z.regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters"));

export const handler = withPowertools(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const correlationId = correlationIdOf(event);
  setCorrelationId(correlationId);
  return answer(correlationId, async () => {
    const caller = callerOf(event);
    const parsed = parseJson(placeOrderRequest, event.body, "request body");
    const request = { ...parsed, customerId: customerOf(caller, parsed) };
    const key = readIdempotencyKey(event);
    const orderId = key === undefined ? randomUUID() : orderIdFor(request.customerId, key);
    logger.appendKeys({ orderId, caller: caller.kind === "machine" ? caller.clientId : "customer" });
    traceOrder(orderId);
    const hash = requestHash(request);
    let priced: PricedOrder;
    try {
      priced = priceOrder(request, await readCatalog(db, env.CATALOG_TABLE_NAME, request.items.map((l) => l.sku)), soldCurrencies);
    } catch (error) {
      // A retry whose first attempt was placed is answered with that order, even if the catalog changed since (a
      // price, a SKU withdrawn): the order was placed at the prices of its time.
      if (error instanceof ValidationError && key !== undefined) {
        const existing = await storedOrder(orderId);
        if (existing?.requestHash === hash) return replayed(event, existing);
      }
      throw error;
    }

    const now = new Date().toISOString();
    const item: OrderItem = {
      orderId,
      status: "PENDING",
      customerId: request.customerId,
      contact: request.contact,
      items: priced.items,
      currency: request.currency,
      total: priced.total,
      placedAt: now,
      updatedAt: now,
      correlationId,
      requestHash: hash,
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
    logger.info("order placed", { total: priced.total, currency: request.currency, lines: priced.items.length });
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

/**
 * Same request, same hash: the fields in a fixed order, whatever order the client sent them in. It hashes what the
 * client asked for (a price it sent included), not the catalog's answer, so a retry matches its first attempt even
 * after a price change.
 */
function requestHash(request: PlacedRequest): string {
  return sha256(
    JSON.stringify([
      request.customerId,
      request.contact.email,
      request.contact.phone ?? null,
      request.currency,
      request.total ?? null,
      request.items.map((l) => [l.sku, l.quantity, l.unitPrice ?? null]),
    ]),
  );
}

async function storedOrder(orderId: string): Promise<OrderItem | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: env.ORDERS_TABLE_NAME, Key: { [ORDERS_TABLE_KEY]: orderId }, ConsistentRead: true }));
  return Item as OrderItem | undefined;
}

function replayed(event: APIGatewayProxyEvent, order: OrderItem): APIGatewayProxyResult {
  logger.info("replayed order for a retried request");
  return created(event, order, true);
}

async function replay(event: APIGatewayProxyEvent, orderId: string, hash: string): Promise<APIGatewayProxyResult> {
  const existing = await storedOrder(orderId);
  if (existing && existing.requestHash === hash) return replayed(event, existing);
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
    // The lines as priced: the client learns what each costs and what the order will be charged.
    { orderId: order.orderId, status: order.status, items: order.items, total: order.total, currency: order.currency },
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
