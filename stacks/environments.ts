/** The environments a platform stack exists for, in promotion order. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The domains, each deployed as stack `<env>.<domain>`. */
export const DOMAINS = ["orders", "inventory", "payments", "shipping", "notifications", "checkout"] as const;
export type Domain = (typeof DOMAINS)[number];

/** A stack's role: the environment's platform, or one domain. */
export type StackKind = "platform" | Domain;

export interface StackIdentity {
  readonly env: Environment;
  readonly kind: StackKind;
  /** The stack's name: `<env>` for the platform, `<env>.<domain>` for a domain. */
  readonly stack: string;
}

/** The stack name of a kind in an environment. */
export function stackName(env: Environment, kind: StackKind): string {
  return kind === "platform" ? env : `${env}.${kind}`;
}

/** Every valid stack name, platform stacks first. */
export function allStackNames(): string[] {
  return ENVIRONMENTS.flatMap((env) => [env, ...DOMAINS.map((d) => `${env}.${d}`)]);
}

/** Reads a stack name; anything else fails with the list of valid names. */
export function parseStackName(stack: string): StackIdentity {
  const [env, domain, ...rest] = stack.split(".");
  const isEnv = (ENVIRONMENTS as readonly string[]).includes(env);
  const isDomain = domain === undefined || (DOMAINS as readonly string[]).includes(domain);
  if (!isEnv || !isDomain || rest.length > 0) {
    throw new Error(
      `Unknown stack "${stack}". Stacks are named <env> (the platform) or <env>.<domain>; valid names: ${allStackNames().join(", ")}.`,
    );
  }
  return { env: env as Environment, kind: (domain ?? "platform") as StackKind, stack };
}
