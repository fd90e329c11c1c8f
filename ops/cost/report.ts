import { usd } from "./budget";
import type { FixedCostLine } from "./fixed-cost";
import type { OrderCost } from "./order-cost";
import type { PriceTable } from "./price-table";

export interface CostReport {
  readonly env: string;
  readonly prices: Pick<PriceTable, "region" | "read">;
  readonly measured?: { readonly at: string; readonly timeScale: number };
  readonly paths: readonly { readonly scenario: string; readonly path: string; readonly orders: number; readonly cost: OrderCost }[];
  readonly fixed: readonly FixedCostLine[];
  readonly fixedMonthlyUsd: number;
  readonly userPools: readonly { readonly name: string; readonly plan: string; readonly usdPerMau: number }[];
  readonly ordersPerDay?: number;
  /** At `ordersPerDay`, every order on the costliest path, for 30 days. */
  readonly monthly?: { readonly ordersUsd: number; readonly totalUsd: number };
  readonly problems: readonly string[];
}

/** The report as lines: per-order breakdown per path, the fixed monthly cost, the total at N orders a day. */
export function formatCostReport(report: CostReport): string[] {
  const out = [`Cost of ${report.env} (${report.prices.region} prices read ${report.prices.read}; no free tiers, no data transfer, no tax):`];
  if (report.measured) {
    out.push("", `Per order, measured on the local cloud (${report.measured.at}, time scale ${report.measured.timeScale}):`);
    for (const p of report.paths) {
      out.push(`  ${p.scenario} (${p.path}; ${p.orders} order${p.orders === 1 ? "" : "s"} measured): ${usd(p.cost.totalUsd)} an order`);
      for (const s of p.cost.byService) {
        const lines = p.cost.lines.filter((l) => l.service === s.service);
        out.push(`    ${s.service.padEnd(24)} ${usd(s.usd).padStart(11)}   ${lines.map((l) => `${l.key.split(".").slice(1).join(".")} ${round(l.quantity)}`).join(", ")}`);
      }
    }
  } else {
    out.push("", "Per order: not measured yet; `npm run -s orderflow -- cost --env <env> --measure` runs the order paths on the local cloud and measures them.");
  }
  out.push("", `Fixed, per month: ${usd(report.fixedMonthlyUsd)}`);
  for (const line of report.fixed) out.push(`    ${line.service.padEnd(10)} ${usd(line.monthlyUsd).padStart(10)}   ${line.item}${line.estimate ? ` (estimate: ${line.estimate})` : ""}`);
  for (const pool of report.userPools) out.push(`    Cognito    ${`${usd(pool.usdPerMau)}/MAU`.padStart(10)}   ${pool.name}: ${pool.plan} plan, per monthly active user (not in the fixed total)`);
  if (report.ordersPerDay !== undefined && report.monthly) {
    out.push("", `At ${report.ordersPerDay.toLocaleString("en-US")} orders a day (30 days, each on the costliest path): orders ${usd(report.monthly.ordersUsd)} + fixed ${usd(report.fixedMonthlyUsd)} = ${usd(report.monthly.totalUsd)} a month`);
  }
  for (const problem of report.problems) out.push(`error: ${problem}`);
  return out;
}

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n < 0.01 ? n.toPrecision(2) : n.toFixed(n < 10 ? 3 : 1).replace(/\.?0+$/, "");
}
