import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyInOneMinute } from "./alarm";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { grant, type Grantee, type GranteeLike } from "./grant";
import type { IEventBus, IFunction, IStateMachine } from "./interfaces";
import { buildSagaAsl, busesOf, functionsOf, placeholderArns, SAGA_STATE_NAMES, type SagaDefinition } from "./saga-definition";
import { transform, type Transform } from "./transform";

const TYPE = "orderflow:orchestration:Saga";

/** The actions Step Functions needs to send traces (CDK's StateMachine with tracing). X-Ray has no resource ARNs. */
export const SFN_XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"] as const;

/**
 * The actions Step Functions needs to deliver execution logs to CloudWatch Logs. Log delivery is configured through
 * CloudWatch Logs' account-wide vended-logs APIs, which take no resource ARN, hence `*`.
 */
export const SFN_LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
] as const;

/**
 * The personal data a saga's state carries (the customer's contact), as CloudWatch Logs managed data identifiers:
 * `EmailAddress` (any region), and `PhoneNumber` for each country CloudWatch Logs has one for
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/protect-sensitive-log-data-types-pii.html).
 */
export const PII_DATA_IDENTIFIERS: readonly string[] = [
  "EmailAddress",
  ...["BR", "DE", "ES", "FR", "GB", "IT", "US"].map((country) => `PhoneNumber-${country}`),
];

/** The namespace of the metric counting compensations that still failed after their retries. */
export const SAGA_METRIC_NAMESPACE = "orderflow/Saga";

