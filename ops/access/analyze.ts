import path from "node:path";
import type { Environment } from "../../stacks/environments";
import { buildLocalGraph, type LocalGraph } from "../../localcloud/graph/graph";
import { synthesizeResolvedEnvironment, type ResolvedStack } from "../offline/synthesize";
import { REPO_ROOT } from "../repo-root";
import type { AccessRecord } from "./access-record";
import { CodeAnalysis } from "./code-calls";
import { codeNeeds } from "./code-needs";
import { GrantCalls } from "./grant-calls";
import { grantsByRole } from "./granted";
import type { Need, Unresolved } from "./need";
import { platformNeeds } from "./platform-needs";
import { principalsOf, type Principal } from "./principals";
import { verdictOn, type PrincipalVerdict } from "./verdict";

export interface AccessAnalysisOptions {
  readonly env: Environment;
  /** @default the repository root */
  readonly root?: string;
  /** The environment's resolved stacks, when the caller has them. @default synthesized here */
  readonly stacks?: readonly ResolvedStack[];
  /** What a local run recorded; without it the verdict is the static one. */
  readonly record?: AccessRecord;
}

/** The verdict on an environment: per principal, and the problems no principal's verdict can hold. */
export interface EnvironmentVerdict {
  readonly env: Environment;
  readonly principals: readonly PrincipalVerdict[];
  /** Roles the analysis cannot tell the needs of, and policies it cannot read: errors, since they hide grants. */
  readonly blind: readonly string[];
  /** Whether a local run's decisions were taken into account. */
  readonly recorded: boolean;
}

/**
 * Least privilege, checked: synthesizes the environment, finds every role and what acts with it, what each can ask
 * for (its code's AWS calls, statically, and the AWS services' calls with its role), what it is granted, and —
 * with a recorded local run — what it used; then judges each principal (verdict.ts).
 */
export async function analyzeAccess(options: AccessAnalysisOptions): Promise<EnvironmentVerdict> {
  const root = options.root ?? REPO_ROOT;
  const stacks = options.stacks ?? (await synthesizeResolvedEnvironment({ env: options.env, root }));
  const graph = await buildLocalGraph(options.env, stacks[0].cloud, stacks.map((s) => ({ stack: s.stack, resources: s.resolved.resources })));
  const { principals, unknown } = principalsOf(graph, root);
  const { grants, opaque } = grantsByRole(graph.resources.flatMap((s) => s.resources));
  const needs = await needsOf(principals, graph, root);
  const grantCalls = new GrantCalls(path.join(root, "components"));

  const verdicts: PrincipalVerdict[] = [];
  for (const principal of principals) {
    const recorded = options.record?.principals.find((p) => p.principal === principal.roleArn);
    verdicts.push(
      await verdictOn(
        {
          name: principal.name,
          roleArn: principal.roleArn,
          grants: grants.get(principal.roleArn) ?? [],
          ...needs.get(principal)!,
          ...(options.record ? { used: recorded?.decisions ?? [] } : {}),
        },
        grantCalls,
        graph.cloud.account,
      ),
    );
  }
  const blind = [
    ...unknown.map((u) => `role ${u.name} (assumed by ${u.trustedBy}) is used by nothing the analysis knows, so its needs are unknown: add a rule for it in ops/access/platform-needs.ts`),
    ...opaque.map((o) => `role ${o.roleArn} has the managed policy ${o.policyArn} attached, which is not in the graph (an AWS managed policy): grant exact actions with the components' grant methods instead`),
  ];
  return { env: options.env, principals: verdicts, blind, recorded: options.record !== undefined };
}

/** Each principal's needs: its code's calls (functions, the worker's task) and the services' calls with its role. */
async function needsOf(principals: readonly Principal[], graph: LocalGraph, root: string): Promise<Map<Principal, { needs: Need[]; unresolved: Unresolved[] }>> {
  const entries = principals.flatMap((p) => (p.kind === "function" || p.kind === "worker-task" ? [p.entry] : []));
  const code = codeAnalysisOf(root, entries);
  const result = new Map<Principal, { needs: Need[]; unresolved: Unresolved[] }>();
  for (const principal of principals) {
    const own = principal.kind === "function" || principal.kind === "worker-task" ? codeNeeds(await code.calls(principal.entry), environmentOf(principal), graph) : { needs: [], unresolved: [] };
    result.set(principal, { needs: [...own.needs, ...(await platformNeeds(principal, graph))], unresolved: own.unresolved });
  }
  return result;
}

// One TypeScript program per process and set of entries: building it costs seconds, and the environments of one run
// (dev, staging, prod; a test's variants) run the same handlers. A process that edits handlers must not rely on it.
const codeAnalyses = new Map<string, CodeAnalysis>();

function codeAnalysisOf(root: string, entries: readonly string[]): CodeAnalysis {
  const unique = [...new Set(entries)].sort();
  const key = [root, ...unique].join("\0");
  let analysis = codeAnalyses.get(key);
  if (!analysis) {
    analysis = new CodeAnalysis(root, unique);
    codeAnalyses.set(key, analysis);
  }
  return analysis;
}

function environmentOf(principal: Extract<Principal, { kind: "function" | "worker-task" }>): Readonly<Record<string, string>> {
  return principal.kind === "function" ? principal.fn.environment : principal.service.container.environment;
}
