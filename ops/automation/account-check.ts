import { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { accountOf, stackName } from "../../stacks/environments";
import { EnvironmentSynthesizer } from "../offline/synthesize";
import { loadStackConfig } from "../../stacks/stack-config";
import type { RunPlan } from "./plan";
import type { AccountCheck, FunctionReservation, PlannedDeployment } from "./preflight";
import type { StackWorkspace } from "./workspace";

const FUNCTION = "aws:lambda/function:Function";
const DEFAULT_VPC = "awsx:ec2:DefaultVpc";

/**
 * The account check of a real `up`: what the plan's stacks would reserve and where they would run, read from the
 * stacks synthesized in-process (the same programs `up` runs, so nothing is typed twice); what they reserve now, from
 * their state; and the account's answers, from Lambda and EC2 in the region the environment deploys to.
 */
export function accountCheck(workspace: StackWorkspace, repoRoot: string, env: RunPlan["env"]): AccountCheck {
  const region = loadStackConfig(stackName(env, "platform"), repoRoot).config["aws:region"] ?? process.env.AWS_REGION ?? "us-east-1";
  return {
    planned: (plan) => plannedDeployment(plan, repoRoot),
    deployed: (plan) => deployedReservations(plan, workspace, repoRoot),
    lambda: new LambdaClient({ region }),
    ec2: new EC2Client({ region }),
    where: `account "${accountOf(env)}" in ${region}`,
  };
}

/** The reservations and default-VPC users of the plan's stacks, from their synthesized resources. */
export async function plannedDeployment(plan: RunPlan, repoRoot: string): Promise<PlannedDeployment> {
  const synthesizer = new EnvironmentSynthesizer(plan.env, { root: repoRoot });
  const reservations: FunctionReservation[] = [];
  const defaultVpcUsers: { stack: string; name: string }[] = [];
  const reservationSettings: string[] = [];
  for (const planned of plan.waves.flat()) {
    const stack = await synthesizer.resolvedStack(planned.kind);
    for (const r of stack.resolved.resources) {
      const reserved = r.type === FUNCTION ? r.inputs.reservedConcurrentExecutions : undefined;
      if (typeof reserved === "number" && reserved >= 0) reservations.push({ stack: stack.stack, name: r.name, reservedConcurrency: reserved });
      if (r.type === DEFAULT_VPC) defaultVpcUsers.push({ stack: stack.stack, name: r.parent?.split("::").at(-1) ?? r.name });
    }
    if ("orderflow:reservedConcurrency" in loadStackConfig(stack.stack, repoRoot).config) reservationSettings.push(`Pulumi.${stack.stack}.yaml`);
  }
  return { reservations, defaultVpcUsers, reservationSettings };
}

/** What the plan's stacks reserve now: their functions' reserved concurrency in their last deployed state. */
async function deployedReservations(plan: RunPlan, workspace: StackWorkspace, repoRoot: string): Promise<FunctionReservation[]> {
  const found: FunctionReservation[] = [];
  for (const planned of plan.waves.flat()) {
    const stack = await workspace.createOrSelectStack({ stackName: planned.stack, workDir: repoRoot });
    const state = (await stack.exportStack?.())?.deployment as { resources?: { type: string; urn: string; outputs?: Record<string, unknown> }[] } | undefined;
    for (const r of state?.resources ?? []) {
      const reserved = r.type === FUNCTION ? r.outputs?.reservedConcurrentExecutions : undefined;
      if (typeof reserved === "number" && reserved >= 0) found.push({ stack: planned.stack, name: r.urn.split("::").at(-1) ?? r.urn, reservedConcurrency: reserved });
    }
  }
  return found;
}
