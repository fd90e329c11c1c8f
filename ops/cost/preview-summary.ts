import type { RecordedResource } from "../engine/recording-monitor";
import { budgetProblems, costBudgetOf, usd } from "./budget";
import { fixedMonthlyCost } from "./fixed-cost";
import { measurementsFile, readMeasurements } from "./measurements";
import { priceOrder } from "./order-cost";
import { loadPriceTable, Pricer } from "./price-table";

/**
 * What the offline preview says of cost: the environment's fixed monthly cost from its graph, and what an order costs
 * when a local run measured it (`orderflow cost --measure`); and each budget of `Pulumi.<env>.yaml` a figure exceeds.
 */
export function previewCost(env: string, root: string, resources: readonly RecordedResource[]): { readonly line: string; readonly problems: readonly string[] } {
  const pricer = new Pricer(loadPriceTable());
  const fixedMonthlyUsd = fixedMonthlyCost(resources, pricer).reduce((n, l) => n + l.monthlyUsd, 0);
  const wafInspectsApi = resources.some((r) => r.type === "aws:wafv2/webAclAssociation:WebAclAssociation");
  const measured = readMeasurements(measurementsFile(root, env));
  const orders = (measured?.env === env ? measured.paths : []).map((p) => ({ name: p.scenario, usd: priceOrder(p.usage, p.orders, pricer, { wafInspectsApi }).totalUsd }));
  const costliest = orders.reduce<(typeof orders)[number] | undefined>((max, o) => (!max || o.usd > max.usd ? o : max), undefined);
  const perOrder = costliest ? `; an order up to ${usd(costliest.usd)} (${costliest.name}, measured ${measured!.measuredAt.slice(0, 10)})` : "; an order: not measured (orderflow cost --measure)";
  return {
    line: `Cost: ${usd(fixedMonthlyUsd)} a month fixed${perOrder} — orderflow cost --env ${env}`,
    problems: budgetProblems(env, costBudgetOf(env, root), { fixedMonthlyUsd, ...(costliest ? { perOrderUsd: { usd: costliest.usd, path: `on the ${costliest.name} path` } } : {}) }),
  };
}
