import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";
import { contentTag } from "./build-context";
import { ComponentArgumentError, requireIntegerInRange } from "./errors";
import { grant, type Grantee } from "./grant";
import type { IQueue, ITable } from "./interfaces";
import { transform, type Transform } from "./transform";

/** The repository root: the Docker build context, so an image can bundle `handlers/shared` with its own sources. */
const REPO_ROOT = path.resolve(__dirname, "..");

// The image's paths are given relative to the working directory (the project root, where Pulumi runs programs), as
// awsx resolves them: absolute paths would differ between CI and laptops and show up as a diff on every machine.
function fromWorkingDirectory(absolute: string): string {
  return path.relative(process.cwd(), absolute) || ".";
}

/** Retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** Fargate's task sizes: for each CPU value (units), the memory values (MiB) it can run with. */
const FARGATE_MEMORY: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** The sidecar's name in the task definition; policies and the worker's AWS_XRAY_DAEMON_ADDRESS refer to it. */
export const XRAY_DAEMON_CONTAINER = "xray-daemon";

/** The worker's container name in the task definition. */
export const WORKER_CONTAINER = "worker";

/** AWS's X-Ray daemon image, major version 3. */
export const XRAY_DAEMON_IMAGE = "public.ecr.aws/xray/aws-xray-daemon:3.x";

/**
 * Where the worker sends segments: the daemon's UDP port on the task's loopback (containers of an awsvpc task share
 * one network namespace).
 */
export const XRAY_DAEMON_ADDRESS = "127.0.0.1:2000";

/** The table actions a worker gets unless `tableActions` says otherwise: read, put and update items. */
export const DEFAULT_TABLE_ACTIONS: readonly string[] = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];

/** Environment variables the component sets itself; they cannot be given in `environment`. */
export const WORKER_ENVIRONMENT = {
  /** The URL of the queue the worker consumes. */
  queueUrl: "QUEUE_URL",
  /** The physical name of the table the worker writes. */
  tableName: "TABLE_NAME",
  /** The X-Ray daemon sidecar's address; the worker captures its SDK clients when it is set. */
  xrayDaemonAddress: "AWS_XRAY_DAEMON_ADDRESS",
  /** The `service` key of every log line. */
  serviceName: "POWERTOOLS_SERVICE_NAME",
} as const;

const RESERVED_ENVIRONMENT = new Set<string>([...Object.values(WORKER_ENVIRONMENT), "AWS_REGION", "AWS_DEFAULT_REGION"]);

/** ECS waits this long after SIGTERM before it kills the worker: a long poll (20 s) plus in-flight messages. */
const STOP_TIMEOUT_SECONDS = 60;

