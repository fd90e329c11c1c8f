import type * as pulumi from "@pulumi/pulumi";
import { EmailSender } from "../components/email-sender";
import { Function } from "../components/function";
import { Queue } from "../components/queue";
import { SmsSender } from "../components/sms-sender";
import { Table } from "../components/table";
import { Topic } from "../components/topic";
import { EVENTS } from "../handlers/shared/events";
import { domainContext } from "./context";
import { functionDefaults, platformBus, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";
import type { NotificationSettings } from "./settings";

/**
 * Notifications, the talk's fan-out: one rule sends OrderConfirmed, OrderCancelled and OrderShipped to the
 * notifications topic, which fans out to an email queue (every event) and an SMS queue (OrderShipped only, by a filter
 * policy on the message body), each consumed by its own function: send-email mails the customer through SES from the
 * sender identity this stack manages, send-sms texts them through AWS End User Messaging SMS from the origination
 * identity of the settings (`orderflow:email` and `orderflow:sms` in `Pulumi.<env>.notifications.yaml`).
 */
export async function notificationsStack(): Promise<Exports<"notifications">> {
  const context = await domainContext();
  const { id } = context;
  const settings = context.settings as typeof context.settings & NotificationSettings;
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);
  const bus = platformBus(platform);

  // EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key: the topic owns a customer key.
  // Traced through the account's X-Ray resource policy for SNS (the account's bootstrap stack holds it).
  const topic = new Topic("notifications", {
    customerManagedKey: true,
    alarmTopicArn: platform.alarmTopicArn,
    xrayResourcePolicy: reference(id.env, "bootstrap").snsTracingPolicyName,
  });
  const notified = ["OrderConfirmed", "OrderCancelled", "OrderShipped"] as const;
  const rule = bus.subscribeTopic(
    "orderEventsToNotifications",
    { $or: notified.map((e) => ({ source: [EVENTS[e].source], "detail-type": [EVENTS[e].detailType] })) },
    topic,
    { description: "Customers hear of every order outcome and every shipment." },
  );

  const emailSender = new EmailSender("customerEmail", {
    identity: settings.email.identity,
    fromAddress: settings.email.from,
    fromName: settings.email.fromName,
  });
  const smsSender = new SmsSender(
    "customerSms",
    settings.sms.originationIdentity === "simulator" ? { simulator: true } : { originationIdentityArn: settings.sms.originationIdentity },
  );

  // Each event notifies each customer once: the functions remember what they sent (or AWS refused) here.
  const idempotency = new Table("notificationsIdempotency", { partitionKey: { name: "id", type: "S" }, timeToLiveAttribute: "expiration", ...tableDefaults(settings) });

  const channel = (
    name: "email" | "sms",
    sending: { environment: Record<string, pulumi.Input<string>>; grant: (fn: Function) => unknown },
    filterPolicy?: Record<string, string[]>,
  ) => {
    const fn = new Function(`send${name === "email" ? "Email" : "Sms"}`, {
      handler: `notifications/send-${name}.ts`,
      environment: { IDEMPOTENCY_TABLE_NAME: idempotency.tableName, ...sending.environment },
      ...defaults,
    });
    idempotency.grantIdempotencyStore(fn);
    sending.grant(fn);
    const queue = new Queue(name, { alarmTopicArn: platform.alarmTopicArn });
    // Raw delivery: the queue's messages are the EventBridge events themselves, which the handlers parse.
    topic.subscribeQueue(queue, { rawMessageDelivery: true, ...(filterPolicy ? { filterPolicy, filterPolicyScope: "MessageBody" } : {}) });
    queue.subscribe(fn, { batchSize: 10 });
    return queue;
  };
  // The only access the senders give: ses:SendEmail on the identity and configuration set, sms-voice:SendTextMessage
  // on the origination identity.
  const email = channel("email", {
    environment: { EMAIL_FROM: emailSender.from, EMAIL_CONFIGURATION_SET: emailSender.configurationSetName, EMAIL_RECIPIENTS: settings.email.recipients },
    grant: (fn) => emailSender.grantSendEmail(fn),
  });
  const sms = channel(
    "sms",
    {
      environment: { SMS_ORIGINATION_IDENTITY: smsSender.originationIdentityArn, SMS_RECIPIENTS: settings.sms.recipients },
      grant: (fn) => smsSender.grantSendText(fn),
    },
    { "detail-type": [EVENTS.OrderShipped.detailType] },
  );

  return {
    notificationsTopicArn: topic.arn,
    notificationsRuleArn: rule.arn,
    emailQueueUrl: email.url,
    smsQueueUrl: sms.url,
    emailDkimRecords: emailSender.dkimRecords,
  };
}
