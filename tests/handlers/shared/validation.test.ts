import { strict as assert } from "node:assert";
import * as z from "zod/mini";
import { readEnvironment, nonEmpty } from "../../../handlers/shared/environment";
import { ValidationError } from "../../../handlers/shared/errors";
import { toConsumedEvent } from "../../../handlers/shared/event-consumer";
import { parse, parseJson } from "../../../handlers/shared/validation";

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ValidationError, String(error));
    return error.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail("expected a ValidationError");
};

describe("handlers/shared validation and environment", () => {
  const schema = z.object({ items: z.array(z.object({ quantity: z.int().check(z.minimum(1)) })).check(z.maxLength(3)), name: z.string() });

  it("names each field by path and tells a missing field from a wrong one", () => {
    assert.deepEqual(issuesOf(() => parse(schema, { items: [{ quantity: 0 }, { quantity: "1" }, {}] }, "body")), [
      "items[0].quantity: must be at least 1",
      "items[1].quantity: must be a number",
      "items[2].quantity: is required (a number)",
      "name: is required (a string)",
    ]);
    assert.deepEqual(issuesOf(() => parse(schema, { items: [1, 2, 3, 4].map((quantity) => ({ quantity })), name: "n" }, "body")), [
      "items: must have at most 3 item(s)",
    ]);
  });

  it("reports text that is not JSON at the root", () => {
    assert.deepEqual(issuesOf(() => parseJson(schema, "{", "body")), ["(root): must be a JSON document"]);
  });

  it("reads the environment, or fails naming every missing or malformed variable", () => {
    assert.deepEqual(readEnvironment({ TABLE: nonEmpty }, { TABLE: "orders" }), { TABLE: "orders" });
    assert.throws(() => readEnvironment({ TABLE: nonEmpty, BUS: nonEmpty }, { BUS: "" }), (error: Error) => {
      assert.equal(error.name, "ConfigurationError");
      assert.match(error.message, /TABLE must be a non-empty value, but it is not set; BUS must be a non-empty value, but got ""/);
      return true;
    });
  });

  it("takes an EventBridge event out of an SQS body and checks it is one the consumer accepts", () => {
    const body = (detailType: string, source: string) => JSON.stringify({ id: "e1", "detail-type": detailType, source, detail: { orderId: "x" } });
    assert.deepEqual(issuesOf(() => toConsumedEvent(body("OrderShipped", "orderflow.checkout"), ["OrderShipped"])), [
      "detail-type: must be one of orderflow.shipping/OrderShipped, but the event is orderflow.checkout/OrderShipped",
    ]);
    assert.ok(issuesOf(() => toConsumedEvent(body("OrderShipped", "orderflow.shipping"), ["OrderShipped"])).includes("detail.orderId: must be a lowercase UUID"));
  });
});
