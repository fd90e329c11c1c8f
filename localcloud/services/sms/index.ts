import { originationIdentitiesFromGraph } from "./spec";
import { jsonAuthErrors } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { smsPermissions } from "./permissions";
import { SmsService } from "./service";

/** End User Messaging SMS: SendTextMessage from the graph's origination identities, opt-out lists; texts land in the outbox. */
export const sms = serviceModule<SmsService>({
  name: "sms",
  icon: "☏",
  api: { protocol: "json", targetPrefixes: ["PinpointSMSVoiceV2"], serve: (service) => service },
  iam: { prefix: "sms-voice", permissions: smsPermissions, errors: jsonAuthErrors() },
  build: (cloud) => new SmsService(originationIdentitiesFromGraph(cloud.graph.resources.flatMap((r) => r.resources)), cloud.outbox, cloud.activity, cloud.graph.cloud, cloud.faults),
});
