import { strict as assert } from "node:assert";
import { formatTable, handlerFiles } from "../../bench/handlers";

describe("bench/handlers", () => {
  it("finds every Lambda entry point under handlers/<domain>/, and no shared or helper module", () => {
    assert.deepEqual(handlerFiles(), [
      "inventory/release-stock.ts",
      "inventory/reserve-stock.ts",
      "notifications/send-email.ts",
      "notifications/send-sms.ts",
      "orders/cancel-order.ts",
      "orders/confirm-order.ts",
      "orders/get-order.ts",
      "orders/order-placed-from-stream.ts",
      "orders/place-order.ts",
      "payments/charge-payment.ts",
      "payments/refund-payment.ts",
      "shipping/create-shipment.ts",
    ]);
  });

  it("prints one row per handler with its size in KiB and its median init time", () => {
    const table = formatTable([{ handler: "a/b.ts", bytes: 2048, initMs: 12.34, runsMs: [12.34], withinBudget: true }]);
    assert.match(table, /^\| a\/b\.ts \| 2\.0 \| 12\.3 \| yes \|$/m);
  });
});
