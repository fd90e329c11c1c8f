import type { Context } from "aws-lambda";
import type * as z from "zod/mini";
import { ValidationError } from "./errors";
import { logger, setCorrelationId, traceOrder, withPowertools } from "./powertools";
import { parse } from "./validation";

/**
 * A Lambda handler for a saga task. Step Functions invokes it with the whole saga state; the input schema picks
 * what the task reads. What the task throws reaches the saga by `error.name` (its Catch and Retry match on it),
 * with the message as the cause and without the stack: the stack is logged here, and the saga's state, its
 * history and the OrderCancelled event should not carry our source layout.
 */
export function sagaTask<S extends z.ZodMiniType, R>(
  task: string,
  input: S,
  run: (input: z.infer<S>, context: Context) => Promise<R>,
) {
  return withPowertools(async (event: unknown, context: Context): Promise<R> => {
    try {
      const parsed = parse(input, event, `${task} input`);
      setCorrelationId((parsed as { correlationId?: string }).correlationId);
      const orderId = (parsed as { orderId?: string }).orderId;
      if (orderId) {
        logger.appendKeys({ orderId });
        traceOrder(orderId);
      }
      return await run(parsed, context);
    } catch (error) {
      if (error instanceof Error) {
        if (error instanceof ValidationError) logger.error("rejected invalid saga input", { reason: error.message });
        else logger.warn(`${task} failed`, error);
        error.stack = `${error.name}: ${error.message}`;
      }
      throw error;
    }
  });
}
