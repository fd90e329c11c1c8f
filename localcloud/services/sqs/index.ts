import { serviceModule } from "../../service-module";
import { sqsAuthErrors } from "./errors";
import { sqsPermissions } from "./permissions";
import { SqsService } from "./service";

/** SQS: the graph's queues, served at local queue URLs; what rules, subscriptions and destinations send lands in them. */
export const sqs = serviceModule<SqsService>({
  name: "sqs",
  icon: "☰",
  api: {
    protocol: "json",
    targetPrefixes: ["AmazonSQS"],
    serve: (service) => ({
      contentType: "application/x-amz-json-1.0",
      call: (action, input, ctx) => service.call(action, input, { principalId: ctx.principal, signal: ctx.signal, ...(ctx.traceHeader ? { traceHeader: ctx.traceHeader } : {}) }),
    }),
  },
  iam: { prefix: "sqs", permissions: sqsPermissions, deliveryAction: "sqs:SendMessage", errors: sqsAuthErrors },
  receives: (service) => (arn, payload, o) =>
    void service.send(arn, {
      body: payload,
      ...(o.traceId ? { traceHeader: o.traceId } : {}),
      ...(o.messageAttributes ? { messageAttributes: o.messageAttributes } : {}),
      ...(o.messageGroupId ? { messageGroupId: o.messageGroupId } : {}),
      senderId: o.principal,
    }),
  build: (cloud) => new SqsService(cloud.graph.queues, cloud.endpointUrl, cloud.clock, cloud.activity, cloud.faults),
  stop: (service) => service.close(),
});

/** A function's or a task's variables with every value that is a queue's URL in the graph made the local one. */
export function withLocalQueueUrls(service: SqsService, values: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, service.localUrlFor(v) ?? v]));
}
