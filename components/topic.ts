import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Collected } from "./collected";
import { DeadLetterQueue } from "./dead-letter-queue";
import { ComponentArgumentError, requireAtMostOne } from "./errors";
import { grant, type GranteeLike, type Permission } from "./grant";
import type { IFunction, IQueue, ITopic, PolicyStatement } from "./interfaces";
import { denyInsecureTransport } from "./queue-base";
import { transform, type Transform } from "./transform";

const SNS_SERVICE = "sns.amazonaws.com";
/** Tag naming the X-Ray resource policy, kept elsewhere, that admits SNS for a traced topic. The policy pack reads it. */
export const XRAY_RESOURCE_POLICY_TAG = "orderflow:xray-resource-policy";
/** What SNS needs of X-Ray to trace a topic actively (AWS's documented policy for SNS active tracing). */
export const SNS_TRACING_ACTIONS = ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"] as const;
const AWS_MANAGED_SNS_KEY = "alias/aws/sns";
/** What a publisher needs on a topic's customer key to have SNS encrypt its message (CDK's topic key grant). */
const PUBLISH_KEY_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"] as const;

/**
 * Service principals whose KMS requests for an encrypted topic carry no `aws:SourceAccount`, so a key policy cannot
 * require it: EventBridge (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html, "Enable compatibility
 * between event sources from AWS services and encrypted topics"). The policy pack's kms-key-policy-scoped exempts the
 * same list.
 */
export const KMS_SOURCE_ACCOUNT_UNSUPPORTED: readonly string[] = ["events.amazonaws.com"];

/** Filters messages for one subscription; keys and operators as in SNS filter policies. */
export type FilterPolicy = Record<string, unknown>;

interface SubscriptionArgs {
  /**
   * Delivers only messages this policy matches, e.g. `{ "detail-type": ["OrderShipped"] }`.
   * @default - Every message.
   */
  filterPolicy?: FilterPolicy;
  /**
   * What `filterPolicy` reads: `"MessageAttributes"` or `"MessageBody"`.
   * @default "MessageAttributes"
   */
  filterPolicyScope?: "MessageAttributes" | "MessageBody";
  /**
   * Where SNS puts messages it could not deliver after its retries; FIFO exactly when the topic is. A queue given
   * here gets a statement admitting this topic.
   * @default - A DeadLetterQueue created for this subscription, named `${topic}To${Target}Dlq`.
   */
  deadLetterQueue?: IQueue;
}

/** How a queue subscribes. */
export interface SubscribeQueueArgs extends SubscriptionArgs {
  /**
   * Deliver the published message as is, without the SNS envelope.
   * @default false
   */
  rawMessageDelivery?: boolean;
}

/** How a function subscribes. */
export type SubscribeFunctionArgs = SubscriptionArgs;

export interface TopicArgs {
  /**
   * A FIFO topic: ordered, deduplicated delivery, to SQS queues only (which must be FIFO too).
   * @default false
   */
  fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the body instead of an explicit deduplication ID.
   * @default false
   */
  contentBasedDeduplication?: boolean;
  /**
   * An existing customer-managed KMS key (ARN) to encrypt messages with. Publishing AWS services then need that
   * key's policy to admit them, which its owner must arrange. Not with `customerManagedKey`.
   * @default - The AWS-managed `alias/aws/sns` key.
   */
  kmsKey?: pulumi.Input<string>;
  /**
   * Create a customer-managed key (rotated yearly) for this topic. Its key policy admits this account, plus each
   * service given to `allowServicePublish`. Needed for any AWS service that publishes (EventBridge rules,
   * CloudWatch alarms), since they cannot use the AWS-managed key. Not with `kmsKey`.
   * @default false
   */
  customerManagedKey?: boolean;
  /**
   * X-Ray tracing of published messages: `"Active"` samples and traces them, `"PassThrough"` only forwards the
   * publisher's trace header.
   * @default "Active"
   */
  tracing?: "Active" | "PassThrough";
  /**
   * With `tracing: "Active"`: the name of an X-Ray resource policy, kept elsewhere, that lets sns.amazonaws.com send
   * this topic's segments, such as the account's bootstrap stack's; kept as the tag `orderflow:xray-resource-policy`.
   * Without such a policy SNS sends no segments at all. An account holds at most 5 X-Ray resource policies, so topics
   * of several stacks should share one.
   * @default - A policy of the topic's own, admitting SNS for this topic only.
   */
  xrayResourcePolicy?: pulumi.Input<string>;
  /**
   * The SNS topic the subscriptions' dead-letter-queue alarms notify.
   * @default - The alarms have no actions.
   */
  alarmTopicArn?: pulumi.Input<string>;
  /** Changes the child resources before they are created. */
  transform?: {
    topic?: Transform<aws.sns.TopicArgs>;
    policy?: Transform<aws.sns.TopicPolicyArgs>;
    key?: Transform<aws.kms.KeyArgs>;
    subscription?: Transform<aws.sns.TopicSubscriptionArgs>;
    tracingPolicy?: Transform<aws.xray.ResourcePolicyArgs>;
  };
}

