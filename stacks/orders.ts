import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as z from "zod/mini";
import { Function } from "../components/function";
import { RestApi } from "../components/rest-api";
import { Table } from "../components/table";
import { UserPool } from "../components/user-pool";
import { placeOrderRequest } from "../handlers/orders/place-order-request";
import { CUSTOMER_SCOPE, ORDERS_RESOURCE_SERVER, ORDERS_SCOPES } from "../handlers/orders/scopes";
import { EVENTS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { functionDefaults, platformBus, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * The orders domain: the customers' user pool, the orders table (its stream of inserts starts the checkout saga), the
 * REST API (POST /orders, GET /orders/{id}) that only signed-in customers and scoped machine clients may call, and the
 * functions the saga calls to confirm or cancel an order, plus the pipe's
 * enrichment that turns a new table item into the OrderPlaced event.
 */
export async function ordersStack(): Promise<Exports<"orders">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);

  const orders = new Table("orders", {
    partitionKey: { name: "orderId", type: "S" },
    stream: "NEW_IMAGE",
    ...tableDefaults(settings),
  });
  const tableEnv = { ORDERS_TABLE_NAME: orders.tableName };

  const placeOrder = new Function("placeOrder", { handler: "orders/place-order.ts", environment: tableEnv, ...defaults });
  // Each function gets the actions its code calls, and no more (`orderflow access` checks both ways).
  orders.grant(placeOrder, "dynamodb:GetItem", "dynamodb:PutItem");
  const getOrder = new Function("getOrder", { handler: "orders/get-order.ts", environment: tableEnv, ...defaults });
  orders.grant(getOrder, "dynamodb:GetItem");
  const confirmOrder = new Function("confirmOrder", { handler: "orders/confirm-order.ts", environment: tableEnv, ...defaults });
  orders.grant(confirmOrder, "dynamodb:GetItem", "dynamodb:UpdateItem");
  const cancelOrder = new Function("cancelOrder", { handler: "orders/cancel-order.ts", environment: tableEnv, ...defaults });
  orders.grant(cancelOrder, "dynamodb:GetItem", "dynamodb:UpdateItem");
  // The saga cancels an order itself only when it undoes a confirmation; an order that failed earlier (no stock, a
  // declined payment) is cancelled here, by choreography, when the saga announces OrderCancelled.
  const bus = platformBus(platform);
  bus.subscribeFunction(
    "orderCancelledToCancelOrder",
    { source: [EVENTS.OrderCancelled.source], "detail-type": [EVENTS.OrderCancelled.detailType] },
    cancelOrder,
    {
      description: "Marks the order CANCELLED when checkout gives up on it.",
      // cancel-order takes the saga task's shape: the order id, and the error whose name is the reason.
      inputTransformer: {
        inputPaths: { orderId: "$.detail.orderId", reason: "$.detail.reason" },
        inputTemplate: '{"orderId": <orderId>, "error": {"Error": <reason>}}',
      },
    },
  );
  // Pure transformation of the pipe's batch: no table access, no environment.
  const orderPlacedFromStream = new Function("orderPlacedFromStream", { handler: "orders/order-placed-from-stream.ts", ...defaults });

  const identity = createCustomerIdentity();

  const api = new RestApi("orders", {
    routes: [
      // API Gateway rejects a malformed order before it costs an invocation; place-order validates again (and names
      // the fields) because the function may be invoked by other means.
      // A method takes a token holding any one of its scopes: customers' access tokens hold CUSTOMER_SCOPE, machine
      // clients' the orders scope the method needs (ID tokens are refused, as on every method with scopes).
      {
        method: "POST",
        path: "/orders",
        function: placeOrder,
        bodySchema: z.toJSONSchema(placeOrderRequest, { target: "draft-04" }),
        authorizationScopes: [CUSTOMER_SCOPE, ORDERS_SCOPES.write],
      },
      { method: "GET", path: "/orders/{id}", function: getOrder, authorizationScopes: [CUSTOMER_SCOPE, ORDERS_SCOPES.read] },
    ],
    authorizer: { userPoolArns: [identity.pool.arn] },
    clients: settings.apiClients,
    throttle: settings.apiThrottle,
    logRetentionInDays: settings.logRetentionDays,
    alarmTopicArn: platform.alarmTopicArn,
  });

  return {
    ordersTableName: orders.tableName,
    ordersTableArn: orders.arn,
    ordersTableStreamArn: orders.streamArn!,
    apiUrl: api.url,
    confirmOrderFunctionArn: confirmOrder.arn,
    cancelOrderFunctionArn: cancelOrder.arn,
    orderPlacedFromStreamFunctionArn: orderPlacedFromStream.arn,
    userPoolId: identity.pool.userPoolId,
    storefrontClientId: identity.storefront.id,
    backOfficeClientId: identity.backOffice.id,
    tokenEndpoint: identity.pool.tokenEndpoint,
    storefrontApiKeyId: api.apiKeyIds.storefront,
    backOfficeApiKeyId: api.apiKeyIds.backOffice,
  };

  // The customers' pool lives here, not in the platform stack: only the orders API signs customers in, and its
  // clients and scopes are the orders API's (the platform would otherwise have to know them). Deleting the stack would
  // delete the customers, so the pool refuses deletion everywhere but dev. When a second domain serves customers,
  // the pool moves to the platform with an alias, keeping its URN and its users.
  function createCustomerIdentity() {
    const account = aws.getCallerIdentityOutput().accountId;
    const pool = new UserPool("customers", {
      // Cognito domain prefixes are unique per region across all accounts; the account id keeps ours so.
      domainPrefix: pulumi.interpolate`orderflow-${id.env}-${account}`,
      selfSignUp: settings.identity.selfSignUp,
      deletionProtection: settings.identity.deletionProtection,
      threatProtection: settings.identity.threatProtection,
      resourceServers: [
        {
          identifier: ORDERS_RESOURCE_SERVER,
          name: "orderflow orders API",
          scopes: { read: "Read any customer's orders", write: "Place orders in any customer's name" },
        },
      ],
    });
    const storefront = pool.addWebClient("storefront", {
      callbackUrls: settings.identity.callbackUrls,
      accessTokenMinutes: settings.identity.accessTokenMinutes,
    });
    // The storefront's back end and support tools: they act in their own name, within their scopes.
    const backOffice = pool.addMachineClient("backOffice", { scopes: [ORDERS_SCOPES.read, ORDERS_SCOPES.write] });
    return { pool, storefront, backOffice };
  }
}
