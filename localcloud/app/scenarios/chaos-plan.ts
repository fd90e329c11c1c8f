import type { FaultPlan } from "../../faults/fault-plan";

/**
 * The faults the chaos scenario injects unless `--faults` gives others: on every path, what the architecture says it
 * survives. Queue consumers (createShipment, sendEmail, sendSms) and the label worker's queue retry through SQS and
 * end in a dead-letter queue, so they get everything: errors (some after the handler ran), crashes, throttles,
 * latency and duplicate deliveries. The saga's forward steps are caught and compensated, so they get errors and
 * crashes too; its compensations (releaseStock, refundPayment, cancelOrder) are retried for Lambda's transient errors
 * only, and a compensation that keeps failing leaves the saga to an operator by design, so they get throttles and
 * latency. The pipe's enrichment is left alone: the pipe reads its stream one batch at a time, so its retries would
 * hold up every scenario's orders behind the chaos scenario's (a --faults file can fault it; the pipe retries ten
 * times, then records the batch in its dead-letter queue). The client retries POST /orders with its Idempotency-Key, so
 * placeOrder may fail after writing. SES and SMS throttle; the label worker's task is killed and its next launch
 * fails, so ECS replaces it through its throttle.
 */
export const CHAOS_PLAN: FaultPlan = {
  functions: {
    placeOrder: { invocationError: { invocationPercentage: 8, preventExecution: false }, throttle: { invocationPercentage: 5 } },
    reserveStock: { invocationError: { invocationPercentage: 4, preventExecution: false }, environmentCrash: { invocationPercentage: 3 }, throttle: { invocationPercentage: 8 } },
    chargePayment: { invocationError: { invocationPercentage: 4, preventExecution: false }, environmentCrash: { invocationPercentage: 3 }, throttle: { invocationPercentage: 8 } },
    confirmOrder: { invocationError: { invocationPercentage: 4, preventExecution: false }, environmentCrash: { invocationPercentage: 3 }, throttle: { invocationPercentage: 8 } },
    releaseStock: { throttle: { invocationPercentage: 10 }, invocationAddDelay: { invocationPercentage: 10, startupDelayMilliseconds: 300 } },
    refundPayment: { throttle: { invocationPercentage: 10 }, invocationAddDelay: { invocationPercentage: 10, startupDelayMilliseconds: 300 } },
    cancelOrder: { throttle: { invocationPercentage: 10 }, invocationAddDelay: { invocationPercentage: 10, startupDelayMilliseconds: 300 } },
    createShipment: { invocationError: { invocationPercentage: 8, preventExecution: false }, environmentCrash: { invocationPercentage: 8 }, throttle: { invocationPercentage: 5 }, invocationAddDelay: { invocationPercentage: 10, startupDelayMilliseconds: 500 } },
    sendEmail: { invocationError: { invocationPercentage: 8, preventExecution: false }, environmentCrash: { invocationPercentage: 8 }, throttle: { invocationPercentage: 5 } },
    sendSms: { invocationError: { invocationPercentage: 8 }, environmentCrash: { invocationPercentage: 5 }, throttle: { invocationPercentage: 5 } },
  },
  queues: {
    shipping: { duplicateDelivery: { percentage: 10 } },
    labels: { duplicateDelivery: { percentage: 10 } },
    email: { duplicateDelivery: { percentage: 10 } },
    sms: { duplicateDelivery: { percentage: 10 } },
  },
  ses: { throttle: { percentage: 8 } },
  sms: { throttle: { percentage: 8 } },
  services: { labelWorker: { stopTask: { afterSeconds: 2, everySeconds: 15, signal: "SIGKILL" }, failedLaunches: 1 } },
};
