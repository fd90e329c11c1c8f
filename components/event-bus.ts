import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeadLetterQueue } from "./dead-letter-queue";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { eventPatternProblems, type EventPattern } from "./event-pattern";
import { grant, type Grantee, type GranteeLike } from "./grant";
import type { IEventBus, IFunction, IQueue, IStateMachine, ITopic, PolicyStatement } from "./interfaces";
import { transform, type Transform } from "./transform";

const EVENTS_SERVICE = "events.amazonaws.com";

/** CDK's rule.ts limit: EventBridge allows 5 targets per rule. */
export const MAX_TARGETS_PER_RULE = 5;

/** How EventBridge retries delivering to a target before it gives the event to the dead-letter queue. */
export interface TargetRetry {
  /**
   * How long, in seconds, EventBridge keeps trying an event: from 60 to 86400 (24 hours).
   * @default 86400
   */
  readonly maximumEventAgeSeconds?: number;
  /**
   * How many times EventBridge retries a failed delivery: from 0 to 185.
   * @default 185
   */
  readonly maximumRetryAttempts?: number;
}

/** Reshapes the event before delivery: values picked by JSON path into `<placeholders>` of a template. */
export interface InputTransformer {
  /**
   * Up to 100 placeholder names (letters, digits, `_`, `-`) mapped to JSON paths into the event (`$.detail.orderId`).
   * @default - No placeholders; the template is sent as is.
   */
  readonly inputPaths?: Readonly<Record<string, string>>;
  /**
   * What the target receives, 1 to 8192 characters; `<name>` inserts an input path's value, and `<aws.events.*>`
   * EventBridge's own values (`<aws.events.event.json>`, `<aws.events.rule-arn>`...).
   */
  readonly inputTemplate: string;
}

/** What every kind of target can set. */
export interface TargetOptions {
  /** @default - The whole event is delivered. */
  readonly inputTransformer?: InputTransformer;
  /** @default - 24 hours and 185 attempts. */
  readonly retry?: TargetRetry;
  /**
   * A standard (non-FIFO) queue for the events this target could not take; its policy gets a statement admitting this
   * rule only.
   * @default - The rule's own dead-letter queue, created once per rule.
   */
  readonly deadLetterQueue?: IQueue;
}

/** Delivers to a queue; a queue policy statement admits this rule only. */
export interface QueueTarget extends TargetOptions {
  readonly queue: IQueue;
  /** The message group of every message, required for (and only for) a FIFO queue. */
  readonly messageGroupId?: string;
}

/** Invokes a function; a lambda permission admits this rule only. */
export interface FunctionTarget extends TargetOptions {
  readonly function: IFunction;
}

/** Publishes to a topic; a topic policy statement admits this rule only. */
export interface TopicTarget extends TargetOptions {
  readonly topic: ITopic;
}

/** Starts an execution of a state machine through a role that may only start this one. */
export interface StateMachineTarget extends TargetOptions {
  readonly stateMachine: IStateMachine;
}

/** Forwards to another bus through a role that may only put events on that bus. */
export interface BusTarget extends TargetOptions {
  readonly bus: IEventBus;
}

export type RuleTarget = QueueTarget | FunctionTarget | TopicTarget | StateMachineTarget | BusTarget;

export interface RuleArgs {
  /** Which events of this bus the rule matches. Give either `pattern` or `schedule`. */
  readonly pattern?: EventPattern;
  /**
   * `rate(5 minutes)` or `cron(0 12 * * ? *)`. EventBridge only runs schedules on the account's default bus, so a
   * scheduled rule is created there (still owned by, and named after, this component).
   */
  readonly schedule?: string;
  /** 1 to 5 targets. */
  readonly targets: readonly RuleTarget[];
  /** @default - None. */
  readonly description?: string;
}

