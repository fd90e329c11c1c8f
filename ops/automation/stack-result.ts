import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import type { StackKind } from "../../stacks/environments";
import type { DriftReport } from "./drift";

/** A policy the pack reported on a stack during preview or up. */
export interface PolicyViolation {
  readonly policy: string;
  /** `mandatory` fails the operation; `warning` is the CLI's word for advisory. */
  readonly level: "mandatory" | "warning";
  readonly resource?: string;
  readonly message: string;
}

/** What happened to one stack of a run. */
export interface StackResult {
  readonly kind: StackKind;
  readonly stack: string;
  readonly status: "succeeded" | "failed" | "skipped";
  /** Resource counts by step, as the operation reported them. */
  readonly changes?: OpMap;
  /** Why it failed, in the engine's words. */
  readonly error?: string;
  readonly policyViolations: readonly PolicyViolation[];
  /** For a skipped stack: the failed stack it waited for (the first failure up the chain). */
  readonly skippedBecause?: string;
  /** For drift: the classification of the stack. */
  readonly drift?: DriftReport;
  /** The engine's events (steps, diagnostics, policy events): what `details` shows of a plan. */
  readonly events?: readonly EngineEvent[];
}
