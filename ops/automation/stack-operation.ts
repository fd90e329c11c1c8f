import type { EngineEvent, OpMap } from "@pulumi/pulumi/automation";
import { classifyDrift } from "./drift";
import { failureReport, isPulumiCliMissing, PulumiCliMissingError, summarizeError } from "./errors";
import type { Operation } from "./plan";
import type { PolicyPackOptions } from "./policy";
import type { PolicyViolation, StackResult } from "./stack-result";
import type { OperableStack } from "./workspace";

export interface StackOperationOptions {
  /** Attached to preview and up only: destroy removes everything anyway, and drift is about the cloud, not the rules. */
  readonly policy: PolicyPackOptions;
  /** Each chunk of the CLI's output, for the progress display. */
  readonly onOutput: (text: string) => void;
  /** `--diff`: the CLI prints each resource's properties. */
  readonly diff?: boolean;
  /** `--suppress-outputs`: the CLI leaves the stack's outputs out. */
  readonly suppressOutputs?: boolean;
}

/** What runs on one stack: an operation, or the preview of a destroy that `destroy` shows before asking. */
export type StackStep = Operation | "preview-destroy";

type Outcome = Pick<StackResult, "status" | "changes" | "error" | "policyViolations" | "drift" | "events">;

/**
 * Runs one operation on one stack and says how it went. Failures of the stack come back as a "failed" outcome; only a
 * missing Pulumi CLI throws, because every other stack would fail the same way.
 */
export async function runStackOperation(operation: StackStep, stack: OperableStack, options: StackOperationOptions): Promise<Outcome> {
  const events: EngineEvent[] = [];
  const common = {
    color: "never" as const,
    onOutput: options.onOutput,
    onEvent: (event: EngineEvent) => events.push(event),
    ...(options.diff ? { diff: true } : {}),
    ...(options.suppressOutputs ? { suppressOutputs: true } : {}),
  };
  try {
    switch (operation) {
      case "up": {
        const result = await stack.up({ ...common, ...options.policy });
        return succeeded(result.summary.resourceChanges, events);
      }
      case "preview": {
        const result = await stack.preview({ ...common, ...options.policy });
        return succeeded(result.changeSummary, events);
      }
      case "preview-destroy": {
        const result = await stack.previewDestroy(common);
        return succeeded(result.changeSummary, events);
      }
      case "destroy": {
        const result = await stack.destroy(common);
        return succeeded(result.summary.resourceChanges, events);
      }
      case "drift": {
        // A preview with refresh compares the cloud with the program without writing anything. `pulumi refresh`
        // (even with expectNoChanges) would write the drifted cloud state into the stack's state before failing, so
        // the next `up` would no longer see the drift to repair it.
        const result = await stack.preview({ ...common, refresh: true, expectNoChanges: true });
        const drift = classifyDrift({ events, changeSummary: result.changeSummary });
        return { status: "succeeded", changes: result.changeSummary, policyViolations: [], drift };
      }
    }
  } catch (error) {
    if (isPulumiCliMissing(error)) throw new PulumiCliMissingError(summarizeError(error));
    if (operation === "drift") {
      const drift = classifyDrift({ events, error });
      return drift.status === "error"
        ? { status: "failed", error: drift.error, policyViolations: [], drift }
        : { status: "succeeded", policyViolations: [], drift };
    }
    return { status: "failed", error: failureReport(error), policyViolations: policyViolations(events), events };
  }
}

function succeeded(changes: OpMap | undefined, events: readonly EngineEvent[]): Outcome {
  return { status: "succeeded", changes: changes ?? {}, policyViolations: policyViolations(events), events };
}

/** The policy events of an operation: mandatory ones are why it failed, warnings are the advisory findings. */
export function policyViolations(events: readonly EngineEvent[]): PolicyViolation[] {
  return events.flatMap((event) => {
    const policy = event.policyEvent;
    if (!policy) return [];
    return [
      {
        policy: policy.policyName,
        level: policy.enforcementLevel,
        ...(policy.resourceUrn ? { resource: policy.resourceUrn } : {}),
        message: policy.message.trim(),
      },
    ];
  });
}
