import { num, obj, type GraphResources, type Inputs, type Origin } from "../../graph/resources";
import { GraphError } from "../../graph/errors";

export interface ContainerServiceSpec extends Origin {
  readonly name: string;
  readonly cluster: string;
  readonly desiredCount: number;
  readonly taskRoleArn: string;
  /** The application container (the one not named after a sidecar). */
  readonly container: { readonly name: string; readonly environment: Readonly<Record<string, string>>; readonly stopTimeoutSeconds: number };
  /** How the image is built: the Dockerfile and its context, relative to the repository root. */
  readonly image?: { readonly context: string; readonly dockerfile: string };
}

/** The graph's Fargate services, each with its application container and the image it is built from. */
export function readContainerServices(graph: GraphResources): ContainerServiceSpec[] {
  const { all, of, origin } = graph;
  return of("awsx:ecs:FargateService").map(({ stack, r }) => {
    const i = r.inputs;
    const task = obj(i.taskDefinitionArgs);
    const containers = obj(task.containers);
    const sidecar = (c: Inputs) => String(c.image ?? "").includes("xray") || String(c.image ?? "").includes("otel");
    const entry = Object.entries(containers).find(([, c]) => !sidecar(obj(c)));
    if (!entry) throw new GraphError(`Service ${String(i.name)} has no application container.`);
    const [containerName, container] = entry as [string, Inputs];
    const image = all.find(({ r: x }) => x.type === "awsx:ecr:Image" && x.parent === r.parent);
    return {
      ...origin(stack, r),
      name: String(i.name ?? r.name),
      cluster: String(i.cluster),
      desiredCount: num(i.desiredCount) ?? 1,
      taskRoleArn: String(obj(task.taskRole).roleArn),
      container: {
        name: containerName,
        environment: Object.fromEntries(((container.environment as { name: string; value: string }[] | undefined) ?? []).map((e) => [e.name, e.value])),
        stopTimeoutSeconds: num(container.stopTimeout) ?? 30,
      },
      ...(image ? { image: { context: String(image.r.inputs.context ?? "."), dockerfile: String(image.r.inputs.dockerfile ?? "Dockerfile") } } : {}),
    };
  });
}
