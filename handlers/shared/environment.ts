import * as z from "zod/mini";
import { ConfigurationError } from "./errors";
import { safeParse } from "./validation";

/** What a handler needs from its environment: one schema per variable. */
export type EnvironmentSpec = Record<string, z.ZodMiniType>;

/** A non-empty string: table names, bus names. */
export const nonEmpty = z.string().check(z.minLength(1));

/**
 * Reads and validates the handler's environment variables, at module load: a function deployed without its wiring
 * fails its first cold start with a message naming each variable, instead of failing later inside an AWS call.
 */
export function readEnvironment<S extends EnvironmentSpec>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): { readonly [K in keyof S]: z.infer<S[K]> } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(spec)) {
    const result = safeParse(schema, env[name]);
    if (result.success) {
      values[name] = result.data;
    } else {
      const received = env[name] === undefined ? "it is not set" : `got ${JSON.stringify(env[name])}`;
      const expected = result.error.issues[0]?.message;
      const wanted = expected && expected !== "Invalid input" ? expected : "a non-empty value";
      problems.push(`${name} must be ${wanted.replace(/^must be /, "")}, but ${received}`);
    }
  }
  if (problems.length > 0) {
    throw new ConfigurationError(`Environment variables are missing or invalid: ${problems.join("; ")}. Set them on the function.`);
  }
  return values as { readonly [K in keyof S]: z.infer<S[K]> };
}