export interface ContainerWorkerArgs {
  /** The queue the worker long-polls; the task role gets `queue.grantConsume` (receive, delete, change visibility). */
  queue: IQueue;
  /** The table the worker writes; the task role gets `table.grant` with `tableActions`. */
  table: ITable;
  /**
   * The table actions the worker's code calls, at least one (`table.grant` takes them: item reads and writes, and
   * DescribeTable). `orderflow access` checks them against the worker's code.
   * @default `["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]`
   */
  tableActions?: readonly string[];
  /**
   * Networking: `"default"` runs tasks in the account's default VPC with public IPs and no NAT gateway (dev);
   * `"private"` creates a VPC whose private subnets reach AWS through one NAT gateway (staging, prod).
   */
  vpc: "default" | "private";
  /**
   * Task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
   * @default 256
   */
  cpu?: number;
  /**
   * Task memory in MiB, within what Fargate allows for `cpu` (256: 512 to 2048 by 512; 512: 1024 to 4096 by 1024;
   * 1024: 2048 to 8192; 2048: 4096 to 16384; 4096: 8192 to 30720; 8192: 16384 to 61440 by 4096; 16384: 32768 to
   * 122880 by 8192).
   * @default 512
   */
  memory?: number;
  /**
   * The fewest tasks, from 1 to `maxTasks`. Not 0: the scaling metric divides by the running tasks, so with none
   * running it has no value and the service could never scale out again.
   * @default 1
   */
  minTasks?: number;
  /**
   * The most tasks, from `minTasks` to 100.
   * @default 4
   */
  maxTasks?: number;
  /**
   * Visible messages per running task that target tracking holds the service at, from 1 to 10000.
   * @default 10
   */
  messagesPerTask?: number;
  /**
   * Retention of the worker's log group, in days (a value CloudWatch Logs accepts).
   * @default 30
   */
  logRetentionInDays?: number;
  /**
   * Where the alarm on running tasks below `minTasks` is sent.
   * @default - The alarm has no actions.
   */
  alarmTopicArn?: pulumi.Input<string>;
  /**
   * Extra environment variables of the worker. Names start with a letter and hold letters, digits and `_`; the
   * variables in WORKER_ENVIRONMENT and the region variables are set by the component.
   * @default - None.
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * The directory holding the worker's `Dockerfile`, relative to the repository root (the build context).
   * @default `"handlers/shipping/label-worker"`
   */
  dockerfileDir?: string;
  /** Changes the child resources before they are created. */
  transform?: {
    repository?: Transform<aws.ecr.RepositoryArgs>;
    lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
    image?: Transform<awsx.ecr.ImageArgs>;
    cluster?: Transform<aws.ecs.ClusterArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    taskRole?: Transform<aws.iam.RoleArgs>;
    executionRole?: Transform<aws.iam.RoleArgs>;
    vpc?: Transform<awsx.ec2.VpcArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    service?: Transform<awsx.ecs.FargateServiceArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
    tasksAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

/**
 * A queue worker on Fargate: its image built from a Dockerfile into its own ECR repository, an ECS cluster with
 * Container Insights, an awsx FargateService whose task runs the worker beside an X-Ray daemon sidecar, its own
 * task and execution roles (inline, exact policies only; awsx attaches no AWS-managed ones), one log group for both
 * containers, and a desired count that follows the queue's backlog per task (target tracking).
 *
 * The worker reads QUEUE_URL and TABLE_NAME; it is a Grantee, so other components' grants reach its task role.
 *
 * @example
 * ```ts
 * const labels = new Queue("labels", { alarmTopicArn });
 * const worker = new ContainerWorker("labelWorker", {
 *   queue: labels,
 *   table: shipments,
 *   vpc: settings.env === "dev" ? "default" : "private",
 *   maxTasks: 4,
 *   alarmTopicArn,
 * });
 * ```
 */
export class ContainerWorker extends pulumi.ComponentResource implements Grantee {
  /** The name of the ECS cluster. */
  readonly clusterName: pulumi.Output<string>;
  /** The name of the ECS service (fixed: the cluster is the worker's own). */
  readonly serviceName: string;
  /** The URL of the worker's ECR repository. */
  readonly repositoryUrl: pulumi.Output<string>;
  /** The image the tasks run, by digest. */
  readonly imageUri: pulumi.Output<string>;
  /** The ARN of the task role (the worker's AWS identity). */
  readonly taskRoleArn: pulumi.Output<string>;
  /** The ARN of the execution role (ECS pulling the image and shipping logs). */
  readonly executionRoleArn: pulumi.Output<string>;
  /** The name of the log group both containers write to. */
  readonly logGroupName: pulumi.Output<string>;
  /** The task role: grants attach to it. */
  readonly role: aws.iam.Role;
  /** Names this worker's grant policies. */
  readonly grantName: string;
  /** Grant policies are parented to the worker. */
  readonly grantParent: pulumi.Resource;
  /** The raw resources this component created. */
  readonly nodes: {
    readonly repository: aws.ecr.Repository;
    readonly lifecyclePolicy: aws.ecr.LifecyclePolicy;
    readonly image: awsx.ecr.Image;
    readonly cluster: aws.ecs.Cluster;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly taskRole: aws.iam.Role;
    readonly executionRole: aws.iam.Role;
    readonly vpc: awsx.ec2.DefaultVpc | awsx.ec2.Vpc;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly service: awsx.ecs.FargateService;
    readonly scalingTarget: aws.appautoscaling.Target;
    readonly scalingPolicy: aws.appautoscaling.Policy;
    readonly tasksAlarm: aws.cloudwatch.MetricAlarm;
  };

  constructor(name: string, args: ContainerWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): impossible options must not leave even the component behind.
    const dockerfile = validate(`ContainerWorker "${name}"`, args);
    super("orderflow:compute:ContainerWorker", name, {}, opts);
    // The service's name is fixed (the cluster is the worker's own): the scaling target and alarms name it before it exists.
    const scope: WorkerScope = { name, serviceName: name, args, parent: this, region: aws.getRegionOutput({}, { parent: this }).region };

    const repository = createRepository(scope);
    const lifecyclePolicy = createLifecyclePolicy(scope, repository);
    const image = createImage(scope, repository, dockerfile);
    const cluster = createCluster(scope);
    const logGroup = createLogGroup(scope);
    const taskRole = createRole(scope, "Task", args.transform?.taskRole, "the worker's own AWS identity");
    const executionRole = createRole(scope, "Execution", args.transform?.executionRole, "ECS pulling the image and writing logs");
    this.role = taskRole;
    this.grantName = name;
    this.grantParent = this;
    const executionPolicies = grantExecution(scope, executionRole, repository, logGroup);
    const taskPolicies = grantTask(scope, this);
    const vpc = createVpc(scope);
    const securityGroup = createSecurityGroup(scope, vpc);
    const service = createService(scope, { cluster, image, logGroup, taskRole, executionRole, vpc, securityGroup }, [...executionPolicies, ...taskPolicies]);
    const scalingTarget = createScalingTarget(scope, cluster, service);
    const scalingPolicy = createScalingPolicy(scope, cluster, scalingTarget);
    const tasksAlarm = createTasksAlarm(scope, cluster);

    this.clusterName = cluster.name;
    this.serviceName = scope.serviceName;
    this.repositoryUrl = repository.repositoryUrl;
    this.imageUri = image.imageUri;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.logGroupName = logGroup.name;
    this.nodes = {
      repository,
      lifecyclePolicy,
      image,
      cluster,
      logGroup,
      taskRole,
      executionRole,
      vpc,
      securityGroup,
      service,
      scalingTarget,
      scalingPolicy,
      tasksAlarm,
    };
    this.registerOutputs({
      clusterName: this.clusterName,
      serviceName: this.serviceName,
      repositoryUrl: this.repositoryUrl,
      imageUri: this.imageUri,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The constructor's steps, in the order it runs them. Each creates the children of one concern, parented to the worker.

/** What every step shares: the worker's name (which prefixes its children's names), its arguments, and itself. */
interface WorkerScope {
  readonly name: string;
  /** The ECS service's name. */
  readonly serviceName: string;
  readonly args: ContainerWorkerArgs;
  readonly parent: ContainerWorker;
  /** The region the tasks run in (their log configuration names it). */
  readonly region: pulumi.Output<string>;
}

/** The resources the Fargate service is made of. */
interface ServiceParts {
  readonly cluster: aws.ecs.Cluster;
  readonly image: awsx.ecr.Image;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;
  readonly vpc: awsx.ec2.DefaultVpc | awsx.ec2.Vpc;
  readonly securityGroup: aws.ec2.SecurityGroup;
}

// aws.ecr.Repository rather than awsx.ecr.Repository: awsx's is a remote component whose repository ARN a
// program (and the offline engine) sees only as an opaque output, and the execution role's pull grant needs that
// exact ARN. awsx's only addition, a lifecycle policy, is created below.
function createRepository({ name, args, parent }: WorkerScope): aws.ecr.Repository {
  return new aws.ecr.Repository(
    ...transform(
      args.transform?.repository,
      `${name}Repository`,
      {
        // Images are tagged by content (createImage), so a tag never has to move; immutability keeps a deployed tag's image fixed.
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        // The images are build output, rebuilt from the repository at any time; they must not block a destroy.
        forceDelete: true,
      },
      { parent },
    ),
  );
}

function createLifecyclePolicy({ name, args, parent }: WorkerScope, repository: aws.ecr.Repository): aws.ecr.LifecyclePolicy {
  return new aws.ecr.LifecyclePolicy(
    ...transform(
      args.transform?.lifecyclePolicy,
      `${name}LifecyclePolicy`,
      {
        repository: repository.name,
        // Ten images cover the running one, a circuit-breaker rollback and a few manual ones.
        policy: JSON.stringify({
          rules: [
            {
              rulePriority: 1,
              description: "Keep the 10 most recent images",
              selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
              action: { type: "expire" },
            },
          ],
        }),
      },
      { parent },
    ),
  );
}

// The image is tagged with a hash of what it is built from (build-context.ts): a change under the context gives a new
// tag, which the IMMUTABLE repository accepts, and unchanged sources keep their tag (and their task definition).
function createImage({ name, args, parent }: WorkerScope, repository: aws.ecr.Repository, dockerfile: string): awsx.ecr.Image {
  const [imageName, imageArgs, opts] = transform<awsx.ecr.ImageArgs>(
    args.transform?.image,
    `${name}Image`,
    {
      repositoryUrl: repository.repositoryUrl,
      context: fromWorkingDirectory(REPO_ROOT),
      dockerfile: fromWorkingDirectory(dockerfile),
      // x86_64 like the task's runtime platform: CI runners build it natively, without QEMU.
      platform: "linux/amd64",
    },
    { parent },
  );
  return new awsx.ecr.Image(imageName, { ...imageArgs, imageTag: imageArgs.imageTag ?? contentTagOf(name, imageArgs) }, opts);
}

// The build as awsx will run it (after any transform), its paths resolved from the working directory as awsx does.
function contentTagOf(name: string, image: awsx.ecr.ImageArgs): string {
  const known = (value: unknown, option: string): string => {
    if (typeof value === "string") return value;
    throw new ComponentArgumentError(
      `ContainerWorker "${name}"`,
      `\`transform.image\` sets \`${option}\` to a value known only at deployment, so the image's content tag cannot be computed. ` +
        "Give a plain string, or set `imageTag` in the transform too.",
    );
  };
  const buildArgs = (image.args ?? {}) as Record<string, unknown>;
  for (const value of Object.values(buildArgs)) known(value, "args");
  return contentTag({
    context: path.resolve(known(image.context ?? ".", "context")),
    dockerfile: path.resolve(known(image.dockerfile, "dockerfile")),
    platform: known(image.platform, "platform"),
    args: buildArgs as Record<string, string>,
  });
}

function createCluster({ name, args, parent }: WorkerScope): aws.ecs.Cluster {
  return new aws.ecs.Cluster(
    ...transform(
      args.transform?.cluster,
      `${name}Cluster`,
      // Container Insights publishes RunningTaskCount, the denominator of the scaling metric.
      { settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent },
    ),
  );
}

function createLogGroup({ name, args, parent }: WorkerScope): aws.cloudwatch.LogGroup {
  return new aws.cloudwatch.LogGroup(
    ...transform(args.transform?.logGroup, `${name}LogGroup`, { retentionInDays: args.logRetentionInDays ?? 30 }, { parent }),
  );
}

function createRole(
  { name, parent }: WorkerScope,
  kind: "Task" | "Execution",
  custom: Transform<aws.iam.RoleArgs> | undefined,
  purpose: string,
): aws.iam.Role {
  return new aws.iam.Role(
    ...transform(
      custom,
      `${name}${kind}Role`,
      {
        description: `${kind} role of container worker ${name}: ${purpose} (its own, never shared)`,
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "ecs-tasks.amazonaws.com" },
              Action: "sts:AssumeRole",
              // ECS sends the account with the assume-role call, so another account's tasks cannot use the role.
              Condition: { StringEquals: { "aws:SourceAccount": aws.getCallerIdentityOutput({}, { parent }).accountId } },
            },
          ],
        }),
      },
      { parent },
    ),
  );
}

