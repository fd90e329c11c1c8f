import type { LocalGraph } from "../../graph/graph";
import type { QueueSpec } from "../../services/sqs/spec";
import type { LocalCloud } from "../../cloud";

/** A message about an order that waits in a dead-letter queue, with the alarm that watches the queue. */
export interface DeadLetterWait {
  /** The dead-letter queue's component name (`shippingDlq`). */
  readonly queue: string;
  /** The queue the message was moved from by its redrive policy, when it was (`shipping`); otherwise the DLQ's sender. */
  readonly from?: string;
  /** The alarm on the queue (its name), if one watches it. */
  readonly alarm?: string;
  readonly alarmState: "ALARM" | "OK" | "NONE";
}

/**
 * Every queue of the environment that something gives up into: a queue's redrive target, a rule target's, a
 * subscription's or a pipe's dead-letter queue, a function's on-failure destination.
 */
export function deadLetterQueues(graph: LocalGraph): QueueSpec[] {
  const arns = new Set<string>([
    ...graph.queues.flatMap((q) => (q.redrive ? [q.redrive.deadLetterTargetArn] : [])),
    ...graph.rules.flatMap((r) => r.targets.flatMap((t) => (t.deadLetterArn ? [t.deadLetterArn] : []))),
    ...graph.subscriptions.flatMap((s) => (s.deadLetterArn ? [s.deadLetterArn] : [])),
    ...graph.pipes.flatMap((p) => (p.source.deadLetterArn ? [p.source.deadLetterArn] : [])),
    ...graph.functions.flatMap((f) => (f.asyncInvoke.onFailure ? [f.asyncInvoke.onFailure] : [])),
  ]);
  return graph.queues.filter((q) => arns.has(q.arn));
}

/** The dead-letter queues holding a message that names the order, each with its alarm's state now. */
export function waitingInDeadLetterQueue(cloud: LocalCloud, dlqs: readonly QueueSpec[], orderId: string): DeadLetterWait[] {
  const alarms = cloud.alarms();
  const waits: DeadLetterWait[] = [];
  for (const spec of dlqs) {
    const message = cloud.sqs.queue(spec.arn).peek().find((m) => m.body.includes(orderId));
    if (!message) continue;
    const alarm = alarms.find((a) => a.alarm.dimensions.QueueName === spec.name);
    const from = message.deadLetterSourceArn ? cloud.graph.queues.find((q) => q.arn === message.deadLetterSourceArn)?.component : undefined;
    waits.push({ queue: spec.component, ...(from ? { from } : {}), ...(alarm ? { alarm: alarm.alarm.name } : {}), alarmState: alarm?.state ?? "NONE" });
  }
  return waits;
}
