import { strict as assert } from "node:assert";
import type { AlarmSpec } from "../../../../localcloud/services/cloudwatch/spec";
import { Clock } from "../../../../localcloud/kernel/clock";
import { queueAlarmStates } from "../../../../localcloud/services/cloudwatch/alarms";
import { SqsService } from "../../../../localcloud/services/sqs/service";
import { queueSpec } from "../../../helpers/local-specs";

// Alarms on a queue's message counts, evaluated on the counts now: what a failed step and the chaos scenario read to
// say a DLQ holds work. Comparison operators as CloudWatch defines them (PutMetricAlarm, ComparisonOperator):
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html

const alarm = (name: string, metricName: string, comparisonOperator: string, threshold: number, queue = "work-dlq"): AlarmSpec => ({
  stack: "dev.test",
  component: name,
  urn: `urn:${name}`,
  name,
  namespace: "AWS/SQS",
  metricName,
  dimensions: { QueueName: queue },
  statistic: "Maximum",
  comparisonOperator,
  threshold,
});

describe("local cloud CloudWatch: alarms on queue metrics", () => {
  const sqs = new SqsService([queueSpec("work-dlq"), queueSpec("empty-dlq")], "http://127.0.0.1:1", new Clock());
  after(() => sqs.close());
  const queue = sqs.queue(queueSpec("work-dlq").arn);
  queue.send({ body: "poison" });
  queue.send({ body: "later", delaySeconds: 900 });
  queue.send({ body: "much later", delaySeconds: 900 });

  it("compares the latest count with the threshold by the alarm's operator, strictly or not", () => {
    const states = queueAlarmStates(
      [
        alarm("visibleAbove0", "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0),
        alarm("visibleAbove1", "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 1),
        alarm("visibleAtLeast1", "ApproximateNumberOfMessagesVisible", "GreaterThanOrEqualToThreshold", 1),
        alarm("visibleBelow1", "ApproximateNumberOfMessagesVisible", "LessThanThreshold", 1),
        alarm("visibleAtMost1", "ApproximateNumberOfMessagesVisible", "LessThanOrEqualToThreshold", 1),
        alarm("delayedAbove0", "ApproximateNumberOfMessagesDelayed", "GreaterThanThreshold", 0),
        alarm("inFlightAbove0", "ApproximateNumberOfMessagesNotVisible", "GreaterThanThreshold", 0),
        alarm("emptyAbove0", "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0, "empty-dlq"),
      ],
      sqs,
    );
    assert.deepEqual(
      states.map((s) => [s.alarm.name, s.state, s.value]),
      [
        ["visibleAbove0", "ALARM", 1],
        ["visibleAbove1", "OK", 1],
        ["visibleAtLeast1", "ALARM", 1],
        ["visibleBelow1", "OK", 1],
        ["visibleAtMost1", "ALARM", 1],
        ["delayedAbove0", "ALARM", 2],
        ["inFlightAbove0", "OK", 0],
        ["emptyAbove0", "OK", 0],
      ],
    );
    assert.equal(states[0].reason, "ApproximateNumberOfMessagesVisible 1 > 0");
  });

  it("leaves out alarms it cannot evaluate: other namespaces, other metrics, queues outside the environment", () => {
    const lambdaErrors = { ...alarm("errors", "Errors", "GreaterThanThreshold", 0), namespace: "AWS/Lambda", dimensions: { FunctionName: "f" } };
    const states = queueAlarmStates([lambdaErrors, alarm("age", "ApproximateAgeOfOldestMessage", "GreaterThanThreshold", 60), alarm("gone", "ApproximateNumberOfMessagesVisible", "GreaterThanThreshold", 0, "gone")], sqs);
    assert.deepEqual(states, []);
  });
});
