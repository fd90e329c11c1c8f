import type { Activity } from "../../kernel/activity";
import { serviceModule } from "../../service-module";
import { sqs } from "../sqs";
import { queueAlarmStates, type AlarmState } from "./alarms";

/** How often the queue alarms are evaluated while the cloud runs (CloudWatch evaluates each period; SQS's is a minute). */
const EVALUATION_INTERVAL_MS = 500;

/** CloudWatch: the graph's queue alarms, evaluated on the queues' metrics, each change of state reported. */
export class CloudWatchService {
  private readonly states = new Map<string, AlarmState["state"]>();

  constructor(
    private readonly evaluate: () => AlarmState[],
    private readonly activity: Activity,
  ) {}

  /** The condition of every queue alarm now (dead-letter queues above 0 are in ALARM). */
  alarms(): AlarmState[] {
    const states = this.evaluate();
    this.report(states);
    return states;
  }

  /** Evaluates the alarms every half second and reports each change of state; returns the stopper. */
  watch(): () => void {
    const timer = setInterval(() => this.alarms(), EVALUATION_INTERVAL_MS);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * One activity line per change of state, as CloudWatch's alarm history records it (`OK → ALARM`, with the reason).
   * The first evaluation sets the starting state without a line: an alarm starts in INSUFFICIENT_DATA in AWS, and
   * an alarm already met at start is reported as entering ALARM.
   */
  private report(states: readonly AlarmState[]): void {
    for (const { alarm, state, reason } of states) {
      const before = this.states.get(alarm.name);
      this.states.set(alarm.name, state);
      if (before === state || (before === undefined && state === "OK")) continue;
      this.activity.record({
        service: "cloudwatch",
        kind: "alarm",
        name: alarm.component,
        detail: `alarm ${alarm.name}: ${before ?? "INSUFFICIENT_DATA"} → ${state} (${reason})`,
        error: state === "ALARM",
      });
    }
  }
}

export const cloudwatch = serviceModule<CloudWatchService>({
  name: "cloudwatch",
  icon: "⚠",
  build: (cloud) => {
    const queues = cloud.service(sqs);
    return new CloudWatchService(() => queueAlarmStates(cloud.graph.alarms, queues), cloud.activity);
  },
  start: (service) => service.watch(),
});
