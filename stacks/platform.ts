import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DeadLetterQueue } from "../components/dead-letter-queue";
import { EventBus } from "../components/event-bus";
import { Topic } from "../components/topic";
import { platformContext } from "./context";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * The platform of an environment (stack `<env>`): the `orders` event bus every domain publishes to and subscribes on,
 * with its archive for replay; the alarm topic every alarm of the environment notifies (emailed when `alarmEmail` is
 * set); and the environment's settings, exported for the domain stacks. What the account holds once for all its
 * environments (API Gateway's CloudWatch role, X-Ray's resource policy for SNS) is the account's bootstrap stack's.
 */
export function platformStack(): Exports<"platform"> {
  const { id, settings } = platformContext();
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput().region;

  // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the alarm topic owns a customer key
  // whose policy admits CloudWatch alarms of this account. It is traced through the account's X-Ray resource policy
  // for SNS, which the account's bootstrap stack holds.
  const alarms = new Topic("alarms", { customerManagedKey: true, xrayResourcePolicy: reference(id.env, "bootstrap").snsTracingPolicyName });
  alarms.allowServicePublish("cloudwatch.amazonaws.com", pulumi.interpolate`arn:aws:cloudwatch:${region}:${identity.accountId}:alarm:*`);

  if (settings.alarmEmail) {
    subscribeEmail(settings.alarmEmail);
  }

  const bus = new EventBus("orders", { archiveRetentionDays: settings.archiveRetentionDays, alarmTopicArn: alarms.arn });

  return { busArn: bus.arn, busName: bus.busName, alarmTopicArn: alarms.arn, settings };

  // Email subscriptions are confirmed by the recipient; a message SNS cannot deliver goes to a DLQ, like every other.
  function subscribeEmail(address: string) {
    const dlq = new DeadLetterQueue("alarmEmailDlq", { alarmTopicArn: alarms.arn });
    dlq.addToResourcePolicy(
      pulumi.all([dlq.arn, alarms.arn]).apply(([queueArn, topicArn]) => ({
        Sid: "AllowAlarmTopicRedrive",
        Effect: "Allow" as const,
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
      })),
    );
    new aws.sns.TopicSubscription("alarmEmail", {
      topic: alarms.arn,
      protocol: "email",
      endpoint: address,
      redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: dlq.arn }),
    });
  }
}
