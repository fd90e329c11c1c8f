import { randomUUID } from "node:crypto";
import { ORDERS_SCOPES } from "../../../handlers/orders/scopes";
import { expect, type Credentials, type HttpAnswer, type Scenario, type ScenarioContext } from "./scenario";
import { orderBody, ordersTable, skus } from "./orders";

// Who may place and read orders, through the local API's Cognito authorizer, API keys and the handlers' own checks.
// API Gateway answers 401 for a missing, expired, tampered or wrong-use token and for a token without any of the
// method's scopes ("Otherwise, the call fails with a 401 Unauthorized response"), 403 for a missing API key; the
// handlers answer 403 for a body naming another customer and 404 for another customer's order.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-enable-cognito-user-pool.html

/** The answer must have this status (and, when given, this body). */
function answers(answer: HttpAnswer, status: number, body?: Record<string, unknown>): HttpAnswer {
  expect(answer.status === status, `expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  if (body) expect(JSON.stringify(answer.body) === JSON.stringify(body), `expected ${JSON.stringify(body)}, got ${JSON.stringify(answer.body)}`);
  return answer;
}

/** A token whose payload was changed after signing (another customer as `sub`), its signature kept. */
function tampered(token: string, sub: string): string {
  const [header, payload, signature] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  return [header, Buffer.from(JSON.stringify({ ...claims, sub, username: sub })).toString("base64url"), signature].join(".");
}

export const authentication: Scenario = {
  name: "authentication",
  description: "only a valid token with the method's scope and an API key pass; customers act in their own name only",
  async run(c: ScenarioContext) {
    const { inStock } = skus(c);
    const order = () => orderBody({ lines: [{ sku: inStock, quantity: 1 }] });
    const issuer = c.cloud.access.issuer();
    const storefrontKey = c.apiKey("storefront");
    const post = (as: Credentials, status: number, body: Record<string, unknown> = order()) => c.placeOrder(body, { as, expectStatus: status });

    const placed = await c.step("a signed-in customer places an order (201) and reads it (200)", async () => {
      const answer = await post(c.customer(), 201);
      answers(await c.request("GET", `/orders/${String(answer.body.orderId)}`), 200);
      return answer.body;
    }, (b) => `order ${String(b.orderId)}`);
    const orderId = String(placed.orderId);

    await c.step("no token: 401 Unauthorized", async () => {
      answers(await post({ apiKey: storefrontKey }, 401), 401, { message: "Unauthorized" });
      answers(await c.request("GET", `/orders/${orderId}`, undefined, {}, { apiKey: storefrontKey }), 401);
    });
    await c.step("an expired token: 401", async () => {
      const hourAgo = Math.floor(Date.now() / 1000) - 3600;
      await post({ token: issuer.customerAccessToken({ sub: c.customerId, issuedAt: hourAgo, expiresInSeconds: 900 }), apiKey: storefrontKey }, 401);
    });
    await c.step("a tampered token (another sub, the signature kept): 401", async () => {
      await post({ token: tampered(c.customer().token!, `customer-${randomUUID().slice(0, 8)}`), apiKey: storefrontKey }, 401);
    });
    await c.step("an ID token on a method with scopes: 401", async () => {
      await post({ token: issuer.customerIdToken({ sub: c.customerId }), apiKey: storefrontKey }, 401);
    });
    await c.step(`a machine token with ${ORDERS_SCOPES.read} only, on POST (which takes ${ORDERS_SCOPES.write}): 401`, async () => {
      await post(c.machine([ORDERS_SCOPES.read]), 401, orderBody({ customerId: c.customerId, lines: [{ sku: inStock, quantity: 1 }] }));
    });
    await c.step("no API key, or an unknown one: 403 Forbidden", async () => {
      const { token } = c.customer();
      answers(await post({ token }, 403), 403, { message: "Forbidden" });
      answers(await post({ token, apiKey: "not-a-key-of-this-stage-0123456789" }, 403), 403, { message: "Forbidden" });
    });
    await c.step("a body naming another customer: 403", async () => {
      await post(c.customer(), 403, orderBody({ customerId: `customer-${randomUUID().slice(0, 8)}`, lines: [{ sku: inStock, quantity: 1 }] }));
    });
    await c.step("another customer's order: 404, as if it did not exist", async () => {
      answers(await c.request("GET", `/orders/${orderId}`, undefined, {}, c.customer(`customer-${randomUUID().slice(0, 8)}`)), 404);
    });
    const forCustomer = `customer-${randomUUID().slice(0, 8)}`;
    await c.step(`the back office (${ORDERS_SCOPES.write}) places an order for a named customer: 201`, async () => {
      const answer = await post(c.machine([ORDERS_SCOPES.write]), 201, orderBody({ customerId: forCustomer, lines: [{ sku: inStock, quantity: 1 }] }));
      const item = await c.item(ordersTable(c), { orderId: String(answer.body.orderId) });
      expect(item?.customerId === forCustomer, `expected the order to be ${forCustomer}'s, found ${JSON.stringify(item?.customerId)}`);
      return forCustomer;
    }, (customer) => `order of ${customer}`);
  },
};