/** The attributes of a topic owned by another stack. */
export interface TopicAttributes {
  arn: pulumi.Input<string>;
  /** @default false */
  fifo?: boolean;
  /** The topic's customer-managed KMS key, when it has one; grantPublish then includes the KMS actions. */
  kmsKeyArn?: pulumi.Input<string>;
}

/**
 * The grant every topic offers, whether this stack owns it (`Topic`) or imports it (`Topic.fromAttributes`).
 */
export abstract class TopicBase extends pulumi.ComponentResource implements ITopic {
  /** The logical name; names the grant policies and derived resources. */
  readonly name: string;
  /** The ARN of the topic. */
  abstract readonly arn: pulumi.Output<string>;
  /** Whether the topic is FIFO. */
  abstract readonly fifo: boolean;
  /** The customer-managed KMS key encrypting the topic, when there is one. */
  abstract readonly kmsKeyArn?: pulumi.Output<string>;

  protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.name = name;
  }

  /** Adds a statement to the topic's one topic policy. */
  abstract addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void;

  /**
   * Publishes messages: sns:Publish on this topic (+ kms:Decrypt, kms:GenerateDataKey* on the key when the topic
   * uses a customer key).
   */
  grantPublish(grantee: GranteeLike): aws.iam.RolePolicy {
    const permissions: Permission[] = [{ actions: ["sns:Publish"], resources: [this.arn] }];
    if (this.kmsKeyArn) permissions.push({ actions: PUBLISH_KEY_ACTIONS, resources: [this.kmsKeyArn] });
    return grant(grantee, `publish-${this.name}`, permissions);
  }
}

/**
 * An SNS topic, standard or FIFO, encrypted (AWS-managed key by default, or a customer key), traced, with one
 * topic policy that refuses publishing without TLS. Queues and functions subscribe with a filter policy, and every
 * subscription has a dead-letter queue.
 *
 * @example
 * ```ts
 * // EventBridge cannot publish to a topic under the AWS-managed key: this topic owns a customer key.
 * const notifications = new Topic("notifications", { customerManagedKey: true, alarmTopicArn });
 * notifications.allowServicePublish("events.amazonaws.com", rule.arn);
 * notifications.subscribeQueue(email, { rawMessageDelivery: true });
 * notifications.subscribeFunction(audit, { filterPolicy: { "detail-type": ["OrderShipped"] }, filterPolicyScope: "MessageBody" });
 * ```
 */
export class Topic extends TopicBase {
  /** The ARN of the topic. */
  readonly arn: pulumi.Output<string>;
  /** The physical name of the topic. */
  readonly topicName: pulumi.Output<string>;
  /** Whether the topic is FIFO. */
  readonly fifo: boolean;
  /** The customer-managed KMS key encrypting the topic (given or created); undefined with the AWS-managed key. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** The raw resources this component created. */
  readonly nodes: {
    readonly topic: aws.sns.Topic;
    readonly policy: aws.sns.TopicPolicy;
    /** The key the topic owns, with `customerManagedKey`. */
    readonly key?: aws.kms.Key;
    readonly subscriptions: aws.sns.TopicSubscription[];
    /** The X-Ray resource policy the topic owns, when it traces actively and was given none. */
    readonly tracingPolicy?: aws.xray.ResourcePolicy;
    /** The dead-letter queues created for subscriptions. */
    readonly deadLetterQueues: DeadLetterQueue[];
    /** The lambda permissions of function subscriptions. */
    readonly permissions: aws.lambda.Permission[];
  };

