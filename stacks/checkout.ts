import { Function } from "../components/function";
import { Pipe } from "../components/pipe";
import { Saga } from "../components/saga";
import { Table } from "../components/table";
import { ERROR_NAMES } from "../handlers/shared/errors";
import { EVENTS, ORDER_CANCELLED_DETAIL_PATHS, ORDER_CONFIRMED_DETAIL_PATHS, SAGA_STEPS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { platformBus } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * Checkout, the talk's orchestration: a saga that reserves stock, charges the payment and confirms the order, undoing
 * the completed steps in reverse (release stock, refund payment, cancel order) when one fails, and publishing
 * OrderConfirmed or OrderCancelled. Missing stock and a declined payment end it succeeded, CANCELLED in its output. A pipe starts it from the orders table's stream, for new orders only.
 */
export async function checkoutStack(): Promise<Exports<"checkout">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const orders = reference(id.env, "orders");
  const inventory = reference(id.env, "inventory");
  const payments = reference(id.env, "payments");

  const bus = platformBus(platform);
  const fn = (name: string, arn: typeof orders.confirmOrderFunctionArn) => Function.fromAttributes(name, { arn });

  const saga = new Saga("checkout", {
    comment: "Reserve stock, charge the payment, confirm the order; compensate in reverse on failure.",
    inputPath: "$[0]",
    steps: [
      // Missing stock and a declined payment are answers, not failures: the order ends CANCELLED and the execution
      // succeeds; anything else that stops the saga fails it (and alarms).
      {
        name: SAGA_STEPS.reserveStock,
        invoke: fn("reserveStock", inventory.reserveStockFunctionArn),
        compensate: fn("releaseStock", inventory.releaseStockFunctionArn),
        outcomes: [ERROR_NAMES.outOfStock],
      },
      {
        name: SAGA_STEPS.chargePayment,
        invoke: fn("chargePayment", payments.chargePaymentFunctionArn),
        compensate: fn("refundPayment", payments.refundPaymentFunctionArn),
        retry: { errors: [ERROR_NAMES.paymentProviderUnavailable], maxAttempts: 3, intervalSeconds: 2, backoffRate: 2 },
        outcomes: [ERROR_NAMES.paymentDeclined],
      },
      { name: SAGA_STEPS.confirmOrder, invoke: fn("confirmOrder", orders.confirmOrderFunctionArn), compensate: fn("cancelOrder", orders.cancelOrderFunctionArn) },
    ],
    onSuccess: { bus, ...eventOf("OrderConfirmed"), detail: ORDER_CONFIRMED_DETAIL_PATHS },
    onFailure: { bus, ...eventOf("OrderCancelled"), detail: ORDER_CANCELLED_DETAIL_PATHS },
    logRetentionInDays: settings.logRetentionDays,
    alarmTopicArn: platform.alarmTopicArn,
  });

  const ordersTable = Table.fromAttributes("orders", {
    arn: orders.ordersTableArn,
    tableName: orders.ordersTableName,
    streamArn: orders.ordersTableStreamArn,
  });
  const pipe = new Pipe("newOrders", {
    description: "Starts the checkout saga for every new order.",
    source: { table: ordersTable, startingPosition: "LATEST", batchSize: 1 },
    // Only inserts are new orders; status changes the saga itself makes must not start another saga.
    filter: [{ eventName: ["INSERT"] }],
    enrichment: fn("orderPlacedFromStream", orders.orderPlacedFromStreamFunctionArn),
    target: { stateMachine: saga },
    logRetentionInDays: settings.logRetentionDays,
    alarmTopicArn: platform.alarmTopicArn,
  });

  return { sagaArn: saga.arn, pipeArn: pipe.arn };
}

function eventOf(name: "OrderConfirmed" | "OrderCancelled") {
  return { source: EVENTS[name].source, detailType: EVENTS[name].detailType };
}
