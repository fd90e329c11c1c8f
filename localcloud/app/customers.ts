import * as z from "zod/mini";
import { customerId } from "../../handlers/shared/events";

/**
 * Why a customer id is not one the handlers accept (they take a token's `sub` as the customer id), or undefined: the
 * local token endpoint refuses to issue a token the app would refuse.
 */
export function customerIdProblem(customer: string): string | undefined {
  const invalid = z.safeParse(customerId, customer).error;
  return invalid ? (invalid.issues[0]?.message ?? "is invalid") : undefined;
}
