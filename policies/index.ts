// The pack's entry point: `pulumi preview --policy-pack policies` runs this file. Constructing the PolicyPack starts
// the analyzer's gRPC server, so nothing else may import it (tests and the offline preview import ./all instead).
import { PolicyPack, type Policies } from "@pulumi/policy";
import { orderflowPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./all";

new PolicyPack(PACK_NAME, {
  description: "orderflow guardrails: tracing, dead-letter queues, least privilege, logging, encryption and access control.",
  enforcementLevel: PACK_ENFORCEMENT_LEVEL,
  policies: orderflowPolicies as unknown as Policies,
});
