import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DescribeVpcsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { GetAccountSettingsCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { Environment } from "../../stacks/environments";
import { AwsCredentialsMissingError, OperationError, PassphraseMissingError, PulumiCliMissingError } from "./errors";
import type { RunPlan } from "./plan";

/** What the checks read from the machine; tests pass their own. */
export interface Machine {
  readonly env: NodeJS.ProcessEnv;
  readonly homedir: string;
  readonly platform: NodeJS.Platform;
  /** Whether a file exists (and, for PATH entries, may be executed). */
  readonly isFile: (file: string) => boolean;
}

/** The machine this process runs on. */
export function currentMachine(): Machine {
  return {
    env: process.env,
    homedir: os.homedir(),
    platform: process.platform,
    isFile: (file) => {
      try {
        return fs.statSync(file).isFile();
      } catch {
        return false;
      }
    },
  };
}

/** The environment variables any one of which gives the AWS SDK credentials (or tells it where to get them). */
export const AWS_CREDENTIAL_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_PROFILE",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
] as const;

/** The full path of `pulumi` on the PATH, or undefined: the same lookup the Automation API's default command makes. */
export function findPulumiCli(machine: Machine): string | undefined {
  const pathVar = machine.env.PATH ?? machine.env.Path ?? "";
  const names = machine.platform === "win32" ? ["pulumi.exe", "pulumi.cmd", "pulumi"] : ["pulumi"];
  const separator = machine.platform === "win32" ? ";" : ":";
  for (const dir of pathVar.split(separator).filter((d) => d.length > 0)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (machine.isFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Whether the AWS SDK has a credential source: a variable above, or a shared credentials/config file. */
export function hasAwsCredentials(machine: Machine): boolean {
  const { env } = machine;
  if (AWS_CREDENTIAL_VARIABLES.some((name) => (env[name] ?? "") !== "")) return true;
  const files = [
    env.AWS_SHARED_CREDENTIALS_FILE || path.join(machine.homedir, ".aws", "credentials"),
    env.AWS_CONFIG_FILE || path.join(machine.homedir, ".aws", "config"),
  ];
  return files.some((file) => machine.isFile(file));
}

/** Whether secrets of a file backend can be decrypted: an empty passphrase counts as set, as the CLI sees it. */
export function hasPassphrase(machine: Machine): boolean {
  return machine.env.PULUMI_CONFIG_PASSPHRASE !== undefined || (machine.env.PULUMI_CONFIG_PASSPHRASE_FILE ?? "") !== "";
}

/**
 * Fails with the fix before any stack is touched: starting eleven stacks only to have each fail the same way buries the
 * one message that matters.
 */
export function preflight(machine: Machine, backendUrl: string): void {
  if (findPulumiCli(machine) === undefined) throw new PulumiCliMissingError();
  if (machine.env.ORDERFLOW_SKIP_CREDENTIALS_CHECK !== "1" && !hasAwsCredentials(machine)) {
    throw new AwsCredentialsMissingError();
  }
  if (backendUrl.startsWith("file://") && !hasPassphrase(machine)) throw new PassphraseMissingError(backendUrl);
}

// ---------------------------------------------------------------------------------------------------------------------
// The account: what `up` needs of the AWS account it deploys to, checked before anything changes.

/** Lambda keeps this many of the account's concurrent executions unreserved: "You can reserve up to the Unreserved
 * account concurrency value that is shown, minus 100" (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** A function's reserved concurrency, in the stack that declares (or deployed) it. */
export interface FunctionReservation {
  readonly stack: string;
  /** The function's logical name (`placeOrderFunction`). */
  readonly name: string;
  readonly reservedConcurrency: number;
}

/** What the run would deploy that the account must allow, read from the synthesized stacks. */
export interface PlannedDeployment {
  readonly reservations: readonly FunctionReservation[];
  /** The stacks (and resources) that run in the account's default VPC. */
  readonly defaultVpcUsers: readonly { readonly stack: string; readonly name: string }[];
  /** The files that set `orderflow:reservedConcurrency`, which the fix names. */
  readonly reservationSettings: readonly string[];
}

/** The account's Lambda concurrency, as GetAccountSettings reports it. */
export interface AccountConcurrency {
  /** AccountLimit.ConcurrentExecutions: the quota. */
  readonly limit: number;
  /** AccountLimit.UnreservedConcurrentExecutions: the quota less every function's reservation. */
  readonly unreserved: number;
}

/** The account's Lambda concurrency quota and what is left unreserved (lambda:GetAccountSettings). */
export async function readAccountConcurrency(lambda: LambdaClient): Promise<AccountConcurrency> {
  const settings = await lambda.send(new GetAccountSettingsCommand({}));
  const limit = settings.AccountLimit?.ConcurrentExecutions;
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions;
  if (limit === undefined || unreserved === undefined) {
    throw new OperationError("Lambda's GetAccountSettings did not report the account's concurrent executions; cannot check reserved concurrency.");
  }
  return { limit, unreserved };
}

/** Whether the region has a default VPC (ec2:DescribeVpcs with the isDefault filter). */
export async function hasDefaultVpc(ec2: EC2Client): Promise<boolean> {
  const answer = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }));
  return (answer.Vpcs ?? []).length > 0;
}

