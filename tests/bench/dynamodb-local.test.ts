import { strict as assert } from "node:assert";
import { formatDynamoDBLocalBenchmark } from "../../bench/dynamodb-local";

describe("bench/dynamodb-local", () => {
  it("prints the median and every run of start-up and stop", () => {
    const table = formatDynamoDBLocalBenchmark({ startupMs: [1200, 900.4, 1000], stopMs: [300, 310, 290] });
    assert.match(table, /^\| start to first answer \| 1000 \| 1200, 900, 1000 \|$/m);
    assert.match(table, /^\| stop to exit \| 300 \| 300, 310, 290 \|$/m);
  });
});
