import { marshall } from "@aws-sdk/util-dynamodb";
import { strict as assert } from "node:assert";
import { orderPlaced } from "../../../handlers/shared/events";
import { useHandlerEnvironment, captureOutput, lambdaContext, loadHandler } from "../../helpers/handlers";

const ORDER_ID = "0b1c2d3e-4f50-4617-8899-aabbccddeeff";
const item = {
  orderId: ORDER_ID, status: "PENDING", customerId: "cust-1", contact: { email: "a@b.co", phone: "+4915112345678" },
  items: [{ sku: "A", quantity: 2, unitPrice: 500 }], currency: "EUR", total: 1000, placedAt: "2026-11-26T12:00:00.000Z",
  updatedAt: "2026-11-26T12:00:00.000Z", correlationId: "corr-1", requestHash: "h",
};
const record = (eventName: string, image: Record<string, unknown> = item) => ({
  eventID: `e-${eventName}`, eventName, eventSource: "aws:dynamodb", awsRegion: "us-east-1",
  dynamodb: { Keys: marshall({ orderId: ORDER_ID }), NewImage: marshall(image), StreamViewType: "NEW_IMAGE", SequenceNumber: "1" },
});

describe("handlers/orders/order-placed-from-stream (unit)", () => {
  useHandlerEnvironment();
  let handler: (event: unknown, context: unknown) => Promise<unknown[]>;
  before(() => {
    handler = loadHandler<{ handler: typeof handler }>("orders/order-placed-from-stream.ts").handler;
  });
  const run = (event: unknown) => captureOutput(() => handler(event, lambdaContext())).then((r) => r.result);

  it("turns each inserted order into an OrderPlaced detail, valid against the contract", async () => {
    const [placed, ...rest] = await run([record("INSERT")]);
    assert.equal(rest.length, 0);
    assert.deepEqual(placed, {
      orderId: ORDER_ID, customerId: "cust-1", contact: { email: "a@b.co", phone: "+4915112345678" }, items: [{ sku: "A", quantity: 2, unitPrice: 500 }],
      currency: "EUR", total: 1000, placedAt: "2026-11-26T12:00:00.000Z", correlationId: "corr-1",
    });
    assert.ok(orderPlaced.safeParse(placed).success);
  });

  it("drops modifications and removals, so a status change never starts a second saga", async () => {
    assert.deepEqual(await run([record("MODIFY", { ...item, status: "CONFIRMED" }), record("REMOVE")]), []);
  });

  it("fails the batch with the field path of a malformed image", async () => {
    const bad = { ...item, items: [{ sku: "A", quantity: "two", unitPrice: 500 }] };
    await assert.rejects(run([record("INSERT"), record("INSERT", bad)]), (error: Error) => {
      assert.equal(error.name, "ValidationError");
      assert.match(error.message, /\[1\]\.dynamodb\.NewImage\.items\[0\]\.quantity: must be a number/);
      return true;
    });
  });

  it("rejects input that is not a batch of stream records", async () => {
    await assert.rejects(run({ Records: [] }), { name: "ValidationError" });
  });
});