/** A rule created by `EventBus.rule`. */
export interface EventRule {
  /** The logical name, `<bus>-<rule>`. */
  readonly name: string;
  /** The rule's ARN: what every target's resource policy condition names. */
  readonly arn: pulumi.Output<string>;
  /** The rule's physical name. */
  readonly ruleName: pulumi.Output<string>;
  /** The dead-letter queue created for this rule; undefined when every target brought its own. */
  readonly deadLetterQueue?: IQueue;
  /** The raw resources. */
  readonly nodes: {
    readonly rule: aws.cloudwatch.EventRule;
    readonly targets: readonly aws.cloudwatch.EventTarget[];
    readonly roles: readonly aws.iam.Role[];
    readonly permissions: readonly aws.lambda.Permission[];
  };
}

/** Options of the `subscribe*` shortcuts: a target's options plus the rule's description. */
export type SubscribeOptions<T extends RuleTarget> = Omit<T, keyof T & ("queue" | "function" | "topic" | "stateMachine" | "bus")> & {
  readonly description?: string;
};

/** Who may put events on the bus besides this account. */
export interface BusPolicyArgs {
  /** Account IDs (12 digits). */
  readonly accounts?: readonly string[];
  /** IAM role or user ARNs, or `"*"`, which needs `organizationId`. */
  readonly principals?: readonly string[];
  /**
   * Admits the principals above only when they belong to this AWS Organization (`aws:PrincipalOrgID`).
   * @default - No organization condition.
   */
  readonly organizationId?: string;
}

export interface EventBusArgs {
  /**
   * Keeps every event in an archive for replay, for this many days (1 or more); `false` turns the archive off.
   * @default 30
   */
  readonly archiveRetentionDays?: number | false;
  /**
   * A bus policy letting other accounts or principals put events. A `"*"` principal is refused unless narrowed by
   * `organizationId`.
   * @default - Only this account's principals, through their IAM policies.
   */
  readonly policy?: BusPolicyArgs;
  /** The SNS topic the rules' dead-letter-queue alarms notify. @default - Alarms without actions. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Changes the children before they are created. */
  readonly transform?: {
    readonly bus?: Transform<aws.cloudwatch.EventBusArgs>;
    readonly archive?: Transform<aws.cloudwatch.EventArchiveArgs>;
    readonly policy?: Transform<aws.cloudwatch.EventBusPolicyArgs>;
    readonly rule?: Transform<aws.cloudwatch.EventRuleArgs>;
    readonly target?: Transform<aws.cloudwatch.EventTargetArgs>;
  };
}

/** The attributes of a bus of another stack. */
export interface EventBusAttributes {
  readonly arn: pulumi.Input<string>;
  readonly busName: pulumi.Input<string>;
  /** The topic the dead-letter-queue alarms of rules created here notify. @default - Alarms without actions. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** The kind of a rule target, and the resource it points at. */
type ResolvedTarget =
  | { kind: "queue"; target: QueueTarget }
  | { kind: "function"; target: FunctionTarget }
  | { kind: "topic"; target: TopicTarget }
  | { kind: "stateMachine"; target: StateMachineTarget }
  | { kind: "bus"; target: BusTarget };

const TARGET_KINDS = ["queue", "function", "topic", "stateMachine", "bus"] as const;

/** A topic that owns its customer KMS key can also open that key to the service (Topic.allowServicePublish). */
interface ServicePublishTopic extends ITopic {
  allowServicePublish(servicePrincipal: string, sourceArn: pulumi.Input<string>): void;
}

/**
 * The grant and the rules every bus offers, whether this stack owns it (`EventBus`) or imports it
 * (`EventBus.fromAttributes`).
 */
export abstract class EventBusBase extends pulumi.ComponentResource implements IEventBus {
  /** The logical name; prefixes rule names and grant policy names. */
  readonly name: string;
  /** The ARN of the bus. */
  abstract readonly arn: pulumi.Output<string>;
  /** The physical name of the bus, as rules take it. */
  abstract readonly busName: pulumi.Output<string>;
  protected abstract readonly alarmTopicArn?: pulumi.Input<string>;
  protected abstract readonly transforms?: EventBusArgs["transform"];
  private readonly ruleNames = new Set<string>();

  protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.name = name;
  }