export interface SagaArgs extends SagaDefinition<IFunction, IEventBus> {
  /**
   * `STANDARD` (exactly-once, up to a year, execution history kept) or `EXPRESS` (at-least-once, up to 5 minutes,
   * history only in the logs). A saga that takes money wants STANDARD.
   * @default "STANDARD"
   */
  readonly type?: "STANDARD" | "EXPRESS";
  /**
   * Whether the execution logs carry each state's input and output (the order, the results, the caught error).
   * On by default: a failed saga is diagnosed from exactly that data, for EXPRESS the logs are the only history, and
   * a STANDARD execution's history already shows the same data to whoever can read the logs. Turn it off when the
   * state carries secrets or personal data that must not sit in CloudWatch Logs.
   * @default true
   */
  readonly includeExecutionData?: boolean;
  /**
   * CloudWatch Logs managed data identifiers (`"EmailAddress"`, `"PhoneNumber-US"`, ...) masked in the execution logs
   * by a data protection policy on the log group, when `includeExecutionData` is on: the saga's state carries the
   * customer's contact. CloudWatch Logs masks them as they are ingested (only `logs:Unmask` shows them) and audits the
   * findings; identifiers: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL-managed-data-identifiers.html
   * At least one. Ignored when `includeExecutionData` is off (no data, nothing to mask).
   * @default - Email addresses, and phone numbers of every country CloudWatch Logs recognizes (`PII_DATA_IDENTIFIERS`).
   */
  readonly maskedData?: readonly string[];
  /** Days the execution logs are kept, from 1 to 3653 (CloudWatch allows only certain values in between). @default 30 */
  readonly logRetentionInDays?: number;
  /** The SNS topic the alarms (failed executions, failed compensations) notify. @default - alarms without actions */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Changes the children before they are created. */
  readonly transform?: {
    readonly stateMachine?: Transform<aws.sfn.StateMachineArgs>;
    readonly role?: Transform<aws.iam.RoleArgs>;
    readonly logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    readonly dataProtectionPolicy?: Transform<aws.cloudwatch.LogDataProtectionPolicyArgs>;
    readonly compensationFailedMetric?: Transform<aws.cloudwatch.LogMetricFilterArgs>;
    readonly executionsFailedAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    readonly compensationFailedAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

// Generates (and asl-validates) the definition with stand-in ARNs, so a bad definition fails in preview too, where the
// real ARNs are unknown, and before anything is registered.
function validateSagaArgs(name: string, args: SagaArgs): void {
  const label = `Saga "${name}"`;
  if (args.type !== undefined && args.type !== "STANDARD" && args.type !== "EXPRESS") {
    throw new ComponentArgumentError(label, `\`type\` must be "STANDARD" or "EXPRESS", but ${JSON.stringify(args.type)} was provided.`);
  }
  requireIntegerInRange(label, "logRetentionInDays", args.logRetentionInDays, 1, 3653, "days");
  if (args.maskedData !== undefined && (args.includeExecutionData ?? true)) {
    if (args.maskedData.length === 0) {
      throw new ComponentArgumentError(
        label,
        "`maskedData` must name at least one data identifier while `includeExecutionData` is on: the execution logs carry the state. " +
          "Name the identifiers to mask, or set `includeExecutionData: false` to keep the data out of the logs.",
      );
    }
    const bad = args.maskedData.find((id) => !/^[A-Za-z]+(-[A-Z]{2})?$/.test(id));
    if (bad !== undefined) {
      throw new ComponentArgumentError(label, `\`maskedData\` holds CloudWatch Logs managed data identifiers such as "EmailAddress" or "PhoneNumber-US", but ${JSON.stringify(bad)} was provided.`);
    }
  }
  buildSagaAsl(args, placeholderArns(args), label);
}

/** states:StartExecution on a state machine's ARN: the one grant owned and imported state machines share. */
function grantStartExecution(stateMachine: IStateMachine, grantee: GranteeLike): aws.iam.RolePolicy {
  return grant(grantee, `start-${stateMachine.name}`, [{ actions: ["states:StartExecution"], resources: [stateMachine.arn] }]);
}

/**
 * A saga orchestrated by a Step Functions state machine: steps invoked in order, each retried on Lambda's transient
 * errors; when one fails, its own compensation and the completed steps' in reverse order; choice, parallel and map steps; a
 * `finally` step on every path; OrderConfirmed/OrderCancelled-style events put on a bus. See SagaDefinition for the
 * state the steps see and how the saga ends.
 *
 * Creates: the state machine (X-Ray tracing on, logging at level ALL), its own role (trusted by
 * states.amazonaws.com for this account only), a log group under `/aws/vendedlogs/states/` with a data protection
 * policy masking the customer's email address and phone number when execution data is logged, an alarm on
 * failed executions, and a metric filter plus alarm on compensations that still failed after their retries.
 *
 * @example
 * ```ts
 * const checkout = new Saga("checkout", {
 *   steps: [
 *     { name: "ReserveInventory", invoke: reserve, compensate: release, retry: { errors: ["InventoryLocked"] } },
 *     { name: "ChargePayment", invoke: charge, compensate: refund },
 *     { name: "ScheduleShipment", invoke: ship },
 *   ],
 *   finally: { name: "RecordOutcome", invoke: audit },
 *   onSuccess: { bus, source: "orderflow.checkout", detailType: "OrderConfirmed", detail: { orderId: "$.orderId" } },
 *   onFailure: { bus, source: "orderflow.checkout", detailType: "OrderCancelled", detail: { orderId: "$.orderId" } },
 *   alarmTopicArn: alarms.arn,
 * });
 * checkout.grantStart(api.role);
 * ```
 */
export class Saga extends pulumi.ComponentResource implements IStateMachine, Grantee {
  /** Names the saga in errors and its children. */
  readonly name: string;
  /** The state machine's ARN. */
  readonly arn: pulumi.Output<string>;
  /** The state machine's physical name. */
  readonly stateMachineName: pulumi.Output<string>;
  /** The ARN of the role the state machine runs as. */
  readonly roleArn: pulumi.Output<string>;
  /** The name of the log group the executions are logged to. */
  readonly logGroupName: pulumi.Output<string>;
  /** The role the state machine runs as (the saga is a grantee: grants to it land on this role). */
  readonly role: aws.iam.Role;
  readonly grantName: string;
  readonly grantParent: pulumi.Resource;
  /** The raw children. */
  readonly nodes: {
    readonly stateMachine: aws.sfn.StateMachine;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Masks the personal data in the execution logs; none when `includeExecutionData` is off. */
    readonly dataProtectionPolicy?: aws.cloudwatch.LogDataProtectionPolicy;
    readonly policies: readonly aws.iam.RolePolicy[];
    readonly compensationFailedMetric: aws.cloudwatch.LogMetricFilter;
    readonly executionsFailedAlarm: aws.cloudwatch.MetricAlarm;
    readonly compensationFailedAlarm: aws.cloudwatch.MetricAlarm;
  };

  constructor(name: string, args: SagaArgs, opts?: pulumi.ComponentResourceOptions) {
    // Everything is checked before the first resource (this component included) is registered.
    validateSagaArgs(name, args);
    super(TYPE, name, {}, opts);
    const label = `Saga "${name}"`;
    this.name = name;
    this.grantName = name;
    this.grantParent = this;

    const role = createRole(this);
    this.role = role;
    const policies = grantAccess(this);
    const logGroup = createLogGroup(this);
    const dataProtectionPolicy = (args.includeExecutionData ?? true) ? createDataProtectionPolicy(this) : undefined;
    const stateMachine = createStateMachine(this);
    const compensationFailedMetric = createCompensationFailedMetric(this);
    const executionsFailedAlarm = createExecutionsFailedAlarm(this);
    const compensationFailedAlarm = createCompensationFailedAlarm(this);

    this.arn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.nodes = { stateMachine, role, logGroup, dataProtectionPolicy, policies, compensationFailedMetric, executionsFailedAlarm, compensationFailedAlarm };
    this.registerOutputs({
      arn: this.arn,
      stateMachineName: this.stateMachineName,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
    });

    function createRole(parent: Saga): aws.iam.Role {
      const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
      return new aws.iam.Role(
        ...transform(
          args.transform?.role,
          `${name}Role`,
          {
            description: `Runs the ${name} saga's state machine.`,
            assumeRolePolicy: pulumi.jsonStringify({
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: { Service: "states.amazonaws.com" },
                  Action: "sts:AssumeRole",
                  // Only state machines of this account may act as this role (confused-deputy guard).
                  Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
              ],
            }),
          },
          { parent },
        ),
      );
    }

    function grantAccess(grantee: Saga): aws.iam.RolePolicy[] {
      const invokes = [...functionsOf(args, label).values()].map((fn) => fn.grantInvoke(grantee));
      const puts = [...busesOf(args).values()].map((bus) => bus.grantPutEvents(grantee));
      // The only two statements on `*`: neither X-Ray's trace APIs nor CloudWatch Logs' log-delivery APIs take a resource.
      const xray = grant(grantee, "xray", [{ actions: SFN_XRAY_ACTIONS, resources: ["*"] }]);
      const logDelivery = grant(grantee, "logDelivery", [{ actions: SFN_LOG_DELIVERY_ACTIONS, resources: ["*"] }]);
      return [...invokes, ...puts, xray, logDelivery];
    }

    function createLogGroup(parent: Saga): aws.cloudwatch.LogGroup {
      return new aws.cloudwatch.LogGroup(
        ...transform(
          args.transform?.logGroup,
          `${name}LogGroup`,
          {
            // Step Functions adds each log group it delivers to into the account's CloudWatch Logs resource policy,
            // which is capped at 5120 characters; groups under /aws/vendedlogs/ are covered by one wildcard instead.
            namePrefix: `/aws/vendedlogs/states/${name}-`,
            retentionInDays: args.logRetentionInDays ?? 30,
          },
          { parent },
        ),
      );
    }

    // A data protection policy has exactly two statements, an Audit and then a Deidentify over the same identifiers
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-start.html). Masking applies
    // to events ingested after the policy exists, so the state machine waits for it.
    function createDataProtectionPolicy(parent: Saga): aws.cloudwatch.LogDataProtectionPolicy {
      const partition = aws.getPartitionOutput({}, { parent }).partition;
      const identifiers = partition.apply((p) => (args.maskedData ?? PII_DATA_IDENTIFIERS).map((id) => `arn:${p}:dataprotection::aws:data-identifier/${id}`));
      return new aws.cloudwatch.LogDataProtectionPolicy(
        ...transform(
          args.transform?.dataProtectionPolicy,
          `${name}DataProtectionPolicy`,
          {
            logGroupName: logGroup.name,
            policyDocument: pulumi.jsonStringify({
              Name: `${name}-execution-data`,
              Description: `Masks the personal data in the ${name} saga's execution logs.`,
              Version: "2021-06-01",
              Statement: [
                { Sid: "audit", DataIdentifier: identifiers, Operation: { Audit: { FindingsDestination: {} } } },
                { Sid: "redact", DataIdentifier: identifiers, Operation: { Deidentify: { MaskConfig: {} } } },
              ],
            }),
          },
          { parent },
        ),
      );
    }

    function createStateMachine(parent: Saga): aws.sfn.StateMachine {
      const functionArns = [...functionsOf(args, label).values()].map((fn) => pulumi.output(fn.arn).apply((arn) => [fn.name, arn] as const));
      const busArns = [...busesOf(args).values()].map((bus) => pulumi.output(bus.arn).apply((arn) => [bus.name, arn] as const));
      const definition = pulumi.all([pulumi.all(functionArns), pulumi.all(busArns)]).apply(([fns, buses]) =>
        JSON.stringify(buildSagaAsl(args, { functions: Object.fromEntries(fns), buses: Object.fromEntries(buses) }, label), null, 2),
      );
      return new aws.sfn.StateMachine(
        ...transform(
          args.transform?.stateMachine,
          `${name}StateMachine`,
          {
            type: args.type ?? "STANDARD",
            roleArn: role.arn,
            definition,
            tracingConfiguration: { enabled: true },
            loggingConfiguration: {
              level: "ALL",
              includeExecutionData: args.includeExecutionData ?? true,
              logDestination: pulumi.interpolate`${logGroup.arn}:*`,
            },
          },
          // Step Functions checks at creation that the role may deliver logs and invoke the tasks' resources; no
          // execution may log before its personal data is masked.
          { parent, dependsOn: dataProtectionPolicy ? [...policies, dataProtectionPolicy] : policies },
        ),
      );
    }

    // Counts the executions that entered the CompensationFailed state. The state's name is logged even when
    // includeExecutionData is off, so the metric does not depend on that switch.
    function createCompensationFailedMetric(parent: Saga): aws.cloudwatch.LogMetricFilter {
      return new aws.cloudwatch.LogMetricFilter(
        ...transform(
          args.transform?.compensationFailedMetric,
          `${name}CompensationFailedMetric`,
          {
            logGroupName: logGroup.name,
            pattern: `{ ($.type = "FailStateEntered") && ($.details.name = "${SAGA_STATE_NAMES.compensationFailed}") }`,
            metricTransformation: {
              namespace: SAGA_METRIC_NAMESPACE,
              name: pulumi.interpolate`${stateMachine.name}-CompensationFailed`,
              value: "1",
              unit: "Count",
            },
          },
          { parent },
        ),
      );
    }

    function createExecutionsFailedAlarm(parent: Saga): aws.cloudwatch.MetricAlarm {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          args.transform?.executionsFailedAlarm,
          `${name}ExecutionsFailedAlarm`,
          {
            alarmDescription: `The ${name} saga had failed executions: an unexpected error (compensated) or a failed compensation. Declared outcomes (a declined payment) end succeeded, CANCELLED, and do not count.`,
            namespace: "AWS/States",
            metricName: "ExecutionsFailed",
            dimensions: { StateMachineArn: stateMachine.arn },
            ...anyInOneMinute(args.alarmTopicArn),
          },
          { parent },
        ),
      );
    }

    function createCompensationFailedAlarm(parent: Saga): aws.cloudwatch.MetricAlarm {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          args.transform?.compensationFailedAlarm,
          `${name}CompensationFailedAlarm`,
          {
            alarmDescription: `A compensation of the ${name} saga still failed after its retries: an order is half-undone and needs an operator.`,
            namespace: SAGA_METRIC_NAMESPACE,
            metricName: compensationFailedMetric.metricTransformation.name,
            ...anyInOneMinute(args.alarmTopicArn),
          },
          { parent },
        ),
      );
    }
  }

  /** states:StartExecution on this state machine's ARN. */
  grantStart(grantee: GranteeLike): aws.iam.RolePolicy {
    return grantStartExecution(this, grantee);
  }

  /** A state machine of another stack (or made elsewhere), by ARN, with the same grants. Creates nothing. */
  static fromAttributes(name: string, attributes: { arn: pulumi.Input<string> }): IStateMachine {
    return new ImportedStateMachine(name, pulumi.output(attributes.arn));
  }
}

class ImportedStateMachine implements IStateMachine {
  constructor(
    readonly name: string,
    readonly arn: pulumi.Output<string>,
  ) {}

  grantStart(grantee: GranteeLike): aws.iam.RolePolicy {
    return grantStartExecution(this, grantee);
  }
}
