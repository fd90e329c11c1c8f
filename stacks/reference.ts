import * as pulumi from "@pulumi/pulumi";
import { requires, type StackOutputs } from "./contracts";
import { parseStackName, stackName, type Environment, type StackKind } from "./environments";

/** A producer stack's outputs, each typed by its contract. */
export type Reference<P extends StackKind> = { readonly [K in keyof StackOutputs<P>]: pulumi.Output<StackOutputs<P>[K]> };

/** An upstream stack lacks an output its consumer requires. */
export class MissingStackOutputError extends Error {
  constructor(producerStack: string, output: string, consumerStack: string) {
    super(
      `Stack "${producerStack}" has no output "${output}", which "${consumerStack}" requires. ` +
        `Deploy "${producerStack}" first (orderflow up --env <env>, or pulumi up --stack ${producerStack}).`,
    );
    this.name = "MissingStackOutputError";
  }
}

// One StackReference per producer and program run: two would register the same URN twice.
const referencesByRun = new WeakMap<object, Map<string, pulumi.StackReference>>();

function stackReference(qualifiedName: string): pulumi.StackReference {
  const run = pulumi.runtime.getStackResource() ?? referencesByRun;
  const refs = referencesByRun.get(run) ?? new Map<string, pulumi.StackReference>();
  referencesByRun.set(run, refs);
  const existing = refs.get(qualifiedName);
  if (existing) return existing;
  const ref = new pulumi.StackReference(qualifiedName);
  refs.set(qualifiedName, ref);
  return ref;
}

/**
 * The outputs of the `producer` stack of an environment, for the stack being run. Reading an output the consumer does
 * not declare in `requires` (stacks/contracts.ts) fails, so the dependency graph derived from the contracts stays true.
 * The organization comes from config `orderflow:org` (default `organization`).
 *
 * A missing output fails naming it and the stack to deploy, except in a preview of a producer that has no state yet
 * (never deployed: a first preview of a new environment): there its outputs are unknown, as the producer's own preview
 * shows them, and a warning says so.
 */
export function reference<P extends StackKind>(env: Environment, producer: P): Reference<P> {
  const { consumer, producerStack, ref } = upstream(env, producer);
  return new Proxy({} as Reference<P>, {
    get(_target, key) {
      if (typeof key !== "string") return undefined;
      requireDeclared(consumer.kind, producer, key);
      // Check presence first so the failure names the output and the stack to deploy, then read it through
      // requireOutput, which keeps secrets secret.
      return ref.outputs.apply((outputs): pulumi.Output<unknown> => {
        if (key in outputs) return ref.requireOutput(key);
        if (pulumi.runtime.isDryRun() && Object.keys(outputs).length === 0) {
          warnNeverDeployed(producerStack, consumer.stack, "its outputs are unknown in this preview");
          return pulumi.output(pulumi.unknown);
        }
        throw new MissingStackOutputError(producerStack, key, consumer.stack);
      });
    },
  });
}

/**
 * Whether the `producer` stack has been deployed: a stack that exists but was never updated (as `orderflow preview`
 * leaves the stacks of a new environment) has no outputs at all.
 */
export async function isDeployed(env: Environment, producer: StackKind): Promise<boolean> {
  const { ref } = upstream(env, producer);
  const outputs = await (ref.outputs as unknown as { promise(): Promise<Record<string, unknown> | undefined> }).promise();
  return Object.keys(outputs ?? {}).length > 0;
}

// One warning per producer and consumer in a run; the engine prints it with the consumer's preview.
const warned = new WeakMap<object, Set<string>>();

/** Says, once per run, that a preview shows a stack as if its producer were deployed, and from what. */
export function warnNeverDeployed(producerStack: string, consumerStack: string, consequence: string): void {
  const run = pulumi.runtime.getStackResource() ?? warned;
  const seen = warned.get(run) ?? new Set<string>();
  warned.set(run, seen);
  const key = `${producerStack}|${consequence}`;
  if (seen.has(key)) return;
  seen.add(key);
  pulumi.log.warn(
    `Stack "${producerStack}" has not been deployed yet, so ${consequence}. "${consumerStack}" can be deployed once "${producerStack}" is ` +
      `(orderflow up deploys them in order).`,
  );
}

/** The value of one upstream output, resolved at program start (for settings that shape what the program creates). */
export async function referenceValue<P extends StackKind, K extends keyof StackOutputs<P> & string>(
  env: Environment,
  producer: P,
  key: K,
): Promise<StackOutputs<P>[K]> {
  const { consumer, producerStack, ref } = upstream(env, producer);
  requireDeclared(consumer.kind, producer, key);
  const details = await ref.getOutputDetails(key);
  const value = details.value ?? details.secretValue;
  if (value === undefined) throw new MissingStackOutputError(producerStack, key, consumer.stack);
  return value as StackOutputs<P>[K];
}

function upstream(env: Environment, producer: StackKind) {
  const consumer = parseStackName(pulumi.getStack());
  const org = new pulumi.Config("orderflow").get("org") ?? "organization";
  const producerStack = stackName(env, producer);
  return { consumer, producerStack, ref: stackReference(`${org}/${pulumi.getProject()}/${producerStack}`) };
}

function requireDeclared(consumer: StackKind, producer: StackKind, key: string): void {
  const declared: readonly string[] = (requires[consumer] as Partial<Record<StackKind, readonly string[]>>)[producer] ?? [];
  if (!declared.includes(key)) {
    throw new Error(
      `The ${consumer} stack reads "${key}" from the ${producer} stack, but stacks/contracts.ts does not declare it: ` +
        `add it to requires.${consumer}.${producer}.`,
    );
  }
}