  /** events:PutEvents on this bus's ARN. */
  grantPutEvents(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `putEvents-${this.name}`, [{ actions: ["events:PutEvents"], resources: [this.arn] }]);
  }

  /**
   * A rule sending matching events (or a schedule's ticks) to up to 5 targets. Every target retries (24 h, 185
   * attempts by default) and then dead-letters; one dead-letter queue is created per rule for the targets that do not
   * bring their own, and each DLQ admits `events.amazonaws.com` sqs:SendMessage only with `aws:SourceArn` = this rule.
   *
   * Per target: a queue gets a queue policy statement (sqs:SendMessage, same condition); a function a lambda
   * permission with `sourceArn`; a topic a topic policy statement (sns:Publish, same condition); a state machine or
   * another bus a role of its own, trusted by EventBridge for this rule only, with states:StartExecution /
   * events:PutEvents on that one ARN.
   *
   * A queue or topic encrypted with a customer KMS key must also let `events.amazonaws.com` use the key
   * (kms:GenerateDataKey, kms:Decrypt) in the key policy; that is the key owner's statement, not made here.
   */
  rule(ruleName: string, args: RuleArgs): EventRule {
    const label = `EventBus "${this.name}" rule "${ruleName}"`;
    const { eventPattern, targets } = validateRule(label, args);
    if (this.ruleNames.has(ruleName)) {
      throw new ComponentArgumentError(label, `a rule named "${ruleName}" already exists on this bus; give each rule its own name.`);
    }
    this.ruleNames.add(ruleName);

    return createEventRule(
      { owner: this, busName: this.busName, alarmTopicArn: this.alarmTopicArn, transforms: this.transforms },
      label,
      `${this.name}-${ruleName}`,
      args,
      eventPattern,
      targets,
    );
  }

  /** A rule delivering the events matching `pattern` to one queue. */
  subscribeQueue(name: string, pattern: EventPattern, queue: IQueue, opts: SubscribeOptions<QueueTarget> = {}): EventRule {
    const { description, ...target } = opts;
    return this.rule(name, { pattern, description, targets: [{ ...target, queue }] });
  }

  /** A rule invoking one function with the events matching `pattern`. */
  subscribeFunction(name: string, pattern: EventPattern, fn: IFunction, opts: SubscribeOptions<FunctionTarget> = {}): EventRule {
    const { description, ...target } = opts;
    return this.rule(name, { pattern, description, targets: [{ ...target, function: fn }] });
  }

  /** A rule publishing the events matching `pattern` to one topic. */
  subscribeTopic(name: string, pattern: EventPattern, topic: ITopic, opts: SubscribeOptions<TopicTarget> = {}): EventRule {
    const { description, ...target } = opts;
    return this.rule(name, { pattern, description, targets: [{ ...target, topic }] });
  }

  /** A rule starting one state machine with each event matching `pattern`. */
  subscribeStateMachine(
    name: string,
    pattern: EventPattern,
    stateMachine: IStateMachine,
    opts: SubscribeOptions<StateMachineTarget> = {},
  ): EventRule {
    const { description, ...target } = opts;
    return this.rule(name, { pattern, description, targets: [{ ...target, stateMachine }] });
  }
}

/**
 * A custom EventBridge bus: the choreography backbone. Services publish domain events with `grantPutEvents`, and
 * subscribe with rules whose every target retries and dead-letters.
 *
 * Creates: the bus, an archive keeping every event 30 days for replay, and, when `policy` is given, a bus policy.
 * Each rule adds its rule, targets, one dead-letter queue (with its alarm) and the permissions its targets need.
 *
 * @example
 * ```ts
 * const bus = new EventBus("orders", { alarmTopicArn: alarms.arn });
 * bus.subscribeQueue("placedToBilling", { source: ["orderflow.orders"], "detail-type": ["OrderPlaced"] }, billingQueue);
 * bus.rule("placedToCheckout", {
 *   pattern: { "detail-type": ["OrderPlaced"] },
 *   targets: [{ stateMachine: checkout, inputTransformer: { inputPaths: { id: "$.detail.orderId" }, inputTemplate: '{"orderId": <id>}' } }],
 * });
 * bus.grantPutEvents(placeOrder);
 * ```
 */
