import type { Environment } from "../../stacks/environments";
import { LocalCloud } from "../../localcloud/cloud";
import { UsageMeter } from "../../localcloud/kernel/usage-meter";
import { scenarioNamed } from "../../localcloud/app/scenarios";
import { runScenarios } from "../../localcloud/app/scenarios/scenario";
import { MEASURED_PATHS, type Measurements } from "./measurements";

/**
 * Runs the environment on the local cloud and measures each order path alone: its scenario in a window of its own
 * (UsageMeter), until the cloud has gone quiet, with IAM enforced as in AWS. A scenario that fails is an error: a
 * broken path's cost means nothing.
 */
export async function measureOrderPaths(options: { env: Environment; root: string; timeScale: number; onPath?: (scenario: string) => void }): Promise<Measurements> {
  const cloud = await LocalCloud.start({ env: options.env, port: 0, timeScale: options.timeScale, root: options.root });
  const meter = new UsageMeter(cloud.activity);
  try {
    const paths: Measurements["paths"] = [];
    for (const { scenario: name, path: description } of MEASURED_PATHS) {
      const scenario = scenarioNamed(name);
      if (!scenario) throw new Error(`the scenario ${name} is gone; ops/cost/measurements.ts measures it`);
      options.onPath?.(name);
      const { result, usage } = await meter.measure(async () => (await runScenarios(cloud, [scenario]))[0]);
      if (!result.ok) throw new Error(`scenario ${name} failed (${result.error ?? "see its steps"}): its cost is not measured`);
      if (result.orders === 0) throw new Error(`scenario ${name} placed no order: nothing to divide its cost by`);
      paths.push({ scenario: name, path: description, orders: result.orders, usage: { ...usage } });
    }
    return { env: options.env, measuredAt: new Date().toISOString(), timeScale: options.timeScale, paths };
  } finally {
    meter.close();
    await cloud.stop();
  }
}
