import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Collected } from "../../components/collected";
import { grant, type GranteeLike } from "../../components/grant";
import type { IQueue, IStateMachine, ITopic, PolicyStatement } from "../../components/interfaces";
import { parsePolicy, type IamStatement, type MockedRun } from "./pulumi";

// Bare stand-ins for the Queue, Topic and Saga components where a test is about something that only uses their
// interfaces (a rule's targets, a pipe's source): a real AWS resource each, one collected resource policy, and the
// exact grant actions of the interfaces' contracts.

export const SEND_ACTIONS = ["sqs:SendMessage"];
export const CONSUME_ACTIONS = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"];
export const POLL_ACTIONS = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"];

/** An IQueue over a bare SQS queue, whose queue policy holds what was added to it. */
export function testQueue(name: string, options: { fifo?: boolean } = {}): IQueue {
  const queue = new aws.sqs.Queue(name, { fifoQueue: options.fifo || undefined });
  const statements = new Collected<pulumi.Input<PolicyStatement>>(`test queue "${name}"`, "queue policy statements");
  new aws.sqs.QueuePolicy(`${name}Policy`, {
    queueUrl: queue.url,
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements.all }),
  });
  return {
    name,
    arn: queue.arn,
    url: queue.url,
    fifo: options.fifo ?? false,
    addToResourcePolicy: (statement) => statements.add(statement),
    grantSend: (grantee: GranteeLike) => grant(grantee, `send-${name}`, [{ actions: SEND_ACTIONS, resources: [queue.arn] }]),
    grantConsume: (grantee: GranteeLike) => grant(grantee, `consume-${name}`, [{ actions: CONSUME_ACTIONS, resources: [queue.arn] }]),
    grantPoll: (grantee: GranteeLike) => grant(grantee, `poll-${name}`, [{ actions: POLL_ACTIONS, resources: [queue.arn] }]),
  };
}

/** An ITopic over a bare SNS topic, whose topic policy holds what was added to it. */
export function testTopic(name: string, options: { fifo?: boolean } = {}): ITopic {
  const topic = new aws.sns.Topic(name, { fifoTopic: options.fifo || undefined });
  const statements = new Collected<pulumi.Input<PolicyStatement>>(`test topic "${name}"`, "topic policy statements");
  new aws.sns.TopicPolicy(`${name}Policy`, {
    arn: topic.arn,
    policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements.all }),
  });
  return {
    name,
    arn: topic.arn,
    fifo: options.fifo ?? false,
    addToResourcePolicy: (statement) => statements.add(statement),
    grantPublish: (grantee: GranteeLike) => grant(grantee, `publish-${name}`, [{ actions: ["sns:Publish"], resources: [topic.arn] }]),
  };
}

/** A topic that owns its customer key: it records the services it was asked to admit instead of taking statements. */
export function testKeyedTopic(name: string): ITopic & { admitted: { principal: string; sourceArn: pulumi.Input<string> }[] } {
  const topic = testTopic(name);
  const admitted: { principal: string; sourceArn: pulumi.Input<string> }[] = [];
  return {
    ...topic,
    kmsKeyArn: pulumi.output("arn:aws:kms:us-east-1:123456789012:key/test-topic-key"),
    admitted,
    addToResourcePolicy: () => {
      throw new Error("a keyed topic takes service principals through allowServicePublish");
    },
    allowServicePublish(principal: string, sourceArn: pulumi.Input<string>) {
      admitted.push({ principal, sourceArn });
    },
  } as ITopic & { admitted: typeof admitted };
}

/** An IStateMachine over a bare Step Functions state machine. */
export function testStateMachine(name: string): IStateMachine {
  const role = new aws.iam.Role(`${name}Role`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const machine = new aws.sfn.StateMachine(name, {
    roleArn: role.arn,
    definition: JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Succeed" } } }),
  });
  return {
    name,
    arn: machine.arn,
    grantStart: (grantee: GranteeLike) => grant(grantee, `start-${name}`, [{ actions: ["states:StartExecution"], resources: [machine.arn] }]),
  };
}

/** Every statement of every queue and topic policy whose Resource is `arn`. */
export function resourcePolicyStatements(run: MockedRun, arn: string): IamStatement[] {
  return [...run.ofType("aws:sqs/queuePolicy:QueuePolicy"), ...run.ofType("aws:sns/topicPolicy:TopicPolicy")]
    .flatMap((p) => parsePolicy(p.inputs.policy).Statement)
    .filter((s) => (Array.isArray(s.Resource) ? s.Resource.includes(arn) : s.Resource === arn));
}

/** The physical name the mock gave a role, by its logical name. */
export function roleNameOf(run: MockedRun, logicalName: string): string {
  return String(run.one("aws:iam/role:Role", logicalName).outputs.name);
}

/** An output of the one resource with this logical name. */
export function outputOf(run: MockedRun, logicalName: string, key = "arn"): string {
  return String(run.named(logicalName).outputs[key]);
}