export class EventBus extends EventBusBase {
  /** The ARN of the bus. */
  readonly arn: pulumi.Output<string>;
  /** The physical name of the bus. */
  readonly busName: pulumi.Output<string>;
  /** The ARN of the archive; undefined when `archiveRetentionDays` is false. */
  readonly archiveArn?: pulumi.Output<string>;
  /** The raw resources this component created (rules are returned by `rule`). */
  readonly nodes: {
    readonly bus: aws.cloudwatch.EventBus;
    readonly archive?: aws.cloudwatch.EventArchive;
    readonly policy?: aws.cloudwatch.EventBusPolicy;
  };
  protected readonly alarmTopicArn?: pulumi.Input<string>;
  protected readonly transforms?: EventBusArgs["transform"];

  /** A bus of another stack: it can be granted and given rules, and creates nothing itself. */
  static fromAttributes(name: string, attributes: EventBusAttributes, opts?: pulumi.ComponentResourceOptions): EventBusBase {
    return new ImportedEventBus(name, attributes, opts);
  }

  constructor(name: string, args: EventBusArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a bus with impossible options must not leave even its component behind.
    validateBus(`EventBus "${name}"`, args);
    super("orderflow:messaging:EventBus", name, opts);
    this.alarmTopicArn = args.alarmTopicArn;
    this.transforms = args.transform;

    const bus = createBus(this);
    const archive = args.archiveRetentionDays === false ? undefined : createArchive(this, args.archiveRetentionDays ?? 30);
    const policy = args.policy ? createPolicy(this, args.policy) : undefined;

    this.arn = bus.arn;
    this.busName = bus.name;
    this.archiveArn = archive?.arn;
    this.nodes = { bus, archive, policy };
    this.registerOutputs({ arn: this.arn, busName: this.busName, archiveArn: this.archiveArn });

    function createBus(parent: EventBus): aws.cloudwatch.EventBus {
      return new aws.cloudwatch.EventBus(...transform(args.transform?.bus, `${name}Bus`, {}, { parent }));
    }

    function createArchive(parent: EventBus, retentionDays: number): aws.cloudwatch.EventArchive {
      return new aws.cloudwatch.EventArchive(
        ...transform(
          args.transform?.archive,
          `${name}Archive`,
          { eventSourceArn: bus.arn, retentionDays, description: `Every event of the ${name} bus, for replay.` },
          { parent },
        ),
      );
    }

    function createPolicy(parent: EventBus, policy: BusPolicyArgs): aws.cloudwatch.EventBusPolicy {
      const principals = [...(policy.accounts ?? []), ...(policy.principals ?? [])];
      const statement = {
        Sid: "AllowPutEvents",
        Effect: "Allow",
        Principal: principals.includes("*") ? "*" : { AWS: principals },
        Action: "events:PutEvents",
        Resource: bus.arn,
        ...(policy.organizationId ? { Condition: { StringEquals: { "aws:PrincipalOrgID": policy.organizationId } } } : {}),
      };
      return new aws.cloudwatch.EventBusPolicy(
        ...transform(
          args.transform?.policy,
          `${name}Policy`,
          { eventBusName: bus.name, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [statement] }) },
          { parent },
        ),
      );
    }
  }
}

/** A bus of another stack, known by its attributes; rules made on it belong to this stack. */
class ImportedEventBus extends EventBusBase {
  readonly arn: pulumi.Output<string>;
  readonly busName: pulumi.Output<string>;
  protected readonly alarmTopicArn?: pulumi.Input<string>;
  protected readonly transforms?: EventBusArgs["transform"] = undefined;

  constructor(name: string, attributes: EventBusAttributes, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:messaging:ImportedEventBus", name, opts);
    this.arn = pulumi.output(attributes.arn);
    this.busName = pulumi.output(attributes.busName);
    this.alarmTopicArn = attributes.alarmTopicArn;
    this.registerOutputs({ arn: this.arn, busName: this.busName });
  }
}

