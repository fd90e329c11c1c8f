import { definePolicy, type Findings, type OrderflowPolicy } from "./lib/define";
import type { Subject } from "./lib/stack";
import { at, isUnknown, type Unknown } from "./lib/values";

// ECS pillar: a container worker is traced like a function and holds only the roles we write.
//
// What the pack sees: awsx's FargateService is a remote component, so the engine hands the pack one
// `awsx:ecs:FargateService` resource with the inputs the program gave it (`taskDefinitionArgs` with its containers
// and roles); the task definition, service and any role awsx creates inside it are registered by the awsx provider
// and are not resources of the program's preview under the offline engine. So these policies read the component's
// inputs, and a plain `aws:ecs/taskDefinition:TaskDefinition` (a program's own, or one awsx registers in a real
// preview) is read from its containerDefinitions.

const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const FARGATE_SERVICE = "awsx:ecs:FargateService";
const EC2_SERVICE = "awsx:ecs:EC2Service";
const FARGATE_TASK_DEFINITION = "awsx:ecs:FargateTaskDefinition";
const EC2_TASK_DEFINITION = "awsx:ecs:EC2TaskDefinition";
const ROLE = "aws:iam/role:Role";

/** Images of a trace daemon or collector: AWS's X-Ray daemon or the ADOT collector. */
const TRACING_IMAGE = /(^|\/)(aws-xray-daemon|aws-otel-collector)(:|@|$)/;

/** The task definition arguments of an awsx component: nested under `taskDefinitionArgs` for services. */
function awsxTaskDefinitionArgs(resource: Subject): unknown {
  return resource.type === FARGATE_SERVICE || resource.type === EC2_SERVICE ? at(resource.props, "taskDefinitionArgs") : resource.props;
}

/** The containers of a task definition, as a list; UNKNOWN when the list itself is not known. */
function containersOf(resource: Subject): unknown[] | Unknown | undefined {
  if (resource.type === TASK_DEFINITION) {
    const raw = at(resource.props, "containerDefinitions");
    if (isUnknown(raw) || Array.isArray(raw)) return raw;
    if (typeof raw !== "string") return undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  const args = awsxTaskDefinitionArgs(resource);
  if (args === undefined || isUnknown(args)) return args;
  const single = at(args, "container");
  const many = at(args, "containers");
  if (isUnknown(single)) return single;
  if (isUnknown(many)) return many;
  if (single !== undefined) return [single];
  if (many !== null && typeof many === "object") return Object.values(many as Record<string, unknown>);
  return undefined;
}

const ecsTaskTracing = definePolicy({
  name: "ecs-task-tracing",
  description: "ECS tasks run an X-Ray daemon or ADOT collector container, so a container worker's segments join the order's trace.",
  enforcementLevel: "mandatory",
  resourceTypes: [TASK_DEFINITION, FARGATE_SERVICE, EC2_SERVICE, FARGATE_TASK_DEFINITION, EC2_TASK_DEFINITION],
  validateResource: (resource, report) => {
    const containers = containersOf(resource);
    // A service running an existing task definition (`taskDefinition` ARN): that task definition is checked itself.
    if (containers === undefined) return;
    if (isUnknown(containers)) return report.unknown(resource, "the task's containers");
    const images = containers.map((c) => at(c, "image"));
    if (images.some((image) => typeof image === "string" && TRACING_IMAGE.test(image))) return;
    if (images.some(isUnknown)) return report.unknown(resource, "the containers' images");
    report.violation(
      resource,
      "runs no X-Ray daemon or ADOT collector container, so its containers' segments never reach X-Ray",
      "use the ContainerWorker component (it adds the xray-daemon sidecar), or add a container running public.ecr.aws/xray/aws-xray-daemon",
    );
  },
});

/** Reports a role argument of an awsx task definition that lets awsx create a role with AWS-managed policies. */
function checkAwsxRole(resource: Subject, args: unknown, key: "taskRole" | "executionRole", report: Findings): void {
  const role = at(args, key);
  if (isUnknown(role)) return report.unknown(resource, `\`${key}\``);
  const roleArn = at(role, "roleArn");
  if (roleArn !== undefined || at(role, "skip") === true) return;
  report.violation(
    resource,
    `leaves \`${key}\` to awsx, which creates a role with AWS-managed policies attached (broader than the worker needs)`,
    `pass your own role as \`${key}: { roleArn }\` (the ContainerWorker component does), granting it through the grant* methods`,
  );
}

const ecsNoAwsManagedRoles = definePolicy({
  name: "ecs-no-aws-managed-roles",
  description:
    "ECS task and execution roles are our own, with exact inline grants: awsx is given role ARNs, and no role ECS tasks assume carries an AWS-managed policy.",
  enforcementLevel: "mandatory",
  resourceTypes: [FARGATE_SERVICE, EC2_SERVICE, FARGATE_TASK_DEFINITION, EC2_TASK_DEFINITION, ROLE],
  validateResource: (resource, report) => {
    if (resource.type === ROLE) return checkEcsRole(resource, report);
    const args = awsxTaskDefinitionArgs(resource);
    if (args === undefined) return;
    if (isUnknown(args)) return report.unknown(resource, "`taskDefinitionArgs`");
    checkAwsxRole(resource, args, "taskRole", report);
    checkAwsxRole(resource, args, "executionRole", report);
  },
});

/** A role that ECS tasks assume must not list AWS-managed policies in `managedPolicyArns`. */
function checkEcsRole(role: Subject, report: Findings): void {
  const trust = at(role.props, "assumeRolePolicy");
  if (isUnknown(trust) || typeof trust !== "string" || !trust.includes("ecs-tasks.amazonaws.com")) return;
  const managed = at(role.props, "managedPolicyArns");
  if (isUnknown(managed)) return report.unknown(role, "`managedPolicyArns`");
  const awsManaged = (Array.isArray(managed) ? managed : []).filter((arn) => typeof arn === "string" && /^arn:[^:]+:iam::aws:policy\//.test(arn));
  if (awsManaged.length === 0) return;
  report.violation(
    role,
    `is assumed by ECS tasks and carries AWS-managed ${awsManaged.length === 1 ? "policy" : "policies"} ${awsManaged.join(", ")}`,
    "remove them and grant exact actions through the grant* methods (ContainerWorker's roles are built that way)",
  );
}

/** The ECS pillar. */
export const ecsPolicies: OrderflowPolicy[] = [ecsTaskTracing, ecsNoAwsManagedRoles];
