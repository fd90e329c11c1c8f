import { jsonAuthErrors } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { CloudWatchLogsApi } from "./api";
import { logsPermissions } from "./permissions";
import { readLogGroups } from "./spec";

/**
 * CloudWatch Logs: the log groups the graph gives each function and the label worker, over the lines the local cloud
 * keeps of them (functions and tasks write to their output, as Lambda's runtime and the awslogs driver collect it);
 * an operator reads them through the API.
 */
export const logs = serviceModule<CloudWatchLogsApi>({
  name: "logs",
  icon: "≡",
  api: { protocol: "json", targetPrefixes: ["Logs_20140328"], serve: (service) => service },
  iam: { prefix: "logs", permissions: logsPermissions, errors: jsonAuthErrors() },
  build: (cloud) => new CloudWatchLogsApi(readLogGroups(cloud.graph), cloud.logs, cloud.graph.cloud, Date.now()),
});