/** What a rule needs of the bus it is made on. */
interface RuleContext {
  /** The component the rule's resources are parented to. */
  readonly owner: pulumi.Resource;
  readonly busName: pulumi.Output<string>;
  readonly alarmTopicArn?: pulumi.Input<string>;
  readonly transforms?: EventBusArgs["transform"];
}

/** Creates a validated rule: the rule, its dead-letter queue when needed, and each target with its permissions. */
function createEventRule(
  bus: RuleContext,
  label: string,
  prefix: string,
  args: RuleArgs,
  eventPattern: string | undefined,
  targets: readonly ResolvedTarget[],
): EventRule {
  const scheduled = args.schedule !== undefined;
  const roles: aws.iam.Role[] = [];
  const permissions: aws.lambda.Permission[] = [];
  const admitted = new Set<IQueue | ITopic>();

  const rule = createRule();
  // Resource policies first: a queue or topic of another stack refuses statements, and that should stop the program
  // before anything but the rule is registered.
  targets.forEach((resolved, i) => admitToTarget(resolved, `targets[${i}]`));
  const deadLetterQueue = targets.some((t) => t.target.deadLetterQueue === undefined) ? createDeadLetterQueue() : undefined;
  const eventTargets = targets.map((resolved, i) => createTarget(resolved, i));

  return {
    name: prefix,
    arn: rule.arn,
    ruleName: rule.name,
    deadLetterQueue,
    nodes: { rule, targets: eventTargets, roles, permissions },
  };

  function createRule(): aws.cloudwatch.EventRule {
    return new aws.cloudwatch.EventRule(
      ...transform(
        bus.transforms?.rule,
        `${prefix}Rule`,
        {
          description: args.description,
          // Schedules only fire on the default bus.
          eventBusName: scheduled ? undefined : bus.busName,
          eventPattern,
          scheduleExpression: args.schedule,
        },
        { parent: bus.owner },
      ),
    );
  }

  function createDeadLetterQueue(): DeadLetterQueue {
    const dlq = new DeadLetterQueue(`${prefix}Dlq`, { alarmTopicArn: bus.alarmTopicArn }, { parent: bus.owner });
    admitRule(dlq, "sqs:SendMessage");
    return dlq;
  }

  // One statement per queue or topic and rule, however many of the rule's targets use it.
  function admitRule(resource: IQueue | ITopic, action: "sqs:SendMessage" | "sns:Publish"): void {
    if (admitted.has(resource)) return;
    admitted.add(resource);
    resource.addToResourcePolicy(serviceStatement(action, resource.arn, rule.arn));
  }

  function admitToTarget(resolved: ResolvedTarget, option: string): void {
    try {
      if (resolved.target.deadLetterQueue) admitRule(resolved.target.deadLetterQueue, "sqs:SendMessage");
      if (resolved.kind === "queue") admitRule(resolved.target.queue, "sqs:SendMessage");
      if (resolved.kind === "topic") {
        const topic = resolved.target.topic;
        if (!hasServicePublish(topic)) admitRule(topic, "sns:Publish");
        else if (!admitted.has(topic)) {
          admitted.add(topic);
          // Also opens the topic's own customer key to EventBridge.
          topic.allowServicePublish(EVENTS_SERVICE, rule.arn);
        }
      }
    } catch (e) {
      throw new ComponentArgumentError(label, `\`${option}\` cannot admit this rule: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  function createTarget(resolved: ResolvedTarget, index: number): aws.cloudwatch.EventTarget {
    const id = `${prefix}Target${index}`;
    const options = resolved.target;
    const dlq = options.deadLetterQueue ?? deadLetterQueue!;

    let arn: pulumi.Output<string>;
    let roleArn: pulumi.Output<string> | undefined;
    let sqsTarget: aws.types.input.cloudwatch.EventTargetSqsTarget | undefined;
    const dependsOn: pulumi.Resource[] = [];
    switch (resolved.kind) {
      case "queue":
        arn = resolved.target.queue.arn;
        if (resolved.target.messageGroupId !== undefined) sqsTarget = { messageGroupId: resolved.target.messageGroupId };
        break;
      case "function": {
        const fn = resolved.target.function;
        arn = fn.arn;
        const permission = new aws.lambda.Permission(
          `${id}Permission`,
          { action: "lambda:InvokeFunction", function: fn.functionName, principal: EVENTS_SERVICE, sourceArn: rule.arn },
          { parent: bus.owner },
        );
        permissions.push(permission);
        dependsOn.push(permission);
        break;
      }
      case "topic":
        arn = resolved.target.topic.arn;
        break;
      case "stateMachine": {
        const role = createTargetRole(id);
        dependsOn.push(resolved.target.stateMachine.grantStart(targetGrantee(role, id)));
        arn = resolved.target.stateMachine.arn;
        roleArn = role.arn;
        break;
      }
      case "bus": {
        const role = createTargetRole(id);
        dependsOn.push(resolved.target.bus.grantPutEvents(targetGrantee(role, id)));
        arn = resolved.target.bus.arn;
        roleArn = role.arn;
        break;
      }
    }

    return new aws.cloudwatch.EventTarget(
      ...transform(
        bus.transforms?.target,
        id,
        {
          rule: rule.name,
          eventBusName: scheduled ? undefined : bus.busName,
          arn,
          roleArn,
          sqsTarget,
          inputTransformer: options.inputTransformer
            ? { inputPaths: options.inputTransformer.inputPaths, inputTemplate: options.inputTransformer.inputTemplate }
            : undefined,
          retryPolicy: {
            maximumEventAgeInSeconds: options.retry?.maximumEventAgeSeconds ?? 86400,
            maximumRetryAttempts: options.retry?.maximumRetryAttempts ?? 185,
          },
          deadLetterConfig: { arn: dlq.arn },
        },
        // A target whose permission is not in place yet fails its first deliveries.
        { parent: bus.owner, dependsOn },
      ),
    );
  }

  function createTargetRole(id: string): aws.iam.Role {
    const account = aws.getCallerIdentityOutput({}, { parent: bus.owner }).accountId;
    const role = new aws.iam.Role(
      `${id}Role`,
      {
        description: `Lets EventBridge rule ${prefix} deliver to its target ${id}.`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: EVENTS_SERVICE },
              Action: "sts:AssumeRole",
              // Only this rule may act as this role (confused-deputy guard).
              Condition: { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": rule.arn } },
            },
          ],
        }),
      },
      { parent: bus.owner },
    );
    roles.push(role);
    return role;
  }
}

/** A resource policy statement admitting an AWS service for one source ARN only (confused-deputy guard). */
function serviceStatement(
  action: string,
  resourceArn: pulumi.Output<string>,
  sourceArn: pulumi.Output<string>,
): pulumi.Output<PolicyStatement> {
  return pulumi.all([resourceArn, sourceArn]).apply(([resource, source]) => ({
    Effect: "Allow" as const,
    Principal: { Service: EVENTS_SERVICE },
    Action: action,
    Resource: resource,
    Condition: { ArnEquals: { "aws:SourceArn": source } },
  }));
}

function hasServicePublish(topic: ITopic): topic is ServicePublishTopic {
  return typeof (topic as Partial<ServicePublishTopic>).allowServicePublish === "function";
}

function targetGrantee(role: aws.iam.Role, id: string): Grantee {
  return { role, grantName: id, grantParent: role };
}

function validateBus(label: string, args: EventBusArgs): void {
  if (args.archiveRetentionDays !== false) {
    requireIntegerInRange(label, "archiveRetentionDays", args.archiveRetentionDays, 1, Number.MAX_SAFE_INTEGER, "days");
  }
  if (args.policy) validateBusPolicy(label, args.policy);
}

function validateBusPolicy(label: string, policy: BusPolicyArgs): void {
  const accounts = policy.accounts ?? [];
  const principals = policy.principals ?? [];
  if (accounts.length === 0 && principals.length === 0) {
    throw new ComponentArgumentError(label, "`policy` admits no one; list `policy.accounts` or `policy.principals`, or remove `policy`.");
  }
  accounts.forEach((account, i) => {
    if (account === "*") {
      throw new ComponentArgumentError(
        label,
        `\`policy.accounts[${i}]\` is "*", which would let any AWS account put events. List account IDs, or use ` +
          '`principals: ["*"]` together with `organizationId`.',
      );
    }
    if (!/^\d{12}$/.test(account)) {
      throw new ComponentArgumentError(label, `\`policy.accounts[${i}]\` must be a 12-digit account ID, but "${account}" was provided.`);
    }
  });
  principals.forEach((principal, i) => {
    if (principal === "*") {
      if (!policy.organizationId) {
        throw new ComponentArgumentError(
          label,
          `\`policy.principals[${i}]\` is "*" without a condition, which would let anyone put events on the bus. ` +
            "Set `policy.organizationId` to admit only your organization, or list the principals' ARNs.",
        );
      }
    } else if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+)$/.test(principal)) {
      throw new ComponentArgumentError(
        label,
        `\`policy.principals[${i}]\` must be an IAM role, user or account-root ARN (or "*" with \`organizationId\`), but "${principal}" was provided.`,
      );
    }
  });
  if (policy.organizationId !== undefined && !/^o-[a-z0-9]{10,32}$/.test(policy.organizationId)) {
    throw new ComponentArgumentError(
      label,
      `\`policy.organizationId\` must be an AWS Organizations ID like "o-a1b2c3d4e5", but "${policy.organizationId}" was provided.`,
    );
  }
}

