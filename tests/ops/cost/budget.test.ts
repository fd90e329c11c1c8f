import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { budgetProblems, costBudgetOf } from "../../../ops/cost/budget";
import { costReport } from "../../../ops/cost/command";
import { REPO_ROOT } from "../../../ops/repo-root";
import { synthesizedEnvironment } from "../../helpers/synthesized";

describe("cost: the environment's budget", function () {
  this.timeout(120_000);

  it("is read from Pulumi.<env>.yaml and validated as the program validates settings", () => {
    const root = mkdtempSync(path.join(tmpdir(), "cost-budget-"));
    writeFileSync(path.join(root, "Pulumi.yaml"), "name: orderflow\nruntime: nodejs\n");
    writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config:\n  orderflow:costBudget:\n    maxPerOrderUsd: 0.05\n    maxFixedMonthlyUsd: 40\n");
    assert.deepEqual(costBudgetOf("dev", root), { maxPerOrderUsd: 0.05, maxFixedMonthlyUsd: 40 });
    writeFileSync(path.join(root, "Pulumi.dev.yaml"), "config:\n  orderflow:costBudget:\n    maxPerOrder: 0.05\n");
    assert.throws(() => costBudgetOf("dev", root), /costBudget[\s\S]*maxPerOrder/);
  });

  it("fails when a budget is set below the figure, naming the budget, the figure and the file", async () => {
    const stacks = await synthesizedEnvironment("dev");
    const report = await costReport("dev", REPO_ROOT, { stacks, measurements: path.join(tmpdir(), "no-measurements.json"), budget: { maxFixedMonthlyUsd: 1 } });
    assert.ok(report.fixedMonthlyUsd > 1);
    assert.equal(report.problems.length, 1);
    assert.match(report.problems[0], /the fixed monthly cost, \$\d+\.\d\d, exceeds the budget of \$1\.00 \(orderflow:costBudget\.maxFixedMonthlyUsd in Pulumi\.dev\.yaml\)/);
    const within = await costReport("dev", REPO_ROOT, { stacks, measurements: path.join(tmpdir(), "no-measurements.json"), budget: { maxFixedMonthlyUsd: report.fixedMonthlyUsd + 1 } });
    assert.deepEqual(within.problems, []);
  });

  it("a per-order budget below the costliest path's cost is a problem; without measurements nothing is claimed", () => {
    assert.deepEqual(budgetProblems("prod", { maxPerOrderUsd: 0.01 }, { fixedMonthlyUsd: 5, perOrderUsd: { usd: 0.02, path: "confirmed (happy-path)" } }), [
      "an order confirmed (happy-path) costs $0.0200, over the budget of $0.0100 per order (orderflow:costBudget.maxPerOrderUsd in Pulumi.prod.yaml)",
    ]);
    assert.deepEqual(budgetProblems("prod", { maxPerOrderUsd: 0.01 }, { fixedMonthlyUsd: 5 }), []);
  });
});