function grantExecution(
  { name, parent }: WorkerScope,
  executionRole: aws.iam.Role,
  repository: aws.ecr.Repository,
  logGroup: aws.cloudwatch.LogGroup,
): aws.iam.RolePolicy[] {
  const grantee: Grantee = { role: executionRole, grantName: `${name}Execution`, grantParent: parent };
  return [
    grant(grantee, `pull-${name}Repository`, [
      { actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], resources: [repository.arn] },
      // GetAuthorizationToken has no resource-level permissions (IAM's Service Authorization Reference lists no
      // resource type for it): the token it returns only logs in, and the statement above limits what it pulls.
      { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
    ]),
    grant(grantee, "logs", [
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [pulumi.interpolate`${logGroup.arn}:*`] },
    ]),
  ];
}

function grantTask({ args }: WorkerScope, worker: ContainerWorker): aws.iam.RolePolicy[] {
  return [
    args.queue.grantConsume(worker),
    args.table.grant(worker, ...(args.tableActions ?? DEFAULT_TABLE_ACTIONS)),
    // The one statement on `*` of the task role: X-Ray's PutTraceSegments and PutTelemetryRecords have no
    // resource-level permissions. No sampling actions: the worker samples with local rules.
    grant(worker, "xray", [{ actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] }]),
  ];
}

