import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { cancelOrderInput, type OrderCancelled } from "../shared/events";
import { logger } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { transition } from "./transition";

// Saga compensation: PENDING or CONFIRMED → CANCELLED (a saga that confirmed, then could not publish, cancels after
// confirming). Cancelling a cancelled order changes nothing and keeps the first reason. Returns the OrderCancelled
// detail. Environment: ORDERS_TABLE_NAME.

const env = readEnvironment({ ORDERS_TABLE_NAME: nonEmpty });
const db = documentClient();

/** The reason recorded when the saga state carries no error. */
export const DEFAULT_CANCEL_REASON = "Cancelled";

export const handler = sagaTask("cancel-order", cancelOrderInput, async (input): Promise<OrderCancelled> => {
  // Only the error's name: its Cause is another function's error message, not something to show a customer.
  const reason = input.error?.Error ?? DEFAULT_CANCEL_REASON;
  const { order, changed } = await transition(db, env.ORDERS_TABLE_NAME, input.orderId, "CANCELLED", ["PENDING", "CONFIRMED"], {
    cancelReason: reason,
  });
  logger.info(changed ? "order cancelled" : "order was already cancelled", { reason: order.cancelReason ?? reason });
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    contact: order.contact,
    reason: order.cancelReason ?? reason,
    correlationId: order.correlationId,
  };
});