  private readonly label: string;
  private readonly args: TopicArgs;
  private readonly statements: Collected<pulumi.Input<PolicyStatement>>;
  private readonly keyStatements?: Collected<pulumi.Input<PolicyStatement>>;
  private readonly keyServices = new Set<string>();
  private readonly subscriptionNames = new Set<string>();
  private readonly admittedDeadLetterQueues = new Set<IQueue>();

  /** A topic owned by another stack, with the same grantPublish; its topic policy stays with its owner. */
  static fromAttributes(name: string, attributes: TopicAttributes, opts?: pulumi.ComponentResourceOptions): ITopic {
    return new ImportedTopic(name, attributes, opts);
  }

  constructor(name: string, args: TopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const label = `Topic "${name}"`;
    // Before super(): impossible options must not leave even the component behind.
    validate(label, args);
    super("orderflow:messaging:Topic", name, opts);

    const fifo = args.fifo ?? false;
    const keyStatements = args.customerManagedKey ? new Collected<pulumi.Input<PolicyStatement>>(label, "key policy statements") : undefined;
    const key = keyStatements ? createKey(this, keyStatements) : undefined;
    const kmsKeyArn = key ? key.arn : args.kmsKey === undefined ? undefined : pulumi.output(args.kmsKey);
    const topic = createTopic(this);
    const tracingPolicy = (args.tracing ?? "Active") === "Active" && args.xrayResourcePolicy === undefined ? createTracingPolicy(this) : undefined;
    const statements = new Collected<pulumi.Input<PolicyStatement>>(label, "topic policy statements");
    const policy = createPolicy(this);

    this.label = label;
    this.args = args;
    this.statements = statements;
    this.keyStatements = keyStatements;
    this.arn = topic.arn;
    this.topicName = topic.name;
    this.fifo = fifo;
    this.kmsKeyArn = kmsKeyArn;
    this.nodes = { topic, policy, key, subscriptions: [], deadLetterQueues: [], permissions: [], tracingPolicy };
    this.registerOutputs({ arn: this.arn, topicName: this.topicName, kmsKeyArn: this.kmsKeyArn });

    function createKey(parent: Topic, services: Collected<pulumi.Input<PolicyStatement>>): aws.kms.Key {
      const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
      const partition = aws.getPartitionOutput({}, { parent }).partition;
      // In a key policy "*" is the key itself. The account statement lets IAM policies (grantPublish) use the key.
      const accountStatement = pulumi.all([partition, account]).apply(([p, a]) => ({
        Sid: "EnableAccountIamPolicies",
        Effect: "Allow" as const,
        Principal: { AWS: `arn:${p}:iam::${a}:root` },
        Action: "kms:*",
        Resource: "*",
      }));
      return new aws.kms.Key(
        ...transform(
          args.transform?.key,
          `${name}Key`,
          {
            description: `Encrypts the messages of SNS topic ${name}.`,
            enableKeyRotation: true,
            policy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: pulumi.all([accountStatement, services.all]).apply(([own, added]) => [own, ...added]),
            }),
          },
          { parent },
        ),
      );
    }

    function createTopic(parent: Topic): aws.sns.Topic {
      return new aws.sns.Topic(
        ...transform(
          args.transform?.topic,
          `${name}Topic`,
          {
            fifoTopic: fifo || undefined,
            contentBasedDeduplication: args.contentBasedDeduplication,
            kmsMasterKeyId: kmsKeyArn ?? AWS_MANAGED_SNS_KEY,
            tracingConfig: args.tracing ?? "Active",
            tags: args.xrayResourcePolicy === undefined ? undefined : { [XRAY_RESOURCE_POLICY_TAG]: args.xrayResourcePolicy },
          },
          { parent },
        ),
      );
    }

    // Active tracing sends nothing until an X-Ray resource policy admits sns.amazonaws.com
    // (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sns.html); this one admits it for this topic only.
    function createTracingPolicy(parent: Topic): aws.xray.ResourcePolicy {
      const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
      return new aws.xray.ResourcePolicy(
        ...transform(
          args.transform?.tracingPolicy,
          `${name}TracingPolicy`,
          {
            // Unique in the account, and within X-Ray's 128 characters of [\w+=,.@-].
            policyName: topic.name.apply((topicName) => `sns-tracing-${topicName}`.slice(0, 128)),
            policyDocument: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: SNS_SERVICE },
                  Action: [...SNS_TRACING_ACTIONS],
                  Resource: "*",
                  Condition: { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": topic.arn } },
                },
              ],
            }),
          },
          { parent },
        ),
      );
    }

    function createPolicy(parent: Topic): aws.sns.TopicPolicy {
      return new aws.sns.TopicPolicy(
        ...transform(
          args.transform?.policy,
          `${name}Policy`,
          {
            arn: topic.arn,
            policy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: pulumi
                .all([denyInsecureTransport("sns:Publish", topic.arn), statements.all])
                .apply(([tls, added]) => [tls, ...added]),
            }),
          },
          { parent },
        ),
      );
    }
  }

  /** Adds a statement to the topic's one topic policy, after its TLS-only deny. Only during the program's setup. */
  addToResourcePolicy(statement: pulumi.Input<PolicyStatement>): void {
    this.statements.add(statement);
  }

  /**
   * Lets an AWS service publish on behalf of one resource (or an ARN pattern): sns:Publish for `servicePrincipal`
   * with `aws:SourceArn` like `sourceArn` in the topic policy and, when the topic owns its key, kms:Decrypt and
   * kms:GenerateDataKey* for the service in the key policy. With a key given through `kmsKey`, that key's policy
   * must admit the service already.
   *
   * AWS services cannot publish to a topic encrypted with the AWS-managed `alias/aws/sns` key, whose policy no one
   * can change: "Your Amazon SNS topic must use a customer managed AWS KMS key" (AWS Knowledge Center, "Why isn't
   * my Amazon SNS topic receiving EventBridge notifications?",
   * https://repost.aws/knowledge-center/sns-not-getting-eventbridge-notification). So this fails on such a topic.
   */
  allowServicePublish(servicePrincipal: string, sourceArn: pulumi.Input<string>): void {
    if (this.kmsKeyArn === undefined) {
      throw new ComponentArgumentError(
        this.label,
        `${servicePrincipal} cannot publish to a topic encrypted with the AWS-managed key (${AWS_MANAGED_SNS_KEY}), ` +
          "whose key policy cannot admit it. Set `customerManagedKey: true` (or pass `kmsKey`) on this topic.",
      );
    }
    this.addToResourcePolicy(
      pulumi.all([this.arn, sourceArn]).apply(([topic, source]) => ({
        Effect: "Allow" as const,
        Principal: { Service: servicePrincipal },
        Action: "sns:Publish",
        Resource: topic,
        // ArnLike: the source may be a pattern, such as every alarm of an account.
        Condition: { ArnLike: { "aws:SourceArn": source } },
      })),
    );
    if (this.keyStatements && !this.keyServices.has(servicePrincipal)) {
      this.keyServices.add(servicePrincipal);
      // The key admits the service only on behalf of this account's resources (aws:SourceAccount: the confused-deputy
      // protection), except EventBridge, for which AWS documents that "adding the aws:SourceAccount and aws:SourceArn
      // to a AWS KMS policy is not supported for EventBridge-to-encrypted topics"
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html): with it, every delivery would fail. No
      // aws:SourceArn for any: services do not all pass it to KMS. The key only encrypts this topic's messages, and
      // the topic policy above already limits who may publish, by source ARN.
      const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
      this.keyStatements.add(
        account.apply((sourceAccount) => ({
          Sid: `AllowPublishBy${servicePrincipal.replace(/[^A-Za-z0-9]/g, "")}`,
          Effect: "Allow" as const,
          Principal: { Service: servicePrincipal },
          Action: [...PUBLISH_KEY_ACTIONS],
          Resource: "*",
          ...(KMS_SOURCE_ACCOUNT_UNSUPPORTED.includes(servicePrincipal) ? {} : { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } }),
        })),
      );
    }
  }

  /**
   * Delivers the topic's messages to a queue: a subscription with a redrive policy to a dead-letter queue, and a
   * statement in the queue's policy admitting sns.amazonaws.com to sqs:SendMessage only with `aws:SourceArn` = this
   * topic. FIFO topics deliver to FIFO queues, standard topics to standard queues. Only during the program's setup.
   */
  subscribeQueue(queue: IQueue, args: SubscribeQueueArgs = {}): aws.sns.TopicSubscription {
    validateSubscription(this.label, this.fifo, args);
    if (queue.fifo !== this.fifo) {
      throw new ComponentArgumentError(
        this.label,
        `a ${this.fifo ? "FIFO" : "standard"} topic delivers to ${this.fifo ? "FIFO" : "standard"} queues, but ` +
          `${queue.fifo ? "FIFO" : "standard"} queue "${queue.name}" was given to subscribeQueue. Subscribe a queue with ` +
          `\`fifo: ${this.fifo}\`, or use a ${queue.fifo ? "FIFO" : "standard"} topic.`,
      );
    }
    const id = this.subscriptionId(queue.name);
    queue.addToResourcePolicy(this.admitSns("sqs:SendMessage", queue.arn));
    return this.createSubscription(id, "sqs", queue.arn, args, { rawMessageDelivery: args.rawMessageDelivery }, []);
  }

  /**
   * Invokes a function with the topic's messages: a lambda permission for sns.amazonaws.com scoped with
   * `sourceArn` = this topic, and a subscription with a redrive policy to a dead-letter queue. Standard topics only
   * (FIFO topics deliver to SQS only). Only during the program's setup.
   */
  subscribeFunction(fn: IFunction, args: SubscribeFunctionArgs = {}): aws.sns.TopicSubscription {
    validateSubscription(this.label, this.fifo, args);
    if (this.fifo) {
      throw new ComponentArgumentError(
        this.label,
        `FIFO topics deliver only to SQS queues, but function "${fn.name}" was given to subscribeFunction. Subscribe a ` +
          "FIFO queue and have the function consume it, or use a standard topic.",
      );
    }
    const id = this.subscriptionId(fn.name);
    const permission = new aws.lambda.Permission(
      `${id}Permission`,
      { action: "lambda:InvokeFunction", function: fn.functionName, principal: SNS_SERVICE, sourceArn: this.arn },
      { parent: this },
    );
    this.nodes.permissions.push(permission);
    return this.createSubscription(id, "lambda", fn.arn, args, {}, [permission]);
  }

  /** The subscription's logical name, `${topic}To${Target}`; one subscription per target name. */
  private subscriptionId(targetName: string): string {
    const id = `${this.name}To${targetName.charAt(0).toUpperCase()}${targetName.slice(1)}`;
    if (this.subscriptionNames.has(id)) {
      throw new ComponentArgumentError(this.label, `"${targetName}" already subscribes to this topic; subscribe it once.`);
    }
    this.subscriptionNames.add(id);
    return id;
  }

  private createSubscription(
    id: string,
    protocol: "sqs" | "lambda",
    endpoint: pulumi.Output<string>,
    args: SubscriptionArgs,
    extra: Partial<aws.sns.TopicSubscriptionArgs>,
    dependsOn: pulumi.Resource[],
  ): aws.sns.TopicSubscription {
    const deadLetterQueue = this.deadLetterQueueFor(id, args.deadLetterQueue);
    const subscription = new aws.sns.TopicSubscription(
      ...transform(
        this.args.transform?.subscription,
        id,
        {
          topic: this.arn,
          protocol,
          endpoint,
          filterPolicy: args.filterPolicy === undefined ? undefined : JSON.stringify(args.filterPolicy),
          filterPolicyScope: args.filterPolicyScope,
          redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetterQueue.arn }),
          ...extra,
        },
        { parent: this, dependsOn },
      ),
    );
    this.nodes.subscriptions.push(subscription);
    return subscription;
  }

  /** The subscription's dead-letter queue, given or created, admitting this topic (once per queue). */
  private deadLetterQueueFor(id: string, given: IQueue | undefined): IQueue {
    const queue = given ?? this.createDeadLetterQueue(id);
    if (!this.admittedDeadLetterQueues.has(queue)) {
      this.admittedDeadLetterQueues.add(queue);
      queue.addToResourcePolicy(this.admitSns("sqs:SendMessage", queue.arn));
    }
    return queue;
  }

  private createDeadLetterQueue(id: string): DeadLetterQueue {
    // SNS requires a FIFO subscription's dead-letter queue to be FIFO, and a standard one's to be standard.
    const dlq = new DeadLetterQueue(`${id}Dlq`, { fifo: this.fifo, alarmTopicArn: this.args.alarmTopicArn }, { parent: this });
    this.nodes.deadLetterQueues.push(dlq);
    return dlq;
  }

  private admitSns(action: string, resourceArn: pulumi.Output<string>): pulumi.Output<PolicyStatement> {
    return pulumi.all([resourceArn, this.arn]).apply(([resource, topic]) => ({
      Effect: "Allow" as const,
      Principal: { Service: SNS_SERVICE },
      Action: action,
      Resource: resource,
      Condition: { ArnEquals: { "aws:SourceArn": topic } },
    }));
  }
}

