import { OperationTable } from "./iam/operations";
import type { ServiceModule } from "./service-module";
import { apigateway } from "./services/apigateway";
import { cloudwatch } from "./services/cloudwatch";
import { dynamodb } from "./services/dynamodb";
import { ecs } from "./services/ecs";
import { events } from "./services/events";
import { lambda } from "./services/lambda";
import { pipes } from "./services/pipes";
import { ses } from "./services/ses";
import { sms } from "./services/sms";
import { sns } from "./services/sns";
import { sqs } from "./services/sqs";
import { states } from "./services/states";
import { xray } from "./services/xray";

/**
 * The services of the local cloud, one line each, in the order it builds and starts them (each may use those before
 * it) and the reverse of the order it stops them. A service is a folder `services/<service>/` whose `index.ts` says
 * what it serves, what it receives from other services, what IAM actions its operations are, and how it is built.
 */
export const SERVICES: readonly ServiceModule<unknown>[] = [
  xray,
  dynamodb,
  sqs,
  lambda,
  events,
  sns,
  states,
  ses,
  sms,
  pipes,
  ecs,
  apigateway,
  cloudwatch,
];

/** What IAM authorizes each endpoint operation as, and how each service refuses: from the services above. */
export const OPERATIONS = new OperationTable(SERVICES);

/** What records activity besides the services: IAM's denials, and the cloud itself (seeding, scenarios). */
const OTHER_ICONS: Readonly<Record<string, string>> = { iam: "⊘", local: "·" };

/** The mark of an activity record's service in the activity log. */
export function iconOf(service: string): string {
  return SERVICES.find((s) => s.name === service)?.icon ?? OTHER_ICONS[service] ?? "·";
}
