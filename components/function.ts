import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { anyInOneMinute } from "./alarm";
import { BundleError, bundleHandler, type Bundle } from "./bundle";
import { DeadLetterQueue } from "./dead-letter-queue";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { grant, type GranteeLike, type Permission } from "./grant";
import type { IConsumerFunction, IFunction, IQueue } from "./interfaces";
import { transform, type Transform } from "./transform";

/** Powertools log levels, quietest last. */
export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "CRITICAL" | "SILENT";

const LOG_LEVELS: readonly LogLevel[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"];

/**
 * The levels Lambda filters a JSON-logging function's logs at, for each Powertools level. With `logFormat: "JSON"`
 * Lambda drops application logs below `applicationLogLevel` (INFO when unset) and sets AWS_LAMBDA_LOG_LEVEL to it,
 * which the Powertools logger takes over POWERTOOLS_LOG_LEVEL; so a DEBUG setting must reach both, or DEBUG lines
 * never appear. Lambda's application levels are TRACE to FATAL (no CRITICAL, no off: CRITICAL and SILENT keep FATAL);
 * its system levels are DEBUG, INFO and WARN.
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html,
 * https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html,
 * https://docs.powertools.aws.dev/lambda/typescript/latest/core/logger/ (AWS Lambda Advanced Logging Controls)
 */
export const LAMBDA_LOG_LEVELS: Readonly<Record<LogLevel, { application: string; system: string }>> = {
  TRACE: { application: "TRACE", system: "DEBUG" },
  DEBUG: { application: "DEBUG", system: "DEBUG" },
  INFO: { application: "INFO", system: "INFO" },
  WARN: { application: "WARN", system: "WARN" },
  ERROR: { application: "ERROR", system: "WARN" },
  CRITICAL: { application: "FATAL", system: "WARN" },
  SILENT: { application: "FATAL", system: "WARN" },
};

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Environment variables the component sets itself; they are options, not `environment` entries. */
const RESERVED_ENVIRONMENT: Record<string, string> = {
  POWERTOOLS_SERVICE_NAME: "serviceName",
  POWERTOOLS_LOG_LEVEL: "logLevel",
  POWERTOOLS_METRICS_NAMESPACE: "metricsNamespace",
  NODE_OPTIONS: "(none: source maps need `--enable-source-maps`)",
};

export interface FunctionArgs {
  /** The handler file, relative to `handlersRoot` (`"orders/place-order.ts"`); it exports `handler`. */
  handler: string;
  /**
   * The directory handler paths are relative to.
   * @default `<repo>/handlers`
   */
  handlersRoot?: string;
  /**
   * Memory in MB, from 128 to 10240; CPU grows with it.
   * @default 256
   */
  memory?: number;
  /**
   * Timeout in seconds, from 1 to 900. Queues this function consumes size their visibility timeout from it.
   * @default 10
   */
  timeout?: number;
  /**
   * The instruction set: `"arm64"` (Graviton, cheaper per ms) or `"x86_64"`.
   * @default `"arm64"`
   */
  architecture?: "arm64" | "x86_64";
  /**
   * Extra environment variables. Names start with a letter and hold letters, digits and `_`; the Powertools variables
   * and NODE_OPTIONS are set from options and cannot be given here.
   * @default - None.
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` key of every log line and the service dimension of metrics.
   * @default The component's name.
   */
  serviceName?: string;
  /**
   * The quietest level the function logs at: POWERTOOLS_LOG_LEVEL, and Lambda's application and system log levels
   * (see LAMBDA_LOG_LEVELS), which decide what reaches CloudWatch.
   * @default `"INFO"`
   */
  logLevel?: LogLevel;
  /**
   * POWERTOOLS_METRICS_NAMESPACE: the CloudWatch namespace of the function's custom metrics.
   * @default `"orderflow"`
   */
  metricsNamespace?: string;
  /**
   * Concurrent executions reserved for (and capped at) this function: a non-negative integer within the account's
   * concurrency quota; 0 stops every invocation.
   * @default - The account's unreserved pool.
   */
  reservedConcurrency?: number;
  /**
   * Retries of a failed asynchronous invocation, from 0 to 2, before it goes to the dead-letter queue.
   * @default 2
   */
  maximumRetryAttempts?: number;
  /**
   * How long an asynchronous event may wait to be processed, from 60 to 21600 seconds, before it goes to the
   * dead-letter queue.
   * @default 21600
   */
  maximumEventAgeInSeconds?: number;
  /**
   * Where failed asynchronous invocations go (a standard queue: Lambda destinations do not take FIFO queues); the
   * function is granted send on it.
   * @default - A DeadLetterQueue created for this function, named `${name}Dlq`.
   */
  deadLetterQueue?: IQueue;
  /**
   * Extra permissions of the function's role: exact actions on exact resources, no `*` (the X-Ray grant is the
   * only one on `*`). Prefer the other components' grant methods (`table.grantRead(fn)`), which know the actions.
   * @default - None.
   */
  permissions?: Permission[];
  /**
   * Retention of the function's log group, in days (a value CloudWatch Logs accepts).
   * @default 30
   */
  logRetentionInDays?: number;
  /**
   * Where the Errors and Throttles alarms (and the dead-letter queue's) are sent.
   * @default - The alarms have no actions.
   */
  alarmTopicArn?: pulumi.Input<string>;
  /** Changes the child resources before they are created. */
  transform?: {
    role?: Transform<aws.iam.RoleArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    function?: Transform<aws.lambda.FunctionArgs>;
    eventInvokeConfig?: Transform<aws.lambda.FunctionEventInvokeConfigArgs>;
    errorsAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    throttlesAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

/** The attributes of a function owned by another stack. */
export interface FunctionAttributes {
  arn: pulumi.Input<string>;
  /** @default The last segment of the ARN. */
  functionName?: pulumi.Input<string>;
}

/** The grant every function offers, whether this stack owns it (`Function`) or imports it (`Function.fromAttributes`). */
export abstract class FunctionBase extends pulumi.ComponentResource implements IFunction {
  /** The logical name; names the grant policies. */
  readonly name: string;
  /** The ARN of the function (unqualified). */
  abstract readonly arn: pulumi.Output<string>;
  /** The physical name of the function. */
  abstract readonly functionName: pulumi.Output<string>;

  protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.name = name;
  }

  /** lambda:InvokeFunction on the function ARN and on `arn:*` (its versions and aliases). */
  grantInvoke(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `invoke-${this.name}`, [
      { actions: ["lambda:InvokeFunction"], resources: [this.arn, pulumi.interpolate`${this.arn}:*`] },
    ]);
  }
}

/**
 * A Node.js 22 Lambda function bundled from a handler file, with its own role (inline, exact policies only), its own
 * JSON log group, X-Ray tracing, the Powertools environment, a dead-letter queue for failed asynchronous invocations,
 * and alarms on Errors and Throttles.
 *
 * @example
 * ```ts
 * const placeOrder = new Function("placeOrder", {
 *   handler: "orders/place-order.ts",
 *   serviceName: "orders",
 *   environment: { TABLE_NAME: orders.tableName },
 *   alarmTopicArn: alarms.arn,
 * });
 * orders.grantReadWrite(placeOrder);
 * ```
 */
export class Function extends FunctionBase implements IConsumerFunction {
  /** The ARN of the function (unqualified). */
  readonly arn: pulumi.Output<string>;
  /** The physical name of the function. */
  readonly functionName: pulumi.Output<string>;
  /** The ARN of the function's own role. */
  readonly roleArn: pulumi.Output<string>;
  /** The name of the function's log group. */
  readonly logGroupName: pulumi.Output<string>;
  /** The ARN of the queue failed asynchronous invocations go to. */
  readonly deadLetterQueueArn: pulumi.Output<string>;
  /** The timeout in seconds, known at program time (queues size their visibility timeout from it). */
  readonly timeoutSeconds: number;
  /** The reserved concurrency, known at program time (queue subscriptions cap their concurrency within it). */
  readonly reservedConcurrency?: number;
  /** sha256 of the bundled code: equal for equal code on any machine. */
  readonly codeHash: string;
  /** The function's own role: grants attach to it. */
  readonly role: aws.iam.Role;
  /** Names this function's grant policies. */
  readonly grantName: string;
  /** Grant policies are parented to the function. */
  readonly grantParent: pulumi.Resource;
  /** The raw resources this component created. */
  readonly nodes: {
    readonly function: aws.lambda.Function;
    readonly role: aws.iam.Role;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly eventInvokeConfig: aws.lambda.FunctionEventInvokeConfig;
    /** The dead-letter queue, when this function created it. */
    readonly deadLetterQueue?: DeadLetterQueue;
    readonly errorsAlarm: aws.cloudwatch.MetricAlarm;
    readonly throttlesAlarm: aws.cloudwatch.MetricAlarm;
  };

  /** A function owned by another stack, with the same grantInvoke. */
  static fromAttributes(name: string, attributes: FunctionAttributes, opts?: pulumi.ComponentResourceOptions): IFunction {
    return new ImportedFunction(name, attributes, opts);
  }

  constructor(name: string, args: FunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): bad options and handlers that do not bundle must not leave even the component behind.
    validate(`Function "${name}"`, args);
    const bundle = bundleFor(`Function "${name}"`, args);
    super("orderflow:compute:Function", name, opts);

    const timeout = args.timeout ?? 10;
    const role = createRole(this);
    const logGroup = createLogGroup(this);
    this.role = role;
    this.grantName = name;
    this.grantParent = this;
    const basePolicies = grantLogsAndTracing(this);
    const extraPolicy = args.permissions?.length ? grant(this, "permissions", args.permissions) : undefined;
    const fn = createFunction(this, [...basePolicies, ...(extraPolicy ? [extraPolicy] : [])]);
    const { deadLetterQueue, queue } = createDeadLetterQueue(this);
    const sendPolicy = queue.grantSend(this);
    const eventInvokeConfig = createEventInvokeConfig(this);
    const errorsAlarm = createAlarm(this, "Errors", args.transform?.errorsAlarm);
    const throttlesAlarm = createAlarm(this, "Throttles", args.transform?.throttlesAlarm);
    warnAbout(this, bundle);

    this.arn = fn.arn;
    this.functionName = fn.name;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.deadLetterQueueArn = queue.arn;
    this.timeoutSeconds = timeout;
    this.reservedConcurrency = args.reservedConcurrency;
    this.codeHash = bundle.hash;
    this.nodes = { function: fn, role, logGroup, eventInvokeConfig, deadLetterQueue, errorsAlarm, throttlesAlarm };
    this.registerOutputs({
      arn: this.arn,
      functionName: this.functionName,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
      deadLetterQueueArn: this.deadLetterQueueArn,
    });

    function createRole(parent: Function): aws.iam.Role {
      return new aws.iam.Role(
        ...transform(
          args.transform?.role,
          `${name}Role`,
          {
            description: `Execution role of function ${name} (its own, never shared)`,
            // Lambda's documented execution-role trust is the bare service principal: Lambda does not send
            // aws:SourceAccount / aws:SourceArn when it assumes the role, so such conditions would lock it out.
            assumeRolePolicy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
            }),
          },
          { parent },
        ),
      );
    }

    function createLogGroup(parent: Function): aws.cloudwatch.LogGroup {
      return new aws.cloudwatch.LogGroup(
        ...transform(args.transform?.logGroup, `${name}LogGroup`, { retentionInDays: args.logRetentionInDays ?? 30 }, { parent }),
      );
    }

    function grantLogsAndTracing(grantee: Function): aws.iam.RolePolicy[] {
      return [
        grant(grantee, "logs", [
          { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:*`] },
        ]),
        // The one statement on `*`: X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
        grant(grantee, "xray", [{ actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] }]),
      ];
    }

    function createFunction(parent: Function, policies: aws.iam.RolePolicy[]): aws.lambda.Function {
      return new aws.lambda.Function(
        ...transform(
          args.transform?.function,
          `${name}Function`,
          {
            role: role.arn,
            runtime: "nodejs24.x",
            architectures: [args.architecture ?? "arm64"],
            handler: "index.handler",
            code: bundle.archive(),
            memorySize: args.memory ?? 256,
            timeout,
            reservedConcurrentExecutions: args.reservedConcurrency,
            tracingConfig: { mode: "Active" },
            loggingConfig: {
              logFormat: "JSON",
              logGroup: logGroup.name,
              applicationLogLevel: LAMBDA_LOG_LEVELS[args.logLevel ?? "INFO"].application,
              systemLogLevel: LAMBDA_LOG_LEVELS[args.logLevel ?? "INFO"].system,
            },
            environment: {
              variables: {
                ...args.environment,
                POWERTOOLS_SERVICE_NAME: args.serviceName ?? name,
                POWERTOOLS_LOG_LEVEL: args.logLevel ?? "INFO",
                POWERTOOLS_METRICS_NAMESPACE: args.metricsNamespace ?? "orderflow",
                NODE_OPTIONS: "--enable-source-maps",
              },
            },
          },
          // Without its log and trace policies in place, the first invocations could neither log nor trace.
          { parent, dependsOn: policies },
        ),
      );
    }

    function createDeadLetterQueue(parent: Function): { deadLetterQueue?: DeadLetterQueue; queue: IQueue } {
      if (args.deadLetterQueue) return { queue: args.deadLetterQueue };
      const created = new DeadLetterQueue(`${name}Dlq`, { alarmTopicArn: args.alarmTopicArn }, { parent });
      return { deadLetterQueue: created, queue: created };
    }

    function createEventInvokeConfig(parent: Function): aws.lambda.FunctionEventInvokeConfig {
      return new aws.lambda.FunctionEventInvokeConfig(
        ...transform(
          args.transform?.eventInvokeConfig,
          `${name}EventInvokeConfig`,
          {
            functionName: fn.name,
            maximumRetryAttempts: args.maximumRetryAttempts ?? 2,
            maximumEventAgeInSeconds: args.maximumEventAgeInSeconds ?? 21600,
            destinationConfig: { onFailure: { destination: queue.arn } },
          },
          // Lambda checks that the role may send to the destination when the configuration is saved.
          { parent, dependsOn: [sendPolicy] },
        ),
      );
    }

    function createAlarm(
      parent: Function,
      metricName: "Errors" | "Throttles",
      custom: Transform<aws.cloudwatch.MetricAlarmArgs> | undefined,
    ): aws.cloudwatch.MetricAlarm {
      return new aws.cloudwatch.MetricAlarm(
        ...transform(
          custom,
          `${name}${metricName}Alarm`,
          {
            alarmDescription: `Function ${name}: ${metricName} > 0 in a minute`,
            namespace: "AWS/Lambda",
            metricName,
            dimensions: { FunctionName: fn.name },
            ...anyInOneMinute(args.alarmTopicArn),
          },
          { parent },
        ),
      );
    }
  }
}

function bundleFor(component: string, args: FunctionArgs): Bundle {
  try {
    return bundleHandler({ handler: args.handler, handlersRoot: args.handlersRoot });
  } catch (error) {
    if (error instanceof BundleError) throw new BundleError(`${component}: ${error.message}`);
    throw error;
  }
}

function warnAbout(fn: Function, bundle: Bundle): void {
  for (const warning of bundle.warnings) {
    pulumi.log.warn(`esbuild warning while bundling "${bundle.handler}":\n${warning}`, fn);
  }
}

function validate(component: string, args: FunctionArgs): void {
  if (typeof args.handler !== "string" || args.handler.length === 0) {
    throw new ComponentArgumentError(component, '`handler` must be a path under the handlers root, like "orders/place-order.ts".');
  }
  requireIntegerInRange(component, "memory", args.memory, 128, 10240, "MB");
  requireIntegerInRange(component, "timeout", args.timeout, 1, 900, "seconds");
  requireIntegerInRange(component, "maximumRetryAttempts", args.maximumRetryAttempts, 0, 2);
  requireIntegerInRange(component, "maximumEventAgeInSeconds", args.maximumEventAgeInSeconds, 60, 21600, "seconds");
  if (args.reservedConcurrency !== undefined && (!Number.isInteger(args.reservedConcurrency) || args.reservedConcurrency < 0)) {
    throw new ComponentArgumentError(
      component,
      `\`reservedConcurrency\` must be an integer of 0 or more, but ${args.reservedConcurrency} was provided. Leave it out to use the unreserved pool.`,
    );
  }
  if (args.logRetentionInDays !== undefined && !LOG_RETENTION_DAYS.includes(args.logRetentionInDays)) {
    throw new ComponentArgumentError(
      component,
      `\`logRetentionInDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (what CloudWatch Logs accepts), but ` +
        `${args.logRetentionInDays} was provided.`,
    );
  }
  if (args.logLevel !== undefined && !LOG_LEVELS.includes(args.logLevel)) {
    throw new ComponentArgumentError(
      component,
      `\`logLevel\` must be one of ${LOG_LEVELS.join(", ")}, but ${JSON.stringify(args.logLevel)} was provided.`,
    );
  }
  if (args.architecture !== undefined && !["arm64", "x86_64"].includes(args.architecture)) {
    throw new ComponentArgumentError(
      component,
      `\`architecture\` must be "arm64" or "x86_64", but ${JSON.stringify(args.architecture)} was provided.`,
    );
  }
  if (args.deadLetterQueue?.fifo) {
    throw new ComponentArgumentError(
      component,
      `\`deadLetterQueue\` must be a standard queue (Lambda destinations do not take FIFO queues), but FIFO queue ` +
        `"${args.deadLetterQueue.name}" was provided. Leave it out to get a DeadLetterQueue.`,
    );
  }
  for (const key of Object.keys(args.environment ?? {})) {
    if (key in RESERVED_ENVIRONMENT) {
      throw new ComponentArgumentError(
        component,
        `\`environment.${key}\` is set by the component; use the option ${RESERVED_ENVIRONMENT[key]} instead.`,
      );
    }
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) {
      throw new ComponentArgumentError(
        component,
        `\`environment\` key "${key}" must start with a letter and hold only letters, digits and "_".`,
      );
    }
  }
  (args.permissions ?? []).forEach((permission, i) => {
    const option = `permissions[${i}]`;
    if (permission.actions.length === 0 || permission.resources.length === 0) {
      throw new ComponentArgumentError(component, `\`${option}\` needs at least one action and one resource.`);
    }
    const broad = permission.actions.find((action) => action === "*" || action.endsWith(":*") || !action.includes(":"));
    if (broad !== undefined) {
      throw new ComponentArgumentError(
        component,
        `\`${option}.actions\` must name exact actions like "ssm:GetParameter", but "${broad}" was provided.`,
      );
    }
    if (permission.resources.some((resource) => resource === "*")) {
      throw new ComponentArgumentError(
        component,
        `\`${option}.resources\` must be exact ARNs, but "*" was provided. Grant on the resources the function uses.`,
      );
    }
  });
}

/** A function of another stack, known by its ARN; it creates nothing. */
class ImportedFunction extends FunctionBase {
  readonly arn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;

  constructor(name: string, attributes: FunctionAttributes, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:compute:ImportedFunction", name, opts);
    this.arn = pulumi.output(attributes.arn);
    // arn:aws:lambda:<region>:<account>:function:<name>
    this.functionName =
      attributes.functionName === undefined ? this.arn.apply((arn) => arn.split(":")[6] ?? arn) : pulumi.output(attributes.functionName);
    this.registerOutputs({ arn: this.arn, functionName: this.functionName });
  }
}
