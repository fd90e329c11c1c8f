import * as z from "zod/mini";
import { Function } from "../components/function";
import { RestApi } from "../components/rest-api";
import { Table } from "../components/table";
import { placeOrderRequest } from "../handlers/orders/place-order-request";
import { EVENTS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { functionDefaults, platformBus, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * The orders domain: the orders table (its stream of inserts starts the checkout saga), the public REST API
 * (POST /orders, GET /orders/{id}), and the functions the saga calls to confirm or cancel an order, plus the pipe's
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
  orders.grantReadWrite(placeOrder);
  const getOrder = new Function("getOrder", { handler: "orders/get-order.ts", environment: tableEnv, ...defaults });
  orders.grantRead(getOrder);
  const confirmOrder = new Function("confirmOrder", { handler: "orders/confirm-order.ts", environment: tableEnv, ...defaults });
  orders.grantReadWrite(confirmOrder);
  const cancelOrder = new Function("cancelOrder", { handler: "orders/cancel-order.ts", environment: tableEnv, ...defaults });
  orders.grantReadWrite(cancelOrder);
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

  const api = new RestApi("orders", {
    routes: [
      // API Gateway rejects a malformed order before it costs an invocation; place-order validates again (and names
      // the fields) because the function may be invoked by other means.
      { method: "POST", path: "/orders", function: placeOrder, bodySchema: z.toJSONSchema(placeOrderRequest, { target: "draft-04" }) },
      { method: "GET", path: "/orders/{id}", function: getOrder },
    ],
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
  };
}
