import type * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "node:assert";
import {
  ContainerWorker,
  keepScaledDesiredCount,
  WORKER_CONTAINER,
  XRAY_DAEMON_ADDRESS,
  XRAY_DAEMON_CONTAINER,
  type ContainerWorkerArgs,
} from "../../components/container-worker";
import path from "node:path";
import { contentTag } from "../../components/build-context";
import { Table } from "../../components/table";
import { CONSUME_ACTIONS, testQueue } from "../helpers/messaging";
import { list, mockRun, type MockedRun, type RecordedResource } from "../helpers/pulumi";

const WORKER = "orderflow:compute:ContainerWorker";
const FARGATE = "awsx:ecs:FargateService";

// What the task role gets on the table unless `tableActions` says otherwise.
const DEFAULT_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"];

function labelWorker(extra: Partial<ContainerWorkerArgs> = {}): ContainerWorker {
  const queue = testQueue("labels");
  const table = new Table("shipments", { partitionKey: { name: "orderId", type: "S" } });
  return new ContainerWorker("labelWorker", { queue, table, vpc: "default", ...extra });
}

const outputOf = (run: MockedRun, name: string, key = "arn") => String(run.named(name).outputs[key]);
const roleName = (run: MockedRun, name: string) => outputOf(run, name, "name");
const serviceOf = (run: MockedRun) => run.one(FARGATE);

