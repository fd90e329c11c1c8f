import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Grantee, GranteeLike } from "./grant";

// What components know of each other. An EventBus rule can target any IQueue, so a queue created here and one
// imported from another stack get the same targets and the same exact grants (CDK's IQueue / QueueBase split).

/** An IAM policy statement as resource policies hold it. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { Service?: string | string[]; AWS?: string | string[] };
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface IQueue {
  /** Names the queue in errors and derived resources. */
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly fifo: boolean;
  /** The customer-managed KMS key's ARN, when the queue uses one. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** Adds a statement to the queue's one resource policy (see Collected for why there is only one). */
  addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void;
  /** sqs:SendMessage on this queue (+ kms:GenerateDataKey, kms:Decrypt with a customer key). */
  grantSend(grantee: GranteeLike): aws.iam.RolePolicy;
  /** sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility (+ kms:Decrypt): a consumer's own loop. */
  grantConsume(grantee: GranteeLike): aws.iam.RolePolicy;
  /** sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes (+ kms:Decrypt): an event source mapping's or pipe's polling. */
  grantPoll(grantee: GranteeLike): aws.iam.RolePolicy;
}

export interface ITopic {
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  readonly fifo: boolean;
  readonly kmsKeyArn?: pulumi.Output<string>;
  addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void;
  /** sns:Publish on this topic (+ kms:Decrypt, kms:GenerateDataKey* with a customer key). */
  grantPublish(grantee: GranteeLike): aws.iam.RolePolicy;
}

export interface IFunction {
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  /** The function's physical name, as lambda permissions and event source mappings take it. */
  readonly functionName: pulumi.Output<string>;
  /** lambda:InvokeFunction on the function ARN and `arn:*` (versions and aliases). */
  grantInvoke(grantee: GranteeLike): aws.iam.RolePolicy;
}

/** A function of this stack, which can consume from a queue: its role receives the grants, its timeout sizes the queue. */
export interface IConsumerFunction extends IFunction, Grantee {
  /** Timeout in seconds, known at program time: queues size their visibility timeout from it. */
  readonly timeoutSeconds: number;
  /** Concurrent executions reserved for it, known at program time (subscriptions stay within them); none when unreserved. */
  readonly reservedConcurrency?: number;
}

export interface IEventBus {
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  /** The bus's physical name, as rules take it. */
  readonly busName: pulumi.Output<string>;
  /** events:PutEvents on this bus. */
  grantPutEvents(grantee: GranteeLike): aws.iam.RolePolicy;
}

export interface IStateMachine {
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  /** states:StartExecution on this state machine. */
  grantStart(grantee: GranteeLike): aws.iam.RolePolicy;
}

export interface ITable {
  readonly name: string;
  readonly arn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  /** The stream's ARN; undefined when the table has no stream. */
  readonly streamArn?: pulumi.Output<string>;
  /** Exactly these table actions (one call per grantee). */
  grant(grantee: GranteeLike, ...actions: string[]): aws.iam.RolePolicy;
  grantReadData(grantee: GranteeLike): aws.iam.RolePolicy;
  grantWriteData(grantee: GranteeLike): aws.iam.RolePolicy;
  grantReadWriteData(grantee: GranteeLike): aws.iam.RolePolicy;
  grantIdempotencyStore(grantee: GranteeLike): aws.iam.RolePolicy;
  grantStreamRead(grantee: GranteeLike): aws.iam.RolePolicy;
}
