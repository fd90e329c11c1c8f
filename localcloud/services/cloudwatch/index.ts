import { serviceModule } from "../../service-module";
import { sqs } from "../sqs";
import { queueAlarmStates } from "./alarms";
import { CloudWatchService } from "./service";

/** CloudWatch: the graph's queue alarms, evaluated on the queues' metrics, each change of state reported. */
export const cloudwatch = serviceModule<CloudWatchService>({
  name: "cloudwatch",
  icon: "⚠",
  build: (cloud) => {
    const queues = cloud.service(sqs);
    return new CloudWatchService(() => queueAlarmStates(cloud.graph.alarms, queues), cloud.activity);
  },
  start: (service) => service.watch(),
});