interface ContainerInputs {
  name: string;
  image?: string;
  essential: boolean;
  environment?: { name: string; value: string }[];
  dependsOn?: { containerName: string; condition: string }[];
  portMappings?: { containerPort: number; protocol: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

function containersOf(service: RecordedResource): Record<string, ContainerInputs> {
  const taskDefinition = service.inputs.taskDefinitionArgs as { containers: Record<string, ContainerInputs> };
  return taskDefinition.containers;
}

function statementsBy(run: MockedRun, role: string): { actions: string[]; resources: string[] }[] {
  return run
    .statementsOf(roleName(run, role))
    .map((s) => {
      assert.equal(s.Effect, "Allow");
      return { actions: list(s.Action), resources: list(s.Resource) };
    })
    .sort((a, b) => a.actions[0].localeCompare(b.actions[0]));
}

describe("components/container-worker ContainerWorker", () => {
  // One run of the default worker serves every test that only reads it.
  let defaults: MockedRun;
  before(async () => {
    defaults = await mockRun(() => labelWorker());
  });

  it("hands awsx its own task and execution roles (ARNs), so awsx creates no role and attaches no managed policy", () => {
    const run = defaults;
    const taskDefinition = serviceOf(run).inputs.taskDefinitionArgs as Record<string, unknown>;
    assert.deepEqual(taskDefinition.taskRole, { roleArn: outputOf(run, "labelWorkerTaskRole") });
    assert.deepEqual(taskDefinition.executionRole, { roleArn: outputOf(run, "labelWorkerExecutionRole") });
    assert.deepEqual(taskDefinition.logGroup, { skip: true });
    assert.equal(run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    for (const role of ["labelWorkerTaskRole", "labelWorkerExecutionRole"]) {
      const trust = JSON.parse(String(run.named(role).inputs.assumeRolePolicy)) as { Statement: Record<string, unknown>[] };
      assert.deepEqual(trust.Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ]);
    }
  });

  it("gives the task role exactly: consume on the queue, get/put/update items on the table and its indexes, X-Ray on *", () => {
    const run = defaults;
    const table = outputOf(run, "shipmentsTable");
    assert.deepEqual(statementsBy(run, "labelWorkerTaskRole"), [
      { actions: DEFAULT_TABLE_ACTIONS, resources: [table, `${table}/index/*`] },
      { actions: CONSUME_ACTIONS, resources: [outputOf(run, "labels")] },
      { actions: ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], resources: ["*"] },
    ]);
  });

  it("grants exactly the table actions `tableActions` names", async () => {
    const run = await mockRun(() => labelWorker({ tableActions: ["dynamodb:GetItem", "dynamodb:UpdateItem"] }));
    const tableStatement = statementsBy(run, "labelWorkerTaskRole").find((s) => s.actions.some((a) => a.startsWith("dynamodb:")));
    assert.deepEqual(tableStatement?.actions, ["dynamodb:GetItem", "dynamodb:UpdateItem"]);
  });

  it("refuses an empty `tableActions` and an action that is no table action", async () => {
    await assert.rejects(mockRun(() => labelWorker({ tableActions: [] })), /`tableActions` lists no action/);
    await assert.rejects(mockRun(() => labelWorker({ tableActions: ["sqs:SendMessage"] })), /`grant` takes table actions .* but "sqs:SendMessage" was provided/);
  });

  it("lets the execution role pull only its own repository and write only its own log group", () => {
    const run = defaults;
    assert.deepEqual(statementsBy(run, "labelWorkerExecutionRole"), [
      { actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], resources: [outputOf(run, "labelWorkerRepository")] },
      { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [`${outputOf(run, "labelWorkerLogGroup")}:*`] },
    ]);
  });

  it("is a Grantee: another component's grant lands on the task role, parented to the worker", async () => {
    const run = await mockRun(() => testQueue("notices").grantSend(labelWorker()));
    const policy = run.one("aws:iam/rolePolicy:RolePolicy", "labelWorker-send-notices");
    assert.equal(policy.inputs.role, roleName(run, "labelWorkerTaskRole"));
    assert.equal(policy.parent, run.one(WORKER).urn);
  });

  it("runs the worker beside an X-Ray daemon sidecar it sends segments to, both logging to the worker's log group", async () => {
    const run = await mockRun(() => labelWorker({ logRetentionInDays: 14, environment: { LABEL_FORMAT: "ZPL" } }));
    const containers = containersOf(serviceOf(run));
    assert.deepEqual(Object.keys(containers).sort(), [WORKER_CONTAINER, XRAY_DAEMON_CONTAINER].sort());
    const daemon = containers[XRAY_DAEMON_CONTAINER];
    assert.match(String(daemon.image), /^public\.ecr\.aws\/xray\/aws-xray-daemon:/);
    assert.deepEqual(daemon.portMappings, [{ containerPort: 2000, protocol: "udp" }]);
    const worker = containers[WORKER_CONTAINER];
    assert.deepEqual(worker.dependsOn, [{ containerName: XRAY_DAEMON_CONTAINER, condition: "START" }]);
    const env = Object.fromEntries((worker.environment ?? []).map((e) => [e.name, e.value]));
    assert.deepEqual(env, {
      LABEL_FORMAT: "ZPL",
      QUEUE_URL: outputOf(run, "labels", "url"),
      TABLE_NAME: outputOf(run, "shipmentsTable", "name"),
      AWS_XRAY_DAEMON_ADDRESS: XRAY_DAEMON_ADDRESS,
      POWERTOOLS_SERVICE_NAME: "labelWorker",
    });
    const logGroup = run.named("labelWorkerLogGroup");
    assert.equal(logGroup.inputs.retentionInDays, 14);
    for (const container of [worker, daemon]) {
      assert.equal(container.logConfiguration.logDriver, "awslogs");
      assert.equal(container.logConfiguration.options["awslogs-group"], logGroup.outputs.name);
      assert.equal(container.logConfiguration.options["awslogs-region"], "us-east-1");
    }
  });

  it("builds the image from the label worker's Dockerfile into its own repository", () => {
    const run = defaults;
    const image = run.one("awsx:ecr:Image");
    assert.equal(image.inputs.repositoryUrl, outputOf(run, "labelWorkerRepository", "repositoryUrl"));
    assert.equal(image.inputs.dockerfile, "handlers/shipping/label-worker/Dockerfile");
    assert.equal(image.inputs.context, ".");
    assert.deepEqual(run.one("aws:ecs/cluster:Cluster").inputs.settings, [{ name: "containerInsights", value: "enabled" }]);
  });

  it("tags the image with a hash of what it is built from, so a changed build can be pushed to its IMMUTABLE repository", async () => {
    const image = defaults.one("awsx:ecr:Image");
    assert.equal(defaults.one("aws:ecr/repository:Repository").inputs.imageTagMutability, "IMMUTABLE");
    const root = path.resolve(__dirname, "..", "..");
    const build = { context: root, dockerfile: path.join(root, "handlers/shipping/label-worker/Dockerfile"), platform: "linux/amd64" };
    assert.equal(image.inputs.imageTag, contentTag(build), "the tag is the content hash of the context awsx builds");
    const arm = (await mockRun(() => labelWorker({ transform: { image: { platform: "linux/arm64" } } }))).one("awsx:ecr:Image");
    assert.equal(arm.inputs.imageTag, contentTag({ ...build, platform: "linux/arm64" }), "the tag follows the build a transform makes");
    const pinned = (await mockRun(() => labelWorker({ transform: { image: { imageTag: "v1.2.3" } } }))).one("awsx:ecr:Image");
    assert.equal(pinned.inputs.imageTag, "v1.2.3");
  });

  it("in dev uses the default VPC with public IPs; in private mode a VPC with one NAT gateway and no public IPs", async () => {
    const dev = await mockRun(() => labelWorker({ vpc: "default" }));
    assert.equal(dev.ofType("awsx:ec2:DefaultVpc").length, 1);
    assert.equal(dev.ofType("awsx:ec2:Vpc").length, 0);
    const devNetwork = serviceOf(dev).inputs.networkConfiguration as Record<string, unknown>;
    assert.equal(devNetwork.assignPublicIp, true);
    assert.deepEqual(devNetwork.securityGroups, [dev.one("aws:ec2/securityGroup:SecurityGroup").id]);

    const prod = await mockRun(() => labelWorker({ vpc: "private" }));
    assert.equal(prod.ofType("awsx:ec2:DefaultVpc").length, 0);
    const vpc = prod.one("awsx:ec2:Vpc");
    assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
    assert.equal((serviceOf(prod).inputs.networkConfiguration as Record<string, unknown>).assignPublicIp, false);

    const group = prod.one("aws:ec2/securityGroup:SecurityGroup");
    assert.deepEqual(group.inputs.ingress, []);
    assert.deepEqual(
      (group.inputs.egress as Record<string, unknown>[]).map((r) => [r.protocol, r.fromPort, r.toPort]),
      [["tcp", 443, 443]],
    );
  });

  it("scales the service on visible messages per running task, between minTasks and maxTasks", async () => {
    const run = await mockRun(() => labelWorker({ minTasks: 2, maxTasks: 8, messagesPerTask: 25 }));
    const clusterName = outputOf(run, "labelWorkerCluster", "name");
    assert.equal(serviceOf(run).inputs.name, "labelWorker");
    assert.equal(serviceOf(run).inputs.desiredCount, 2);

    const target = run.one("aws:appautoscaling/target:Target");
    assert.equal(target.inputs.resourceId, `service/${clusterName}/labelWorker`);
    assert.equal(target.inputs.scalableDimension, "ecs:service:DesiredCount");
    assert.equal(target.inputs.minCapacity, 2);
    assert.equal(target.inputs.maxCapacity, 8);
    assert.ok(target.dependencies.includes(serviceOf(run).urn), "the target waits for the service it registers");

    const policy = run.one("aws:appautoscaling/policy:Policy");
    assert.equal(policy.inputs.policyType, "TargetTrackingScaling");
    assert.equal(policy.inputs.resourceId, target.inputs.resourceId);
    const config = policy.inputs.targetTrackingScalingPolicyConfiguration as {
      targetValue: number;
      customizedMetricSpecification: { metrics: Record<string, unknown>[] };
    };
    assert.equal(config.targetValue, 25);
    const [visible, tasks, expression] = config.customizedMetricSpecification.metrics as {
      id: string;
      expression?: string;
      returnData: boolean;
      metricStat?: { metric: { namespace: string; metricName: string; dimensions: { name: string; value: string }[] } };
    }[];
    const queueName = outputOf(run, "labels", "name");
    assert.deepEqual(visible.metricStat?.metric, {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: [{ name: "QueueName", value: queueName }],
    });
    assert.deepEqual(tasks.metricStat?.metric, {
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
      dimensions: [
        { name: "ClusterName", value: clusterName },
        { name: "ServiceName", value: "labelWorker" },
      ],
    });
    assert.equal(expression.expression, `${visible.id} / ${tasks.id}`);
    assert.deepEqual([visible.returnData, tasks.returnData, expression.returnData], [false, false, true]);
  });

  it("alarms to the alarm topic when fewer than minTasks tasks run", async () => {
    const run = await mockRun(() => labelWorker({ minTasks: 2, alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:alarms" }));
    const alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarm.inputs.metricName, "RunningTaskCount");
    assert.equal(alarm.inputs.threshold, 2);
    assert.equal(alarm.inputs.comparisonOperator, "LessThanThreshold");
    assert.deepEqual(alarm.inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:alarms"]);
  });

  it("keeps the desired count Application Auto Scaling set on the ECS service awsx creates, and only there", () => {
    const opts: pulumi.CustomResourceOptions = { ignoreChanges: ["tags"] };
    const onService = keepScaledDesiredCount({ type: "aws:ecs/service:Service", name: "labelWorkerService", custom: true, props: { desiredCount: 1 }, opts });
    assert.ok(onService && !("then" in onService));
    assert.deepEqual(onService.opts, { ignoreChanges: ["tags", "desiredCount"], deleteBeforeReplace: true });
    assert.deepEqual(onService.props, { desiredCount: 1 });
    assert.equal(keepScaledDesiredCount({ type: "aws:ecs/taskDefinition:TaskDefinition", name: "t", custom: true, props: {}, opts: {} }), undefined);
  });

  it("uses the transform given for a child", async () => {
    const run = await mockRun(() => labelWorker({ transform: { cluster: { name: "labels-cluster" } } }));
    assert.equal(run.one("aws:ecs/cluster:Cluster").inputs.name, "labels-cluster");
  });

  describe("refuses impossible options before creating anything", () => {
    const cases: [string, Partial<ContainerWorkerArgs>, RegExp][] = [
      ["vpc", { vpc: "public" as "default" }, /`vpc` must be "default".*"private".*"public" was provided/],
      ["cpu", { cpu: 300 }, /`cpu` must be one of 256, 512, .*16384 .* but 300 was provided/],
      ["memory for the cpu", { cpu: 256, memory: 4096 }, /`memory` must be from 512 to 2048 MiB in steps of 512 with `cpu` 256, but 4096/],
      ["minTasks 0", { minTasks: 0 }, /`minTasks` must be at least 1, but 0 was provided/],
      ["minTasks above maxTasks", { minTasks: 5, maxTasks: 3 }, /`minTasks` must be an integer from 1 to 3, but 5 was provided/],
      ["maxTasks", { maxTasks: 101 }, /`maxTasks` must be an integer from 1 to 100, but 101/],
      ["messagesPerTask", { messagesPerTask: 0 }, /`messagesPerTask` must be an integer from 1 to 10000 messages, but 0/],
      ["logRetentionInDays", { logRetentionInDays: 10 }, /`logRetentionInDays` must be one of 1, 3, .* but 10 was provided/],
      ["a reserved variable", { environment: { QUEUE_URL: "x" } }, /`environment.QUEUE_URL` is set by the component/],
      ["a bad variable name", { environment: { "1X": "x" } }, /`environment` key "1X" must start with a letter/],
      ["a directory without a Dockerfile", { dockerfileDir: "handlers/shipping" }, /`dockerfileDir` "handlers\/shipping" has no Dockerfile/],
      ["a directory outside the repository", { dockerfileDir: "../elsewhere" }, /`dockerfileDir` must be inside the repository/],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        let error: unknown;
        const run = await mockRun(() => {
          try {
            labelWorker(args);
          } catch (e) {
            error = e;
          }
        });
        assert.ok(error instanceof Error, "expected an error");
        assert.match(error.message, /^ContainerWorker "labelWorker": /);
        assert.match(error.message, message);
        assert.equal(run.ofType(WORKER).length, 0);
        assert.equal(run.ofType("aws:iam/role:Role").length, 0);
      });
    }
  });
});