class ImportedTopic extends TopicBase {
  readonly arn: pulumi.Output<string>;
  readonly fifo: boolean;
  readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, attributes: TopicAttributes, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:messaging:ImportedTopic", name, opts);
    this.arn = pulumi.output(attributes.arn);
    this.fifo = attributes.fifo ?? false;
    this.kmsKeyArn = attributes.kmsKeyArn === undefined ? undefined : pulumi.output(attributes.kmsKeyArn);
    this.registerOutputs({ arn: this.arn });
  }

  addToResourcePolicy(): void {
    // SNS keeps one policy per topic: a second writer in this stack would silently replace the owner's.
    throw new ComponentArgumentError(
      `Topic "${this.name}"`,
      "is imported, and its topic policy belongs to the stack that owns it. Add the statement there (with " +
        "`addToResourcePolicy` or `allowServicePublish` on the Topic), or publish through a role with `grantPublish` instead.",
    );
  }
}

function validate(label: string, args: TopicArgs): void {
  requireAtMostOne(label, ["kmsKey", args.kmsKey], ["customerManagedKey", args.customerManagedKey || undefined]);
  if (args.contentBasedDeduplication && !args.fifo) {
    throw new ComponentArgumentError(label, "`contentBasedDeduplication` only applies to FIFO topics. Set `fifo: true`, or remove it.");
  }
}

function validateSubscription(label: string, fifo: boolean, args: SubscriptionArgs): void {
  if (args.filterPolicyScope !== undefined && args.filterPolicy === undefined) {
    throw new ComponentArgumentError(label, "`filterPolicyScope` needs a `filterPolicy` to scope. Add the policy, or remove the scope.");
  }
  if (args.filterPolicy !== undefined && Object.keys(args.filterPolicy).length === 0) {
    throw new ComponentArgumentError(label, "`filterPolicy` is empty, which SNS rejects. Name at least one attribute, or remove it.");
  }
  if (args.deadLetterQueue && args.deadLetterQueue.fifo !== fifo) {
    throw new ComponentArgumentError(
      label,
      `\`deadLetterQueue\` must be ${fifo ? "a FIFO" : "a standard"} queue for a ${fifo ? "FIFO" : "standard"} topic's ` +
        `subscription, but ${args.deadLetterQueue.fifo ? "FIFO" : "standard"} queue "${args.deadLetterQueue.name}" was provided.`,
    );
  }
}
