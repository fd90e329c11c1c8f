import { strict as assert } from "node:assert";
import { ContainerWorker } from "../../components/container-worker";
import { Table } from "../../components/table";
import { testQueue } from "../helpers/messaging";
import { describePolicy as cases, exemption, resource, runPolicy, UNKNOWN } from "../helpers/policy-harness";
import { mockRun } from "../helpers/pulumi";

const SERVICE = "awsx:ecs:FargateService";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE = "aws:iam/role:Role";
const DAEMON = { name: "xray-daemon", image: "public.ecr.aws/xray/aws-xray-daemon:3.x", essential: false };
const WORKER = { name: "worker", image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/labels@sha256:abc", essential: true };
const OWN_ROLES = { taskRole: { roleArn: "arn:aws:iam::123456789012:role/task" }, executionRole: { roleArn: "arn:aws:iam::123456789012:role/exec" } };
const service = (taskDefinitionArgs: unknown) => resource(SERVICE, "labelWorkerService", { taskDefinitionArgs });
const ecsTrust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });

describe("policies/ecs", () => {
  cases("ecs-task-tracing", [
    { title: "passes a service whose task runs the X-Ray daemon beside the worker", resources: [service({ containers: { worker: WORKER, "xray-daemon": DAEMON }, ...OWN_ROLES })], expected: {} },
    { title: "passes an ADOT collector as the single container's sidecar in a task definition", resources: [resource(TASK_DEFINITION, "td", { containerDefinitions: JSON.stringify([WORKER, { name: "otel", image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0" }]) })], expected: {} },
    { title: "flags a service whose task has no daemon, naming it and the fix", resources: [service({ container: WORKER })], expected: { mandatory: [["labelWorkerService (awsx:ecs:FargateService): runs no X-Ray daemon or ADOT collector", "Fix: use the ContainerWorker component"]] } },
    { title: "flags a task definition without a daemon", resources: [resource(TASK_DEFINITION, "td", { containerDefinitions: JSON.stringify([WORKER]) })], expected: { mandatory: ["td (aws:ecs/taskDefinition:TaskDefinition): runs no X-Ray daemon"] } },
    { title: "does not judge a service running an existing task definition (that one is checked itself)", resources: [resource(SERVICE, "svc", { taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/td:1" })], expected: {} },
    { title: "reports unknown container definitions as advisory", resources: [resource(TASK_DEFINITION, "td", { containerDefinitions: UNKNOWN })], expected: { advisory: ["the task's containers cannot be checked until the value is known"] } },
    { title: "reports an unknown image as advisory when no known image is a daemon", resources: [service({ containers: { worker: { ...WORKER, image: UNKNOWN } } })], expected: { advisory: ["the containers' images cannot be checked"] } },
    { title: "honours an exemption", resources: [service({ container: WORKER })], config: exemption("ecs-task-tracing", "labelWorkerService"), expected: { advisory: ["exempted from ecs-task-tracing"] } },
  ]);

  cases("ecs-no-aws-managed-roles", [
    { title: "passes a service given its own role ARNs", resources: [service({ container: WORKER, ...OWN_ROLES })], expected: {} },
    { title: "passes a skipped task role (a task that calls no AWS API)", resources: [service({ container: WORKER, taskRole: { skip: true }, executionRole: OWN_ROLES.executionRole })], expected: {} },
    {
      title: "flags each role left to awsx, which would attach AWS-managed policies",
      resources: [service({ container: WORKER })],
      expected: { mandatory: [["leaves `taskRole` to awsx", "Fix: pass your own role as `taskRole: { roleArn }`"], "leaves `executionRole` to awsx"] },
    },
    { title: "flags role args (awsx still creates the role with its default policies)", resources: [service({ container: WORKER, taskRole: { args: { name: "x" } }, executionRole: OWN_ROLES.executionRole })], expected: { mandatory: ["leaves `taskRole` to awsx"] } },
    { title: "flags a role ECS tasks assume that carries an AWS-managed policy", resources: [resource(ROLE, "taskRole", { assumeRolePolicy: ecsTrust, managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"] })], expected: { mandatory: ["taskRole (aws:iam/role:Role): is assumed by ECS tasks and carries AWS-managed policy arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"] } },
    { title: "leaves roles of other services alone", resources: [resource(ROLE, "fnRole", { assumeRolePolicy: ecsTrust.replace("ecs-tasks", "lambda"), managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] })], expected: {} },
    { title: "reports unknown managed policies of an ECS role as advisory", resources: [resource(ROLE, "taskRole", { assumeRolePolicy: ecsTrust, managedPolicyArns: UNKNOWN })], expected: { advisory: ["`managedPolicyArns` cannot be checked"] } },
  ]);

  // What the pack sees of a real ContainerWorker under the offline engine: the awsx FargateService arrives as one
  // remote component with the inputs the program gave it (its children are the awsx provider's), and the roles are ours.
  it("passes the ContainerWorker as the offline engine records it, and sees only the service's inputs of awsx", async () => {
    const run = await mockRun(() => {
      const table = new Table("shipments", { partitionKey: { name: "orderId", type: "S" } });
      new ContainerWorker("labelWorker", { queue: testQueue("labels"), table, vpc: "default" });
    });
    const service = run.one(SERVICE);
    assert.equal(run.childrenOf(service.urn).length, 0, "awsx's children are not program resources");
    assert.equal(run.ofType(TASK_DEFINITION).length, 0);
    for (const policy of ["ecs-task-tracing", "ecs-no-aws-managed-roles"]) {
      assert.deepEqual(await runPolicy(policy, run.resources), [], policy);
    }
  });
});
