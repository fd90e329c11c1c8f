import type { LocalContainerService } from "./container-service";

/** ECS: the graph's Fargate services, each running its image's program once started. */
export class EcsService {
  readonly services: LocalContainerService[] = [];
}
