import { authentication } from "./authentication";
import { chaos } from "./chaos";
import { duplicates } from "./duplicates";
import { happyPath } from "./happy-path";
import { outOfStock } from "./out-of-stock";
import { paymentDeclined } from "./payment-declined";
import { poisonMessage } from "./poison-message";
import { priceTampering } from "./price-tampering";
import type { Scenario } from "./scenario";
import { transientSagaError } from "./transient-saga-error";

/** Every scenario, by name, in the order `--scenario all` runs them. */
export const SCENARIOS: readonly Scenario[] = [happyPath, outOfStock, paymentDeclined, priceTampering, duplicates, poisonMessage, transientSagaError, authentication, chaos];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
