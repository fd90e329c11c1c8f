import { serviceModule } from "../../service-module";
import { xray } from "../xray";
import { snsAuthErrors } from "./errors";
import { snsPermissions } from "./permissions";
import { SnsService } from "./service";

/** SNS: the graph's topics and subscriptions; Publish on the endpoint's query API, and topics as delivery targets. */
export const sns = serviceModule<SnsService>({
  name: "sns",
  icon: "✉",
  api: { protocol: "query", version: "2010-03-31", serve: (service) => service },
  iam: { prefix: "sns", permissions: snsPermissions, deliveryAction: "sns:Publish", errors: snsAuthErrors },
  receives: (service) => (arn, payload, o) => void service.publish(arn, { message: payload, ...(o.traceId ? { traceId: o.traceId } : {}), source: o.source }),
  build: (cloud) => new SnsService(cloud.graph.topics, cloud.graph.subscriptions, cloud.delivery, cloud.clock, cloud.activity, cloud.endpointUrl, cloud.service(xray)),
  stop: (service) => service.stop(),
});
