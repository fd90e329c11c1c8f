import { lambdaErrors } from "../../services/lambda/errors";
import { expect, type Scenario } from "./scenario";
import { orderBody, orderReaches, skus } from "./orders";

/** A transient Lambda service error in a saga step: retried by the step's Retry, the order still CONFIRMED. */
export const transientSagaError: Scenario = {
  name: "transient-saga-error",
  description: "a Lambda service error in ChargePayment is retried and the order is confirmed",
  async run(c) {
    const { inStock } = skus(c);
    const customerId = `customer-transient-${Date.now().toString(36)}`;
    const charge = c.cloud.stacks.find((s) => s.kind === "payments")!.resolved.outputs.chargePaymentFunctionArn as string;
    await c.step("the Lambda service will fail the next charge for this customer (Lambda.ServiceException)", async () => {
      c.cloud.lambda.injectFault(charge, lambdaErrors.ServiceException("The service encountered an internal error (injected)."), 1, (event) => (event as { customerId?: string }).customerId === customerId);
    });
    const answer = await c.step("POST /orders", () => c.placeOrder(orderBody({ customerId, lines: [{ sku: inStock, quantity: 1, unitPrice: 2500 }] })));
    const orderId = String(answer.body.orderId);
    // ChargePayment's retrier waits IntervalSeconds (2 s, scaled) before the second attempt.
    await c.step("the order is CONFIRMED", () => orderReaches(c, orderId, ["CONFIRMED"], 10));
    await c.step("ChargePayment was retried", async () => {
      const execution = c.cloud.states.executions.find((e) => JSON.stringify(e.input).includes(orderId));
      const retried = execution?.history.filter((h) => h.type === "StateRetried" && h.state === "ChargePayment").length ?? 0;
      expect(retried >= 1, `expected ChargePayment to be retried, found ${retried} retries`);
      return retried;
    }, (n) => `${n} retry`);
  },
};
