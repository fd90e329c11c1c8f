import { AwsError } from "../../kernel/aws-error";
import { jsonAuthErrors } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { xray } from "../xray";
import { eventsPermissions } from "./permissions";
import { EventBridgeService, type EventEnvelope } from "./service";

/** EventBridge: the graph's buses and rules; PutEvents on the endpoint, and a bus target receives the event itself. */
export const events = serviceModule<EventBridgeService>({
  name: "events",
  icon: "⇢",
  api: { protocol: "json", targetPrefixes: ["AWSEvents"], serve: (service) => service },
  iam: { prefix: "events", permissions: eventsPermissions, deliveryAction: "events:PutEvents", errors: jsonAuthErrors() },
  receives: (service) => (arn, payload, o) => {
    // A bus target receives the event itself, put on the other bus.
    const event = JSON.parse(payload) as EventEnvelope;
    const result = service.put({ Source: event.source, DetailType: event["detail-type"], Detail: JSON.stringify(event.detail), Resources: event.resources, Time: event.time, EventBusName: arn }, o.traceId, o.source);
    if ("ErrorCode" in result) throw new AwsError(result.ErrorCode, result.ErrorMessage);
  },
  build: (cloud) => new EventBridgeService(cloud.graph.buses, cloud.graph.rules, cloud.graph.cloud, cloud.delivery, cloud.clock, cloud.activity, cloud.service(xray)),
  stop: (service) => service.stop(),
});
