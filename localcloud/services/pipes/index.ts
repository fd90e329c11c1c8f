import { serviceModule } from "../../service-module";
import { dynamodb } from "../dynamodb";
import { openStreamReader } from "../dynamodb/streams";
import { lambda } from "../lambda";
import { states } from "../states";
import { LocalPipe } from "./pipe";

/** EventBridge Pipes: the graph's pipes, each reading its table's stream once started. */
export class PipesService {
  readonly pipes: LocalPipe[] = [];
}

export const pipes = serviceModule<PipesService>({
  name: "pipes",
  icon: "⇉",
  build: () => new PipesService(),
  start: async (service, cloud) => {
    const { tables, streams } = cloud.service(dynamodb);
    const machines = cloud.service(states);
    const opened = await Promise.all(cloud.graph.pipes.map(async (spec) => {
      const reader = await openStreamReader({
        client: streams,
        streamArn: tables.localArn(spec.sourceArn),
        startingPosition: spec.source.startingPosition === "TRIM_HORIZON" ? "TRIM_HORIZON" : "LATEST",
        batchSize: spec.source.batchSize,
        pollIntervalMs: 50,
        eventSourceArn: spec.sourceArn,
        awsRegion: cloud.graph.cloud.region,
      });
      // The pipe's role starts the state machine.
      const startTarget = async (arn: string, input: string, o: { traceId?: string; source: string }) => {
        await cloud.iam?.assertAllowed({ principal: spec.roleArn, action: "states:StartExecution", resource: arn, sourceArn: spec.arn, via: o.source, ...(o.traceId ? { traceId: o.traceId } : {}) });
        machines.start(arn, input, o);
      };
      return new LocalPipe(spec, reader, cloud.service(lambda), startTarget, cloud.delivery, cloud.clock, cloud.activity);
    }));
    service.pipes.push(...opened);
    // A pipe whose role may not read its stream does not run, as AWS fails to start it.
    for (const pipe of service.pipes) if (!cloud.refusedPollers.has(pipe.spec.component)) pipe.start();
    return () => Promise.all(service.pipes.map((p) => p.stop()));
  },
});
