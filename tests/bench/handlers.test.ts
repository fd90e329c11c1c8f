import { strict as assert } from "node:assert";
import * as path from "node:path";
import { formatTable, handlerFiles, type FunctionBenchmark } from "../../bench/handlers";
import { lambdaEnvironment, type LambdaConfiguration } from "../../bench/lambda-init";
import { duplicatePackages } from "../../bench/package-copies";
import { zipSize } from "../../bench/zip-size";

const FN: LambdaConfiguration = {
  functionName: "placeOrderFunction-1234567",
  handler: "index.handler",
  runtime: "nodejs24.x",
  memorySize: 256,
  region: "eu-west-1",
  logGroup: "placeOrderLogGroup-abc",
  tracing: true,
  variables: { NODE_OPTIONS: "--enable-source-maps", ORDERS_TABLE_NAME: "orders-1", POWERTOOLS_SERVICE_NAME: "orders" },
};

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

  it("prints one row per function: its files, the whole archive and the zip in KiB, and its median init time", () => {
    const result: FunctionBenchmark = {
      fn: { ...FN, stack: "dev.orders", name: "placeOrderFunction", source: "orders/place-order.ts", archiveDir: "/x", duplicates: [] },
      files: { "index.js": 2048, "index.js.map": 1024 },
      zipBytes: 1536,
      initMs: 12.34,
      cpuMs: 10.01,
      runs: [{ wallMs: 12.34, cpuMs: 10.01 }],
      withinBudget: true,
    };
    const table = formatTable([result]);
    assert.match(table, /^\| dev\.orders placeOrderFunction \| orders\/place-order\.ts \| 2\.0 \| 1\.0 \| 3\.0 \| 1\.5 \| 12\.3 \| 10\.0 \| yes \|$/m);
    assert.match(table, /^Every bundle holds one copy of each package\.$/m);

    const twice = { ...result, fn: { ...result.fn, duplicates: [{ name: "@smithy/core", versions: ["3.41.1", "3.42.0"] }] } };
    assert.match(formatTable([twice]), /^- orders\/place-order\.ts: @smithy\/core \(3\.41\.1, 3\.42\.0\)$/m);
  });
});

describe("bench/lambda-init lambdaEnvironment", () => {
  it("starts the handler in Lambda's environment: the runtime's variables, then the function's own", () => {
    const env = lambdaEnvironment(FN, "/tmp/task");
    assert.equal(env.AWS_EXECUTION_ENV, "AWS_Lambda_nodejs24.x");
    assert.equal(env.AWS_REGION, "eu-west-1");
    assert.equal(env.LAMBDA_TASK_ROOT, "/tmp/task");
    assert.equal(env._HANDLER, "index.handler");
    assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, "256");
    assert.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_SESSION_TOKEN, "the role's credentials");
    assert.equal(env.AWS_XRAY_DAEMON_ADDRESS, "169.254.79.129:2000", "active tracing: the daemon's address");
    assert.equal(env.NODE_OPTIONS, "--enable-source-maps", "the function's variables, as the component set them");
    assert.equal(env.ORDERS_TABLE_NAME, "orders-1");
    assert.equal(lambdaEnvironment({ ...FN, tracing: false }, "/t").AWS_XRAY_DAEMON_ADDRESS, undefined);
  });
});

describe("bench/zip-size zipSize", () => {
  it("counts Go's zip headers per file around the deflated content", () => {
    const empty = zipSize({});
    assert.equal(empty, 22, "an empty zip is its end-of-central-directory record");
    const text = "x".repeat(100_000);
    const one = zipSize({ "index.js": text });
    assert.ok(one > 22 + 110 + 2 * "index.js".length, "headers and name twice");
    assert.ok(one < 1000, `100 kB of one letter deflates to almost nothing (got ${one})`);
  });
});

describe("bench/package-copies duplicatePackages", () => {
  it("names a package bundled from two installed copies, and not one bundled from one copy however many files", () => {
    const root = path.resolve(__dirname, "..", "..");
    const inputs = [
      path.join(root, "handlers/orders/place-order.ts"),
      path.join(root, "node_modules/@aws-lambda-powertools/commons/lib/esm/index.js"),
      path.join(root, "node_modules/@aws-lambda-powertools/commons/lib/esm/Utility.js"),
      path.join(root, "node_modules/@aws-lambda-powertools/logger/node_modules/@aws-lambda-powertools/commons/lib/esm/index.js"),
      path.join(root, "node_modules/zod/v4/core/core.js"),
    ];
    const duplicates = duplicatePackages(inputs);
    assert.deepEqual(duplicates.map((d) => [d.name, d.versions.length]), [["@aws-lambda-powertools/commons", 2]]);
  });
});