/** Checks a rule's options; returns its pattern as JSON and its targets with their kinds. */
function validateRule(label: string, args: RuleArgs): { eventPattern?: string; targets: ResolvedTarget[] } {
  if (args.pattern !== undefined && args.schedule !== undefined) {
    throw new ComponentArgumentError(label, "Only one of `pattern` or `schedule` can be provided.");
  }
  if (args.pattern === undefined && args.schedule === undefined) {
    throw new ComponentArgumentError(label, "One of `pattern` or `schedule` must be provided.");
  }
  const targets = args.targets ?? [];
  if (targets.length === 0) {
    throw new ComponentArgumentError(label, "`targets` is empty; a rule needs at least one target.");
  }
  if (targets.length > MAX_TARGETS_PER_RULE) {
    throw new ComponentArgumentError(
      label,
      `\`targets\` can hold at most ${MAX_TARGETS_PER_RULE} targets per rule, but ${targets.length} were provided. Split them over several rules with the same pattern.`,
    );
  }
  const resolved = targets.map((target, i) => validateTarget(label, `targets[${i}]`, target));

  let eventPattern: string | undefined;
  if (args.pattern !== undefined) {
    const problems = eventPatternProblems(args.pattern, "rule");
    if (problems.length > 0) {
      throw new ComponentArgumentError(
        label,
        `\`pattern\` is not a valid EventBridge event pattern: ${problems.map((p) => `${p.path} ${p.message}`).join("; ")}.`,
      );
    }
    eventPattern = JSON.stringify(args.pattern);
  } else {
    validateSchedule(label, args.schedule!);
  }
  return { eventPattern, targets: resolved };
}

