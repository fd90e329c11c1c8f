import { strict as assert } from "node:assert";
import { priceOrder } from "../../../ops/cost/order-cost";
import { loadPriceTable, Pricer } from "../../../ops/cost/price-table";

/** Asserts two amounts agree within `delta`. */
function close(actual: number | undefined, expected: number, delta: number, label = ""): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= delta, `${label ? `${label}: ` : ""}expected ${expected} ± ${delta}, got ${actual}`);
}

describe("cost: a happy-path order's breakdown", () => {
  const pricer = new Pricer(loadPriceTable());
  // What the local cloud measured for one happy-path order on dev (ops/cost/measurements.ts): the billing units each
  // service reported in the scenario's window.
  const measured = {
    "apigateway.requests": 2,
    "lambda.requests": 21,
    "lambda.gbSeconds.arm64": 3.2,
    "sqs.requests.standard": 29,
    "sns.publishes": 2,
    "events.customEvents": 2,
    "pipes.requests": 1,
    "states.transitions": 5,
    "dynamodb.writeRequestUnits": 28,
    "dynamodb.readRequestUnits": 24.5,
    "ses.emails": 2,
    "sms.messages.US": 2,
    "logs.ingestedBytes": 57_154,
    "xray.traces": 19,
  };

  it("prices every unit as the hand calculation does, and sums them", () => {
    const cost = priceOrder(measured, 1, pricer, { wafInspectsApi: true });
    const byHand = {
      "API Gateway": (2 * 3.5) / 1e6,
      WAF: (2 * 0.6) / 1e6,
      Lambda: (21 * 0.2) / 1e6 + 3.2 * 0.0000133334,
      SQS: (29 * 0.4) / 1e6,
      SNS: (2 * 0.5) / 1e6,
      EventBridge: (2 * 1) / 1e6,
      "EventBridge Pipes": (1 * 0.4) / 1e6,
      "Step Functions": (5 * 0.025) / 1000,
      DynamoDB: (28 * 0.625) / 1e6 + (24.5 * 0.125) / 1e6,
      SES: (2 * 0.1) / 1000,
      "End User Messaging SMS": 2 * 0.00883,
      "CloudWatch Logs": (57_154 * 0.5) / 1024 ** 3,
      "X-Ray": (19 * 5) / 1e6,
    };
    for (const [service, usd] of Object.entries(byHand)) {
      close(cost.byService.find((s) => s.service === service)?.usd, usd, 1e-12, service);
    }
    close(cost.totalUsd, Object.values(byHand).reduce((n, v) => n + v, 0), 1e-12);
    // The texts dominate: two SMS parts cost more than everything else together.
    assert.equal(cost.byService[0].service, "End User Messaging SMS");
  });

  it("divides a window's usage by the orders it placed, and bills WAF only where a web ACL guards the stage", () => {
    const two = priceOrder(Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, v * 2])), 2, pricer, { wafInspectsApi: false });
    const one = priceOrder(measured, 1, pricer, { wafInspectsApi: false });
    close(two.totalUsd, one.totalUsd, 1e-12);
    assert.equal(one.byService.some((s) => s.service === "WAF"), false);
  });
});
