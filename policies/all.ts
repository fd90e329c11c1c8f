import type { OrderflowPolicy } from "./lib/define";
import { accessControlPolicies } from "./access-control";
import { apiProtectionPolicies } from "./api-protection";
import { dataProtectionPolicies } from "./data-protection";
import { deadLetterPolicies } from "./dead-letters";
import { ecsPolicies } from "./ecs";
import { leastPrivilegePolicies } from "./least-privilege";
import { loggingPolicies } from "./logging";
import { resourcePolicyPolicies } from "./resource-policies";
import { tracingPolicies } from "./tracing";

/** The pack's name, as `pulumi preview --policy-pack policies` reports it. */
export const PACK_NAME = "orderflow";

/** The level of a policy that neither the policy nor config sets. Every orderflow policy sets its own. */
export const PACK_ENFORCEMENT_LEVEL = "advisory";

/** Every policy of the pack, in the order the runtime runs them. */
export const orderflowPolicies: readonly OrderflowPolicy[] = [
  ...tracingPolicies,
  ...deadLetterPolicies,
  ...leastPrivilegePolicies,
  ...resourcePolicyPolicies,
  ...loggingPolicies,
  ...dataProtectionPolicies,
  ...ecsPolicies,
  ...accessControlPolicies,
  ...apiProtectionPolicies,
];