function validateTarget(label: string, option: string, target: RuleTarget): ResolvedTarget {
  const kinds = TARGET_KINDS.filter((kind) => (target as unknown as Record<string, unknown>)[kind] !== undefined);
  if (kinds.length !== 1) {
    throw new ComponentArgumentError(
      label,
      `\`${option}\` must name exactly one of ${TARGET_KINDS.map((k) => `\`${k}\``).join(", ")}, but ${kinds.length === 0 ? "none" : kinds.map((k) => `\`${k}\``).join(" and ")} ${kinds.length === 1 ? "was" : "were"} given.`,
    );
  }
  requireIntegerInRange(label, `${option}.retry.maximumEventAgeSeconds`, target.retry?.maximumEventAgeSeconds, 60, 86400, "seconds");
  requireIntegerInRange(label, `${option}.retry.maximumRetryAttempts`, target.retry?.maximumRetryAttempts, 0, 185);
  if (target.deadLetterQueue?.fifo) {
    throw new ComponentArgumentError(
      label,
      `\`${option}.deadLetterQueue\` is the FIFO queue "${target.deadLetterQueue.name}"; EventBridge dead-letter queues must be standard queues.`,
    );
  }
  if (target.inputTransformer) validateInputTransformer(label, `${option}.inputTransformer`, target.inputTransformer);

  const kind = kinds[0];
  const topic = (target as Partial<TopicTarget>).topic;
  if (kind === "topic" && hasServicePublish(topic!) && topic!.kmsKeyArn === undefined) {
    // A Topic without a customer key uses the AWS-managed SNS key, whose policy cannot admit EventBridge.
    throw new ComponentArgumentError(
      label,
      `\`${option}.topic\` "${topic!.name}" is encrypted with the AWS-managed SNS key, which EventBridge cannot use. ` +
        "Create the Topic with `customerManagedKey: true` (or a `kmsKey` whose policy admits events.amazonaws.com).",
    );
  }
  if (kind === "queue") {
    const queueTarget = target as QueueTarget;
    if (queueTarget.queue.fifo && queueTarget.messageGroupId === undefined) {
      throw new ComponentArgumentError(
        label,
        `\`${option}.messageGroupId\` is required: "${queueTarget.queue.name}" is a FIFO queue and every message needs a group.`,
      );
    }
    if (!queueTarget.queue.fifo && queueTarget.messageGroupId !== undefined) {
      throw new ComponentArgumentError(
        label,
        `\`${option}.messageGroupId\` only applies to FIFO queues, and "${queueTarget.queue.name}" is a standard queue. Remove it.`,
      );
    }
  }
  return { kind, target } as ResolvedTarget;
}

