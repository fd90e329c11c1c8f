import { obj, type GraphResources, type Origin } from "../../graph/resources";

export interface StateMachineSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly type: "STANDARD" | "EXPRESS";
  readonly definition: string;
  readonly roleArn: string;
  readonly tracing: boolean;
}

/** The graph's state machines. */
export function readStateMachines(graph: GraphResources): StateMachineSpec[] {
  const { of, origin, out } = graph;
  return of("aws:sfn/stateMachine:StateMachine").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    arn: String(out(r).arn),
    type: r.inputs.type === "EXPRESS" ? "EXPRESS" : "STANDARD",
    definition: String(r.inputs.definition),
    roleArn: String(r.inputs.roleArn),
    tracing: obj(r.inputs.tracingConfiguration).enabled === true,
  }));
}