function createVpc({ name, args, parent }: WorkerScope): awsx.ec2.DefaultVpc | awsx.ec2.Vpc {
  if (args.vpc === "default") return new awsx.ec2.DefaultVpc(`${name}Vpc`, {}, { parent });
  // One NAT gateway rather than VPC endpoints: the worker reaches SQS, DynamoDB, ECR (API, registry and S3
  // layers), CloudWatch Logs and X-Ray, which is five interface endpoints per AZ (about $73 a month in two AZs)
  // against about $33 for one NAT gateway, and its traffic (small label jobs) keeps the per-GB charge small. One
  // NAT is one AZ's failure away from losing egress; the messages then wait in the queue, which is acceptable.
  return new awsx.ec2.Vpc(
    ...transform(
      args.transform?.vpc,
      `${name}Vpc`,
      {
        numberOfAvailabilityZones: 2,
        natGateways: { strategy: awsx.ec2.NatGatewayStrategy.Single },
        subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
        subnetSpecs: [{ type: awsx.ec2.SubnetType.Public }, { type: awsx.ec2.SubnetType.Private }],
      },
      { parent },
    ),
  );
}

function createSecurityGroup({ name, args, parent }: WorkerScope, vpc: awsx.ec2.DefaultVpc | awsx.ec2.Vpc): aws.ec2.SecurityGroup {
  return new aws.ec2.SecurityGroup(
    ...transform(
      args.transform?.securityGroup,
      `${name}SecurityGroup`,
      {
        description: `Container worker ${name}: no inbound traffic, HTTPS out to AWS APIs`,
        vpcId: vpc.vpcId,
        // The worker serves nothing; the daemon's UDP 2000 is on the task's loopback, which no group filters.
        ingress: [],
        egress: [{ description: "AWS APIs over HTTPS", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
      },
      { parent },
    ),
  );
}

function createService(
  { name, serviceName, args, parent, region }: WorkerScope,
  { cluster, image, logGroup, taskRole, executionRole, vpc, securityGroup }: ServiceParts,
  policies: aws.iam.RolePolicy[],
): awsx.ecs.FargateService {
  const minTasks = args.minTasks ?? 1;
  const cpu = args.cpu ?? 256;
  const memory = args.memory ?? 512;
  const logOptions = (prefix: string) => ({
    logDriver: "awslogs",
    options: { "awslogs-group": logGroup.name, "awslogs-region": region, "awslogs-stream-prefix": prefix },
  });
  const environment = {
    ...args.environment,
    [WORKER_ENVIRONMENT.queueUrl]: args.queue.url,
    [WORKER_ENVIRONMENT.tableName]: args.table.tableName,
    [WORKER_ENVIRONMENT.xrayDaemonAddress]: XRAY_DAEMON_ADDRESS,
    [WORKER_ENVIRONMENT.serviceName]: name,
  };
  const [serviceResourceName, serviceArgs, serviceOpts] = transform<awsx.ecs.FargateServiceArgs>(
    args.transform?.service,
    `${name}Service`,
    {
      name: serviceName,
      cluster: cluster.arn,
      desiredCount: minTasks,
      networkConfiguration: {
        subnets: args.vpc === "default" ? vpc.publicSubnetIds : vpc.privateSubnetIds,
        // Without a NAT gateway, a task in the default VPC reaches AWS only through its own public IP.
        assignPublicIp: args.vpc === "default",
        securityGroups: [securityGroup.id],
      },
      deploymentCircuitBreaker: { enable: true, rollback: true },
      taskDefinitionArgs: {
        cpu: String(cpu),
        memory: String(memory),
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        // Our own roles: given an ARN, awsx creates no role and attaches no AWS-managed policy.
        taskRole: { roleArn: taskRole.arn },
        executionRole: { roleArn: executionRole.arn },
        // Our own log group (retention from settings, writable by the execution role only).
        logGroup: { skip: true },
        containers: {
          [WORKER_CONTAINER]: {
            name: WORKER_CONTAINER,
            image: image.imageUri,
            essential: true,
            environment: Object.entries(environment).map(([key, value]) => ({ name: key, value })),
            // The daemon must be listening before the first segment is sent.
            dependsOn: [{ containerName: XRAY_DAEMON_CONTAINER, condition: "START" }],
            logConfiguration: logOptions(WORKER_CONTAINER),
            // An init process forwards SIGTERM to node and reaps children.
            linuxParameters: { initProcessEnabled: true },
            readonlyRootFilesystem: true,
            stopTimeout: STOP_TIMEOUT_SECONDS,
          },
          [XRAY_DAEMON_CONTAINER]: {
            name: XRAY_DAEMON_CONTAINER,
            image: XRAY_DAEMON_IMAGE,
            // Losing traces must not stop the labels: the worker keeps running if the daemon dies.
            essential: false,
            cpu: 32,
            memoryReservation: 64,
            portMappings: [{ containerPort: 2000, protocol: "udp" }],
            environment: [{ name: "AWS_REGION", value: region }],
            logConfiguration: logOptions(XRAY_DAEMON_CONTAINER),
          },
        },
      },
    },
    { parent, dependsOn: policies },
  );
  return new awsx.ecs.FargateService(serviceResourceName, serviceArgs, {
    ...serviceOpts,
    transforms: [keepScaledDesiredCount, ...(serviceOpts.transforms ?? [])],
  } as pulumi.ComponentResourceOptions);
}

function createScalingTarget(
  { name, serviceName, args, parent }: WorkerScope,
  cluster: aws.ecs.Cluster,
  service: awsx.ecs.FargateService,
): aws.appautoscaling.Target {
  const minTasks = args.minTasks ?? 1;
  const maxTasks = args.maxTasks ?? 4;
  return new aws.appautoscaling.Target(
    ...transform(
      args.transform?.scalingTarget,
      `${name}ScalingTarget`,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${cluster.name}/${serviceName}`,
        minCapacity: minTasks,
        maxCapacity: maxTasks,
      },
      // The target registers an existing service.
      { parent, dependsOn: [service] },
    ),
  );
}

function createScalingPolicy(
  { name, serviceName, args, parent }: WorkerScope,
  cluster: aws.ecs.Cluster,
  scalingTarget: aws.appautoscaling.Target,
): aws.appautoscaling.Policy {
  return new aws.appautoscaling.Policy(
    ...transform(
      args.transform?.scalingPolicy,
      `${name}ScalingPolicy`,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: scalingTarget.serviceNamespace,
        scalableDimension: scalingTarget.scalableDimension,
        resourceId: scalingTarget.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: args.messagesPerTask ?? 10,
          // Backlog per task (AWS's recommended metric for queue workers): the visible messages alone would
          // scale the same way at 1 task as at 10.
          customizedMetricSpecification: {
            metrics: [
              {
                id: "visible",
                label: "Visible messages",
                metricStat: {
                  metric: {
                    namespace: "AWS/SQS",
                    metricName: "ApproximateNumberOfMessagesVisible",
                    dimensions: [{ name: "QueueName", value: queueName(args.queue) }],
                  },
                  stat: "Sum",
                },
                returnData: false,
              },
              {
                id: "tasks",
                label: "Running tasks",
                metricStat: {
                  metric: {
                    namespace: "ECS/ContainerInsights",
                    metricName: "RunningTaskCount",
                    dimensions: [
                      { name: "ClusterName", value: cluster.name },
                      { name: "ServiceName", value: serviceName },
                    ],
                  },
                  stat: "Average",
                },
                returnData: false,
              },
              { id: "backlogPerTask", label: "Visible messages per running task", expression: "visible / tasks", returnData: true },
            ],
          },
        },
      },
      { parent },
    ),
  );
}

function createTasksAlarm({ name, serviceName, args, parent }: WorkerScope, cluster: aws.ecs.Cluster): aws.cloudwatch.MetricAlarm {
  const minTasks = args.minTasks ?? 1;
  return new aws.cloudwatch.MetricAlarm(
    ...transform(
      args.transform?.tasksAlarm,
      `${name}TasksAlarm`,
      {
        alarmDescription: `Container worker ${name}: fewer than ${minTasks} running task(s) for 5 minutes (crashing or failing to start)`,
        namespace: "ECS/ContainerInsights",
        metricName: "RunningTaskCount",
        dimensions: { ClusterName: cluster.name, ServiceName: serviceName },
        statistic: "Minimum",
        period: 60,
        evaluationPeriods: 5,
        threshold: minTasks,
        comparisonOperator: "LessThanThreshold",
        // Container Insights reports while tasks run; silence means none is running.
        treatMissingData: "breaching",
        alarmActions: args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn],
      },
      { parent },
    ),
  );
}

/**
 * A transform for the FargateService's children: the ECS service keeps the desired count Application Auto Scaling
 * set (otherwise every `up --refresh` and the nightly drift check would see the scaling as drift), and is deleted
 * before it is replaced (its name is fixed in its cluster, so a replacement could not be created beside it).
 */
export const keepScaledDesiredCount: pulumi.ResourceTransform = (args) => {
  if (args.type !== "aws:ecs/service:Service") return undefined;
  const ignoreChanges = [...(args.opts.ignoreChanges ?? []), "desiredCount"];
  return { props: args.props, opts: { ...args.opts, ignoreChanges, deleteBeforeReplace: true } };
};

/** The queue's name, the last segment of its ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
function queueName(queue: IQueue): pulumi.Output<string> {
  return queue.arn.apply((arn) => arn.split(":")[5] ?? arn);
}

/** Checks the options; returns the Dockerfile's absolute path. */
function validate(component: string, args: ContainerWorkerArgs): string {
  if (!args.queue || !args.table) {
    throw new ComponentArgumentError(component, "`queue` and `table` are required: the queue the worker consumes and the table it writes.");
  }
  if (args.vpc !== "default" && args.vpc !== "private") {
    throw new ComponentArgumentError(
      component,
      `\`vpc\` must be "default" (dev: default VPC, public IPs) or "private" (private subnets, one NAT gateway), but ` +
        `${JSON.stringify(args.vpc)} was provided.`,
    );
  }
  if (args.tableActions !== undefined && args.tableActions.length === 0) {
    throw new ComponentArgumentError(component, "`tableActions` lists no action; name the table actions the worker calls, like \"dynamodb:PutItem\".");
  }
  const cpu = args.cpu ?? 256;
  const sizes = FARGATE_MEMORY[cpu];
  if (sizes === undefined) {
    throw new ComponentArgumentError(
      component,
      `\`cpu\` must be one of ${Object.keys(FARGATE_MEMORY).join(", ")} (Fargate's task sizes), but ${args.cpu} was provided.`,
    );
  }
  const memory = args.memory ?? 512;
  if (!Number.isInteger(memory) || memory < sizes.min || memory > sizes.max || (memory - sizes.min) % sizes.step !== 0) {
    throw new ComponentArgumentError(
      component,
      `\`memory\` must be from ${sizes.min} to ${sizes.max} MiB in steps of ${sizes.step} with \`cpu\` ${cpu}, but ${memory} ` +
        `was provided. Change \`memory\`, or \`cpu\` to a size that allows it.`,
    );
  }
  requireIntegerInRange(component, "maxTasks", args.maxTasks, 1, 100);
  const maxTasks = args.maxTasks ?? 4;
  if (args.minTasks === 0) {
    throw new ComponentArgumentError(
      component,
      "`minTasks` must be at least 1, but 0 was provided: the scaling metric is visible messages per running task, " +
        "which has no value with no task running, so the service could never scale out again.",
    );
  }
  requireIntegerInRange(component, "minTasks", args.minTasks, 1, maxTasks);
  requireIntegerInRange(component, "messagesPerTask", args.messagesPerTask, 1, 10000, "messages");
  if (args.logRetentionInDays !== undefined && !LOG_RETENTION_DAYS.includes(args.logRetentionInDays)) {
    throw new ComponentArgumentError(
      component,
      `\`logRetentionInDays\` must be one of ${LOG_RETENTION_DAYS.join(", ")} (what CloudWatch Logs accepts), but ` +
        `${args.logRetentionInDays} was provided.`,
    );
  }
  for (const key of Object.keys(args.environment ?? {})) {
    if (RESERVED_ENVIRONMENT.has(key)) {
      throw new ComponentArgumentError(component, `\`environment.${key}\` is set by the component and cannot be given.`);
    }
    if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key)) {
      throw new ComponentArgumentError(component, `\`environment\` key "${key}" must start with a letter and hold only letters, digits and "_".`);
    }
  }
  const dockerfileDir = args.dockerfileDir ?? "handlers/shipping/label-worker";
  const dockerfile = path.resolve(REPO_ROOT, dockerfileDir, "Dockerfile");
  const relative = path.relative(REPO_ROOT, dockerfile);
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new ComponentArgumentError(
      component,
      `\`dockerfileDir\` must be inside the repository (the build context), but "${dockerfileDir}" resolves to ${path.dirname(dockerfile)}.`,
    );
  }
  if (!fs.existsSync(dockerfile)) {
    throw new ComponentArgumentError(component, `\`dockerfileDir\` "${dockerfileDir}" has no Dockerfile (looked for ${dockerfile}).`);
  }
  return dockerfile;
}