const RESERVED_TEMPLATE_VARIABLES = /^aws\.events\.(rule-arn|rule-name|event|event\.json|event\.ingestion-time)$/;

function validateInputTransformer(label: string, option: string, transformer: InputTransformer): void {
  const paths = transformer.inputPaths ?? {};
  const names = Object.keys(paths);
  if (names.length > 100) {
    throw new ComponentArgumentError(label, `\`${option}.inputPaths\` can hold at most 100 entries, but ${names.length} were provided.`);
  }
  for (const key of names) {
    if (!/^[A-Za-z0-9_-]+$/.test(key)) {
      throw new ComponentArgumentError(
        label,
        `\`${option}.inputPaths\` key "${key}" must be letters, digits, "_" or "-" (and "aws." is EventBridge's own prefix).`,
      );
    }
    if (!paths[key].startsWith("$")) {
      throw new ComponentArgumentError(
        label,
        `\`${option}.inputPaths.${key}\` must be a JSON path starting with "$" (e.g. "$.detail.orderId"), but "${paths[key]}" was provided.`,
      );
    }
  }
  const template = transformer.inputTemplate;
  if (typeof template !== "string" || template.length === 0 || template.length > 8192) {
    throw new ComponentArgumentError(label, `\`${option}.inputTemplate\` must be 1 to 8192 characters.`);
  }
  for (const [, placeholder] of template.matchAll(/<([A-Za-z0-9_.-]+)>/g)) {
    if (!(placeholder in paths) && !RESERVED_TEMPLATE_VARIABLES.test(placeholder)) {
      throw new ComponentArgumentError(
        label,
        `\`${option}.inputTemplate\` uses <${placeholder}>, which is neither a key of \`inputPaths\` nor an <aws.events.*> variable.`,
      );
    }
  }
}

const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;

function validateSchedule(label: string, schedule: string): void {
  if (!RATE.test(schedule) && !CRON.test(schedule)) {
    throw new ComponentArgumentError(
      label,
      `\`schedule\` must be "rate(<n> <unit>)" (e.g. "rate(1 hour)", "rate(5 minutes)") or a six-field "cron(...)" ` +
        `(e.g. "cron(0 12 * * ? *)"), but "${schedule}" was provided.`,
    );
  }
}
