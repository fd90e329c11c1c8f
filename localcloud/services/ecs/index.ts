import path from "node:path";
import { GraphError } from "../../graph/errors";
import { serviceModule } from "../../service-module";
import { withLocalQueueUrls, sqs } from "../sqs";
import { xray } from "../xray";
import { buildLocalImage } from "./image";
import { LocalContainerService } from "./container-service";
import { EcsService } from "./service";

/** ECS: the graph's Fargate services, each running its image's program once started. */
export const ecs = serviceModule<EcsService>({
  name: "ecs",
  icon: "▣",
  build: () => new EcsService(),
  start: async (service, cloud) => {
    const { root, graph } = cloud;
    const region = graph.cloud.region;
    const daemon = cloud.service(xray);
    const queues = cloud.service(sqs);
    const built = await Promise.all(
      graph.containerServices.map(async (spec) => {
        if (!spec.image) throw new GraphError(`Service ${spec.component} has no image built from a Dockerfile; the local cloud runs its program from that build.`);
        const image = await buildLocalImage(root, spec.image.context, spec.image.dockerfile, path.join(root, ".orderflow", "cache", "images", spec.component));
        const creds = cloud.credentials.forRole(spec.taskRoleArn);
        const environment = {
          ...withLocalQueueUrls(queues, spec.container.environment),
          AWS_REGION: region,
          AWS_DEFAULT_REGION: region,
          AWS_ACCESS_KEY_ID: creds.accessKeyId,
          AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
          AWS_SESSION_TOKEN: creds.sessionToken,
          AWS_ENDPOINT_URL: cloud.endpointUrl,
          // The task's X-Ray daemon sidecar is the local daemon.
          AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        };
        // ECS names a task's stream <prefix>/<container>/<task id>; the local tasks of a service share one.
        return new LocalContainerService(spec, image, environment, cloud.activity, cloud.logs.writer(spec.component, { stream: `${spec.logs?.streamPrefix ?? spec.component}/${spec.container.name}/local` }), cloud.clock, cloud.faults);
      }),
    );
    service.services.push(...built);
    for (const task of built) task.start();
    return () => Promise.all(built.map((s) => s.stop(Math.max(2000, cloud.clock.ms(s.spec.container.stopTimeoutSeconds)))));
  },
});