/**
 * What stands in the way of deploying `planned` to the account, each problem with its fix; none means it fits.
 * `deployed` is what this environment's functions reserve already (their last deployed state): a redeploy re-uses it.
 */
export function accountProblems(
  env: Environment,
  where: string,
  planned: PlannedDeployment,
  concurrency: AccountConcurrency,
  deployed: readonly FunctionReservation[],
  defaultVpc: boolean | undefined,
): string[] {
  const problems: string[] = [];
  const requested = sum(planned.reservations);
  if (requested > 0) {
    const reservable = Math.max(0, concurrency.limit - LAMBDA_UNRESERVED_MINIMUM);
    const others = Math.max(0, concurrency.limit - concurrency.unreserved - sum(deployed));
    if (others + requested > reservable) {
      const byStack = [...group(planned.reservations)].map(([stack, fns]) => `${stack} ${sum(fns)} (${fns.length} function(s))`).join(", ");
      const settingFiles = planned.reservationSettings.length > 0 ? planned.reservationSettings.join(" and ") : `Pulumi.${env}.yaml`;
      problems.push(
        [
          `${env} would reserve ${requested} concurrent Lambda executions (${byStack}), but ${where} allows ${concurrency.limit} in all, ` +
            `of which Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved, so at most ${reservable} can be reserved` +
            (others > 0 ? `, and other functions reserve ${others} already` : "") +
            (reservable === 0 ? " (a new account's quota admits no reservation at all)." : "."),
          `Fix: set orderflow:reservedConcurrency lower, or to none, in ${settingFiles}; or raise the account's "Concurrent executions" quota ` +
            `(Service Quotas, AWS Lambda); or deploy ${env} to an account of its own (stacks/environments.ts, ACCOUNTS).`,
        ].join("\n"),
      );
    }
  }
  if (defaultVpc === false && planned.defaultVpcUsers.length > 0) {
    const users = planned.defaultVpcUsers.map((u) => `${u.name} in ${u.stack}`).join(", ");
    problems.push(
      [
        `${where} has no default VPC (many organizations delete it), and ${users} would run in it.`,
        `Fix: set orderflow:labelWorkerVpc: private in Pulumi.${env}.yaml (a VPC of its own with one NAT gateway), or create a default VPC (aws ec2 create-default-vpc).`,
      ].join("\n"),
    );
  }
  return problems;
}

/** What `up` checks against the account; tests pass their own. */
export interface AccountCheck {
  /** The reservations and default-VPC users of the plan's stacks, from their synthesized resources. */
  readonly planned: (plan: RunPlan) => Promise<PlannedDeployment>;
  /** What the plan's stacks reserve now, from their last deployed state (none for a new environment). */
  readonly deployed: (plan: RunPlan) => Promise<readonly FunctionReservation[]>;
  readonly lambda: LambdaClient;
  readonly ec2: EC2Client;
  /** Names the account in messages. @default "the account" */
  readonly where?: string;
}

/**
 * Refuses `up` before any stack changes when the account cannot take what the environment would deploy: more reserved
 * concurrency than the account's quota allows, or a default VPC the account no longer has.
 */
export async function checkAccount(plan: RunPlan, check: AccountCheck): Promise<void> {
  const planned = await check.planned(plan);
  const reserves = planned.reservations.length > 0;
  const [concurrency, deployed, defaultVpc] = await Promise.all([
    reserves ? readAccountConcurrency(check.lambda) : Promise.resolve({ limit: 0, unreserved: 0 }),
    reserves ? check.deployed(plan) : Promise.resolve([]),
    planned.defaultVpcUsers.length > 0 ? hasDefaultVpc(check.ec2) : Promise.resolve(undefined),
  ]);
  const problems = accountProblems(plan.env, check.where ?? "the account", planned, concurrency, deployed, defaultVpc);
  if (problems.length > 0) {
    throw new OperationError(`The AWS account cannot take ${plan.env} as configured; nothing was changed.\n\n${problems.join("\n\n")}`);
  }
}

function sum(reservations: readonly FunctionReservation[]): number {
  return reservations.reduce((n, r) => n + r.reservedConcurrency, 0);
}

function group(reservations: readonly FunctionReservation[]): Map<string, FunctionReservation[]> {
  const byStack = new Map<string, FunctionReservation[]>();
  for (const r of reservations) byStack.set(r.stack, [...(byStack.get(r.stack) ?? []), r]);
  return byStack;
}
