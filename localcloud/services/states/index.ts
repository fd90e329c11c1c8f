import { jsonAuthErrors } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { events } from "../events";
import { lambda } from "../lambda";
import { xray } from "../xray";
import { statesPermissions } from "./permissions";
import { StepFunctionsService } from "./service";

/**
 * Step Functions: the graph's state machines, started by pipes and deliveries. Its API is known to IAM but not served
 * on the endpoint (nothing in the app calls it).
 */
export const states = serviceModule<StepFunctionsService>({
  name: "states",
  icon: "◇",
  api: { protocol: "json", targetPrefixes: ["AWSStepFunctions"] },
  iam: { prefix: "states", permissions: statesPermissions, deliveryAction: "states:StartExecution", errors: jsonAuthErrors() },
  receives: (service) => (arn, payload, o) => void service.start(arn, payload, { traceId: o.traceId, source: o.source }),
  build: (cloud) => {
    const bus = cloud.service(events);
    return new StepFunctionsService(
      cloud.graph.stateMachines,
      cloud.service(lambda),
      async (entries, traceId, source, roleArn) => {
        // The state machine's role calls PutEvents: every bus it names must allow it.
        for (const p of cloud.operations.requiredPermissions({ protocol: "json", targetPrefix: "AWSEvents", operation: "PutEvents", input: { Entries: entries } }, cloud.graph) ?? []) {
          await cloud.iam?.assertAllowed({ principal: roleArn, action: p.action, resource: p.resource, via: source, ...(traceId ? { traceId } : {}) });
        }
        const results = entries.map((e) => bus.put(e, traceId, source));
        return { Entries: results, FailedEntryCount: results.filter((r) => "ErrorCode" in r).length };
      },
      cloud.clock,
      cloud.activity,
      cloud.service(xray),
    );
  },
  stop: (service) => service.stop(),
});
