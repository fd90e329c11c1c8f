import { AwsError } from "../../kernel/aws-error";
import { querySignatureError } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { sqs } from "../sqs";
import { queueAlarmStates } from "./alarms";
import { CloudWatchApi } from "./api";
import { cloudwatchPermissions } from "./permissions";
import { CloudWatchService } from "./service";

/** CloudWatch: the graph's queue alarms, evaluated on the queues' metrics, each change of state reported; DescribeAlarms for operators. */
export const cloudwatch = serviceModule<CloudWatchService>({
  name: "cloudwatch",
  icon: "⚠",
  api: { protocol: "json", targetPrefixes: ["GraniteServiceVersion20100801"], serve: (service, cloud) => new CloudWatchApi(cloud.graph.alarms, () => service.alarms(), cloud.graph.cloud, new Date()) },
  // CloudWatch's JSON protocol is query-compatible: its errors carry the query codes (AccessDenied, 403).
  iam: {
    prefix: "cloudwatch",
    permissions: cloudwatchPermissions,
    errors: { accessDenied: (message) => new AwsError("AccessDenied", message, 403, "Sender", "AccessDenied"), badSignature: (failure) => querySignatureError(failure, true) },
  },
  build: (cloud) => {
    const queues = cloud.service(sqs);
    return new CloudWatchService(() => queueAlarmStates(cloud.graph.alarms, queues), cloud.activity);
  },
  start: (service) => service.watch(),
});
