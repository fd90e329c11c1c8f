import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Collected } from "./collected";
import { grant, KMS_DECRYPT, type GranteeLike, type Permission } from "./grant";
import type { IQueue, PolicyStatement } from "./interfaces";
import { transform, type Transform } from "./transform";

// What every SQS queue of orderflow shares, whether it is a Queue, a DeadLetterQueue or imported from another stack:
// the exact grants (CDK's QueueBase), encryption at rest and the one TLS-only queue policy. It lives apart from
// queue.ts because Queue creates DeadLetterQueues, and both extend this base.

// Each grant is what its caller's requests are authorized as, and no more (`orderflow access` checks every grant
// against the code's calls and AWS's own): a producer only sends (the SDK takes the queue's URL from configuration,
// so no GetQueueUrl; nothing reads attributes), a consumer's loop receives, deletes and hands messages back, and
// Lambda's event source mappings and EventBridge Pipes poll with ReceiveMessage, DeleteMessage and GetQueueAttributes.
// CDK's grantSendMessages and grantConsumeMessages add GetQueueAttributes and GetQueueUrl to both.

/** sqs:SendMessage: what SendMessage and SendMessageBatch are authorized as. */
export const QUEUE_SEND_ACTIONS = ["sqs:SendMessage"] as const;

/** What a consumer's own loop needs: receive, delete, and change a message's visibility (to hand it back early). */
export const QUEUE_CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"] as const;

/**
 * What a Lambda event source mapping or an EventBridge Pipe polls a queue with, in its function's or pipe's role.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
 */
export const QUEUE_POLL_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"] as const;

/**
 * What a producer needs on the queue's customer key: SQS generates a data key and decrypts it to encrypt the message.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
 */
export const KMS_SEND_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"] as const;

/** The largest message retention SQS allows, and the one dead-letter queues keep: 14 days. */
export const MAX_RETENTION_SECONDS = 1_209_600;
/** The smallest message retention SQS allows: 60 seconds. */
export const MIN_RETENTION_SECONDS = 60;

/**
 * The grants every queue offers, whether this stack owns it (`Queue`, `DeadLetterQueue`) or imports it
 * (`Queue.fromAttributes`). Resources are always the exact queue ARN (and the exact key ARN for KMS).
 */
export abstract class QueueBase extends pulumi.ComponentResource implements IQueue {
  /** The logical name; names the grant policies and derived resources. */
  readonly name: string;
  /** The ARN of the queue. */
  abstract readonly arn: pulumi.Output<string>;
  /** The URL of the queue. */
  abstract readonly url: pulumi.Output<string>;
  /** Whether the queue is FIFO. */
  abstract readonly fifo: boolean;
  /** The customer-managed KMS key encrypting the queue, when there is one. */
  abstract readonly kmsKeyArn?: pulumi.Output<string>;

  protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.name = name;
  }

  /** Adds a statement to the queue's one resource policy. */
  abstract addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void;

  /**
   * Sends messages: sqs:SendMessage on this queue (+ kms:GenerateDataKey, kms:Decrypt on the key when the queue uses a
   * customer key).
   */
  grantSend(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `send-${this.name}`, this.permissions(QUEUE_SEND_ACTIONS, KMS_SEND_ACTIONS));
  }

  /**
   * Consumes messages in the grantee's own loop: sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility on
   * this queue (+ kms:Decrypt on the key when the queue uses a customer key).
   */
  grantConsume(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `consume-${this.name}`, this.permissions(QUEUE_CONSUME_ACTIONS, KMS_DECRYPT));
  }

  /**
   * Lets a Lambda event source mapping (in the function's role) or a pipe (in its role) poll this queue:
   * sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes (+ kms:Decrypt with a customer key).
   */
  grantPoll(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `poll-${this.name}`, this.permissions(QUEUE_POLL_ACTIONS, KMS_DECRYPT));
  }

  private permissions(actions: readonly string[], keyActions: readonly string[]): Permission[] {
    const permissions: Permission[] = [{ actions, resources: [this.arn] }];
    if (this.kmsKeyArn) permissions.push({ actions: keyActions, resources: [this.kmsKeyArn] });
    return permissions;
  }
}

/**
 * Encryption at rest: the given customer key, or SQS-managed SSE. SQS-managed SSE is the default because SNS and
 * EventBridge can deliver to it without any key policy, which the AWS-managed `alias/aws/sqs` key would not allow.
 */
export function queueEncryption(kmsKeyArn: pulumi.Input<string> | undefined): Pick<aws.sqs.QueueArgs, "kmsMasterKeyId" | "sqsManagedSseEnabled"> {
  return kmsKeyArn === undefined ? { sqsManagedSseEnabled: true } : { kmsMasterKeyId: kmsKeyArn };
}

/**
 * The statement every orderflow queue policy starts with: refuse any request made without TLS, whoever makes it.
 */
export function denyInsecureTransport(action: string, resourceArn: pulumi.Input<string>): pulumi.Output<PolicyStatement> {
  return pulumi.output(resourceArn).apply((resource) => ({
    Sid: "DenyInsecureTransport",
    Effect: "Deny" as const,
    Principal: "*" as const,
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  }));
}

/**
 * The queue's one `aws.sqs.QueuePolicy`: the TLS-only deny, then every statement contributed during setup.
 * Returns the collector that `addToResourcePolicy` feeds.
 */
export function createQueuePolicy(
  label: string,
  name: string,
  queue: aws.sqs.Queue,
  custom: Transform<aws.sqs.QueuePolicyArgs> | undefined,
  parent: pulumi.Resource,
): { policy: aws.sqs.QueuePolicy; statements: Collected<pulumi.Input<PolicyStatement>> } {
  const statements = new Collected<pulumi.Input<PolicyStatement>>(label, "queue policy statements");
  const policy = new aws.sqs.QueuePolicy(
    ...transform(
      custom,
      `${name}Policy`,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: pulumi.all([denyInsecureTransport("sqs:*", queue.arn), statements.all]).apply(([tls, added]) => [tls, ...added]),
        }),
      },
      { parent },
    ),
  );
  return { policy, statements };
}
