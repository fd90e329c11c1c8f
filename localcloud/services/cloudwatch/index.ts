import { serviceModule } from "../../service-module";
import { sqs } from "../sqs";
import { queueAlarmStates, type AlarmState } from "./alarms";

/** CloudWatch: the graph's queue alarms, evaluated on the queues' metrics when asked. */
export class CloudWatchService {
  constructor(private readonly evaluate: () => AlarmState[]) {}

  /** The condition of every queue alarm now (dead-letter queues above 0 are in ALARM). */
  alarms(): AlarmState[] {
    return this.evaluate();
  }
}

export const cloudwatch = serviceModule<CloudWatchService>({
  name: "cloudwatch",
  icon: "⚠",
  build: (cloud) => {
    const queues = cloud.service(sqs);
    return new CloudWatchService(() => queueAlarmStates(cloud.graph.alarms, queues));
  },
});
