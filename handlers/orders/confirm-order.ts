import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { confirmOrderInput, type OrderConfirmed } from "../shared/events";
import { logger } from "../shared/powertools";
import { sagaTask } from "../shared/saga-task";
import { transition } from "./transition";

// Saga task: PENDING → CONFIRMED. A cancelled order is never confirmed (InvalidOrderTransition); a confirmed one is
// confirmed again without change. Returns the OrderConfirmed detail. Environment: ORDERS_TABLE_NAME.

const env = readEnvironment({ ORDERS_TABLE_NAME: nonEmpty });
const db = documentClient();

export const handler = sagaTask("confirm-order", confirmOrderInput, async (input): Promise<OrderConfirmed> => {
  const { order, changed } = await transition(db, env.ORDERS_TABLE_NAME, input.orderId, "CONFIRMED", ["PENDING"]);
  logger.info(changed ? "order confirmed" : "order was already confirmed");
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    contact: order.contact,
    items: order.items,
    currency: order.currency,
    total: order.total,
    correlationId: order.correlationId,
  };
});
