import { environmentSettingsSchema, parseSettings, type EnvironmentSettings } from "../../stacks/settings";
import { loadStackConfig } from "../../stacks/stack-config";

export type CostBudget = NonNullable<EnvironmentSettings["costBudget"]>;

/** The environment's cost budget (`orderflow:costBudget` in `Pulumi.<env>.yaml`), validated as the program validates it. */
export function costBudgetOf(env: string, root: string): CostBudget | undefined {
  return parseSettings(environmentSettingsSchema, loadStackConfig(env, root).config, `Pulumi.${env}.yaml`).costBudget;
}

/** Each budget a figure exceeds, as a sentence naming the budget, the figure and where the budget is set. */
export function budgetProblems(env: string, budget: CostBudget | undefined, figures: { readonly perOrderUsd?: { readonly usd: number; readonly path: string }; readonly fixedMonthlyUsd: number }): string[] {
  if (!budget) return [];
  const problems: string[] = [];
  if (budget.maxFixedMonthlyUsd !== undefined && figures.fixedMonthlyUsd > budget.maxFixedMonthlyUsd) {
    problems.push(`the fixed monthly cost, ${usd(figures.fixedMonthlyUsd)}, exceeds the budget of ${usd(budget.maxFixedMonthlyUsd)} (orderflow:costBudget.maxFixedMonthlyUsd in Pulumi.${env}.yaml)`);
  }
  if (budget.maxPerOrderUsd !== undefined && figures.perOrderUsd && figures.perOrderUsd.usd > budget.maxPerOrderUsd) {
    problems.push(`an order ${figures.perOrderUsd.path} costs ${usd(figures.perOrderUsd.usd)}, over the budget of ${usd(budget.maxPerOrderUsd)} per order (orderflow:costBudget.maxPerOrderUsd in Pulumi.${env}.yaml)`);
  }
  return problems;
}

/** Dollars as a bill prints them; small amounts keep their significant digits. */
export function usd(amount: number): string {
  if (amount === 0) return "$0";
  if (amount >= 1) return `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return `$${amount.toPrecision(3)}`;
}
