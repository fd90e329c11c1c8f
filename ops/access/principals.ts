import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { bundleHandler } from "../../components/bundle";
import type { RecordedResource } from "../engine/recording-monitor";
import type { LocalGraph } from "../../localcloud/graph/graph";
import type { ContainerServiceSpec } from "../../localcloud/services/ecs/spec";
import type { FunctionSpec } from "../../localcloud/services/lambda/spec";
import type { PipeSpec } from "../../localcloud/services/pipes/spec";
import type { StateMachineSpec } from "../../localcloud/services/states/spec";

/** A role of the environment and what acts with it. */
export type Principal =
  | { readonly kind: "function"; readonly name: string; readonly roleArn: string; readonly fn: FunctionSpec; readonly entry: string }
  | { readonly kind: "worker-task"; readonly name: string; readonly roleArn: string; readonly service: ContainerServiceSpec; readonly entry: string }
  | { readonly kind: "worker-execution"; readonly name: string; readonly roleArn: string; readonly service: RecordedResource }
  | { readonly kind: "pipe"; readonly name: string; readonly roleArn: string; readonly pipe: PipeSpec; readonly resource: RecordedResource }
  | { readonly kind: "saga"; readonly name: string; readonly roleArn: string; readonly stateMachine: StateMachineSpec; readonly resource: RecordedResource }
  | { readonly kind: "service-role"; readonly name: string; readonly roleArn: string; readonly service: string; readonly role: RecordedResource };

/** A role the analysis cannot say what it is for: its needs are unknown, so its grants cannot be checked. */
export interface UnknownPrincipal {
  readonly name: string;
  readonly roleArn: string;
  readonly trustedBy: string;
}

/**
 * Every role of the environment, with what acts with it: a Lambda function (and its handler's entry file), the label
 * worker's task (its image's entry file) and execution roles, a pipe, a state machine, and a role an AWS service
 * assumes for an account setting (API Gateway's CloudWatch role).
 */
export function principalsOf(graph: LocalGraph, root: string): { principals: Principal[]; unknown: UnknownPrincipal[] } {
  const resources = graph.resources.flatMap((s) => s.resources);
  const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
  const entries = handlerEntriesByCodeDir(root);
  const principals: Principal[] = [];
  for (const fn of graph.functions) {
    const entry = entries.get(path.basename(fn.codeDir));
    if (!entry) throw new Error(`Function ${fn.component}'s code (${fn.codeDir}) is the bundle of no handler under handlers/: cannot tell which code runs as its role.`);
    principals.push({ kind: "function", name: fn.component, roleArn: fn.roleArn, fn, entry });
  }
  for (const service of graph.containerServices) {
    principals.push({ kind: "worker-task", name: service.component, roleArn: service.taskRoleArn, service, entry: workerEntry(service, root) });
  }
  for (const service of resources.filter((r) => r.type === "awsx:ecs:FargateService")) {
    const roleArn = String((((service.inputs.taskDefinitionArgs as Record<string, unknown>)?.executionRole ?? {}) as { roleArn?: string }).roleArn ?? "");
    if (roleArn) principals.push({ kind: "worker-execution", name: `${String(service.inputs.name ?? service.name)} (execution)`, roleArn, service });
  }
  for (const pipe of graph.pipes) principals.push({ kind: "pipe", name: pipe.component, roleArn: pipe.roleArn, pipe, resource: resources.find((r) => r.urn === pipe.urn)! });
  for (const sm of graph.stateMachines) principals.push({ kind: "saga", name: sm.component, roleArn: sm.roleArn, stateMachine: sm, resource: resources.find((r) => r.urn === sm.urn)! });

  const known = new Set(principals.map((p) => p.roleArn));
  const unknown: UnknownPrincipal[] = [];
  for (const role of roles) {
    const arn = String(role.outputs.arn);
    if (known.has(arn)) continue;
    const trustedBy = trustedServices(role);
    // API Gateway's account-wide CloudWatch role: the service writes every stage's access and execution logs with it.
    if (trustedBy.length === 1 && trustedBy[0] === "apigateway.amazonaws.com") {
      principals.push({ kind: "service-role", name: role.name, roleArn: arn, service: trustedBy[0], role });
    } else {
      unknown.push({ name: role.name, roleArn: arn, trustedBy: trustedBy.join(", ") || "no service" });
    }
  }
  return { principals, unknown };
}

/** The services a role's trust policy lets assume it. */
function trustedServices(role: RecordedResource): string[] {
  const raw = role.inputs.assumeRolePolicy;
  const document = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Statement?: { Principal?: { Service?: string | string[] } }[] } | undefined;
  return (document?.Statement ?? []).flatMap((s) => [s.Principal?.Service ?? []].flat());
}

/**
 * The handler file each deployed archive was bundled from. A function's code is the archive `components/bundle.ts`
 * wrote, named by the bundle's hash; bundling each handler file again (from the bundle cache) and matching the hash
 * names the file — the code the analysis reads is the code that is deployed.
 */
function handlerEntriesByCodeDir(root: string): Map<string, string> {
  const handlersRoot = path.join(root, "handlers");
  const byHash = new Map<string, string>();
  for (const file of readdirSync(handlersRoot, { recursive: true }).map(String)) {
    if (!file.endsWith(".ts") || file.split(path.sep).includes("label-worker")) continue;
    const text = readFileSync(path.join(handlersRoot, file), "utf8");
    if (!/^export (const|async function|function) handler\b/m.test(text)) continue;
    const bundle = bundleHandler({ handler: file.split(path.sep).join("/"), handlersRoot });
    byHash.set(bundle.hash, path.join("handlers", file).split(path.sep).join("/"));
  }
  return byHash;
}

/** The worker image's entry file: what its Dockerfile hands esbuild. */
function workerEntry(service: ContainerServiceSpec, root: string): string {
  if (!service.image) throw new Error(`Service ${service.component} has no image built from a Dockerfile: cannot tell which code runs as its task role.`);
  const dockerfile = [path.resolve(root, service.image.context, service.image.dockerfile), path.resolve(root, service.image.dockerfile)].find((f) => existsSync(f));
  if (!dockerfile) throw new Error(`Service ${service.component}'s Dockerfile ${service.image.dockerfile} was not found.`);
  const entry = /esbuild\s+(\S+\.ts)\b/.exec(readFileSync(dockerfile, "utf8"))?.[1];
  if (!entry) throw new Error(`${path.relative(root, dockerfile)} bundles no .ts entry with esbuild: cannot tell which code runs as ${service.component}'s task role.`);
  return entry;
}
