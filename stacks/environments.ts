/** The environments a platform stack exists for, in promotion order. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The domains, each deployed as stack `<env>.<domain>`. */
export const DOMAINS = ["orders", "inventory", "payments", "shipping", "notifications", "checkout"] as const;
export type Domain = (typeof DOMAINS)[number];

/**
 * The AWS accounts, and the environments each holds. An account is bootstrapped once (stack `bootstrap.<account>`,
 * stacks/bootstrap.ts) with what AWS keeps one of per account and region; its environments need that stack and do not
 * own it. prod has an account of its own: its reserved concurrency (850 with the default settings) and staging's (120)
 * do not fit together in an account with Lambda's default quota of 1,000, of which 100 stay unreserved.
 */
export const ACCOUNTS = { nonprod: ["dev", "staging"], prod: ["prod"] } as const satisfies Record<string, readonly Environment[]>;
export type Account = keyof typeof ACCOUNTS;

/** The account that holds an environment. */
export function accountOf(env: Environment): Account {
  return (Object.keys(ACCOUNTS) as Account[]).find((account) => (ACCOUNTS[account] as readonly Environment[]).includes(env))!;
}

/** A stack's role: its account's bootstrap, the environment's platform, or one domain. */
export type StackKind = "bootstrap" | "platform" | Domain;

/** A stack of an environment: its platform or one of its domains. */
export interface EnvironmentStackIdentity {
  readonly env: Environment;
  readonly kind: Exclude<StackKind, "bootstrap">;
  /** The stack's name: `<env>` for the platform, `<env>.<domain>` for a domain. */
  readonly stack: string;
}

/** An account's bootstrap stack, `bootstrap.<account>`. */
export interface BootstrapStackIdentity {
  readonly account: Account;
  readonly kind: "bootstrap";
  readonly stack: string;
}

export type StackIdentity = EnvironmentStackIdentity | BootstrapStackIdentity;

/** The prefix of the bootstrap stacks' names. */
const BOOTSTRAP = "bootstrap";

/** The stack name of a kind in an environment (for `bootstrap`, the bootstrap of the environment's account). */
export function stackName(env: Environment, kind: StackKind): string {
  if (kind === "bootstrap") return `${BOOTSTRAP}.${accountOf(env)}`;
  return kind === "platform" ? env : `${env}.${kind}`;
}

/** Every valid stack name: the accounts' bootstrap stacks, then each environment's platform and domains. */
export function allStackNames(): string[] {
  return [
    ...Object.keys(ACCOUNTS).map((account) => `${BOOTSTRAP}.${account}`),
    ...ENVIRONMENTS.flatMap((env) => [env, ...DOMAINS.map((d) => `${env}.${d}`)]),
  ];
}

/** Reads a stack name; anything else fails with the list of valid names. */
export function parseStackName(stack: string): StackIdentity {
  const [first, second, ...rest] = stack.split(".");
  if (first === BOOTSTRAP && second !== undefined && second in ACCOUNTS && rest.length === 0) {
    return { account: second as Account, kind: "bootstrap", stack };
  }
  const isEnv = (ENVIRONMENTS as readonly string[]).includes(first);
  const isDomain = second === undefined || (DOMAINS as readonly string[]).includes(second);
  if (!isEnv || !isDomain || rest.length > 0) {
    throw new Error(
      `Unknown stack "${stack}". Stacks are named bootstrap.<account>, <env> (the platform) or <env>.<domain>; valid names: ${allStackNames().join(", ")}.`,
    );
  }
  return { env: first as Environment, kind: (second ?? "platform") as EnvironmentStackIdentity["kind"], stack };
}

/** Reads the name of an environment's stack; a bootstrap stack's name fails, saying where that program belongs. */
export function parseEnvironmentStackName(stack: string): EnvironmentStackIdentity {
  const id = parseStackName(stack);
  if (id.kind === "bootstrap") throw new Error(`Stack "${stack}" is an account's bootstrap stack, not a stack of an environment.`);
  return id;
}
