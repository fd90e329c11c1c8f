import { strict as assert } from "node:assert";
import { list, parsePolicy, type IamStatement, type MockedRun, type RecordedResource } from "./pulumi";

// Look-ups for the Queue, DeadLetterQueue and Topic tests: the raw SQS queue of a component, the one policy of a
// queue or topic, and a role's grants in a comparable shape.

export const QUEUE = "aws:sqs/queue:Queue";
export const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
export const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/** The raw SQS queue a Queue or DeadLetterQueue component called `componentName` created. */
export function sqsQueueOf(run: MockedRun, componentName: string): RecordedResource {
  return run.one(QUEUE, `${componentName}Queue`);
}

/** The ARN of that raw queue. */
export function queueArnOf(run: MockedRun, componentName: string): string {
  return String(sqsQueueOf(run, componentName).outputs.arn);
}

/** The statements of the one queue policy attached to the component's queue; fails unless there is exactly one. */
export function queuePolicyStatements(run: MockedRun, componentName: string): IamStatement[] {
  const url = sqsQueueOf(run, componentName).outputs.url;
  const policies = run.ofType(QUEUE_POLICY).filter((p) => p.inputs.queueUrl === url);
  assert.equal(policies.length, 1, `expected one queue policy on ${componentName}, found ${policies.length}`);
  return parsePolicy(policies[0].inputs.policy).Statement;
}

/** The TLS-only deny every queue and topic policy starts with. */
export function tlsDeny(action: string, resource: string): IamStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A service admitted to one action on one resource, only on behalf of `sourceArn`. */
export function serviceAllow(service: string, action: string, resource: string, sourceArn: string, operator = "ArnEquals"): IamStatement {
  return {
    Effect: "Allow",
    Principal: { Service: service },
    Action: action,
    Resource: resource,
    Condition: { [operator]: { "aws:SourceArn": sourceArn } },
  };
}

/** Every Allow statement on a role (by logical name), as sorted actions and resources; fails on any Deny. */
export function grantsOf(run: MockedRun, roleLogicalName: string): { actions: string[]; resources: string[] }[] {
  const roleName = String(run.one("aws:iam/role:Role", roleLogicalName).outputs.name);
  return run.statementsOf(roleName).map((s) => {
    assert.equal(s.Effect, "Allow");
    return { actions: list(s.Action), resources: list(s.Resource) };
  });
}

/** Runs `build`, expecting it to throw; returns the error so a program can go on and prove nothing was created. */
export function thrownBy(build: () => unknown): Error {
  try {
    build();
  } catch (error) {
    return error as Error;
  }
  throw new assert.AssertionError({ message: "expected the call to throw" });
}
