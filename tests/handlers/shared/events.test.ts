import { buildSync } from "esbuild";
import { strict as assert } from "node:assert";
import * as path from "node:path";
import {
  DETAIL_SCHEMAS, EVENTS, ORDER_CANCELLED_DETAIL_PATHS, ORDER_CONFIRMED_DETAIL_PATHS, orderCancelled, orderConfirmed, orderPlaced,
} from "../../../handlers/shared/events";

const placed = {
  orderId: "0b1c2d3e-4f50-4617-8899-aabbccddeeff", customerId: "cust-1", contact: { email: "a@b.co" },
  items: [{ sku: "A", quantity: 2, unitPrice: 500 }], currency: "EUR", total: 1000, placedAt: "2026-11-26T12:00:00.000Z", correlationId: "corr-1",
};

/** Resolves the `$.a.b` paths the saga's publish step uses against a state, as Step Functions does. */
function resolve(paths: Record<string, string>, state: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(paths).map(([key, p]) => [key, p.slice(2).split(".").reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], state)]),
  );
}

describe("handlers/shared/events", () => {
  it("the saga's detail paths, applied to its state, give valid OrderConfirmed and OrderCancelled details", () => {
    const state = { ...placed, results: { ReserveStock: { Payload: {} } }, error: { Error: "OutOfStock", Cause: "..." } };
    assert.deepEqual(orderConfirmed.safeParse(resolve(ORDER_CONFIRMED_DETAIL_PATHS, state)).error?.issues, undefined);
    const cancelled = orderCancelled.safeParse(resolve(ORDER_CANCELLED_DETAIL_PATHS, state));
    assert.equal(cancelled.data?.reason, "OutOfStock");
  });

  it("every event has a detail schema, and sources and detail types are distinct per event", () => {
    assert.deepEqual(Object.keys(DETAIL_SCHEMAS).sort(), Object.keys(EVENTS).sort());
    const pairs = Object.values(EVENTS).map((e) => `${e.source}/${e.detailType}`);
    assert.equal(new Set(pairs).size, pairs.length);
  });

  it("an OrderPlaced detail is also what the saga tasks accept as their input", () => {
    assert.ok(orderPlaced.safeParse(placed).success);
    assert.ok(!orderPlaced.safeParse({ ...placed, items: [] }).success, "an order has at least one line");
  });

  it("bundles with zod alone: no Powertools, no SDK, so stacks can import it for rule patterns", () => {
    const result = buildSync({
      entryPoints: [path.resolve(__dirname, "../../../handlers/shared/events.ts")],
      bundle: true, write: false, metafile: true, platform: "node", format: "cjs", logLevel: "silent",
    });
    const packages = new Set(Object.keys(result.metafile.inputs).map((f) => f.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1]).filter(Boolean));
    assert.deepEqual([...packages], ["zod"]);
  });
});
