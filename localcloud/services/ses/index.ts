import { emailSendingFromGraph } from "./spec";
import { serviceModule } from "../../service-module";
import { sesAuthErrors } from "./errors";
import { sesPermissions } from "./permissions";
import { SesService } from "./service";

/** SES v2: SendEmail from the graph's identities and configuration sets; what it accepts lands in the outbox. */
export const ses = serviceModule<SesService>({
  name: "ses",
  icon: "@",
  api: { protocol: "rest", pathPrefix: "/v2/email/", serve: (service) => service },
  iam: { prefix: "ses", permissions: sesPermissions, errors: sesAuthErrors },
  build: (cloud) => {
    const email = emailSendingFromGraph(cloud.graph.resources.flatMap((r) => r.resources));
    return new SesService(email.identities, email.configurationSets, cloud.outbox, cloud.activity, cloud.graph.cloud.region, cloud.faults);
  },
});
