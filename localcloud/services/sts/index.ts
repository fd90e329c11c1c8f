import { AwsError } from "../../kernel/aws-error";
import { querySignatureError } from "../../iam/service-iam";
import { serviceModule } from "../../service-module";
import { operatorRoleArn } from "../../operator/access";
import { StsApi } from "./api";

/**
 * STS: GetCallerIdentity for any session the local cloud issued (a function's, a task's, the operator's). It needs no
 * permission, as AWS documents; IAM still verifies the signature.
 */
export const sts = serviceModule<StsApi>({
  name: "sts",
  icon: "☺",
  api: { protocol: "query", version: "2011-06-15", serve: (service) => service },
  iam: {
    prefix: "sts",
    permissions: (operation) => (operation.protocol === "query" && operation.params.Action === "GetCallerIdentity" ? [] : undefined),
    errors: { accessDenied: (message) => new AwsError("AccessDenied", message, 403), badSignature: (failure) => querySignatureError(failure, false) },
  },
  build: (cloud) => {
    // Lambda names a function's session after the function, ECS a task's after its task; the operator's is `operator`.
    const sessions = new Map<string, string>([
      ...cloud.graph.functions.map((f) => [f.roleArn, f.name] as const),
      ...cloud.graph.containerServices.map((s) => [s.taskRoleArn, s.name] as const),
      [operatorRoleArn(cloud.graph.cloud), "operator"],
    ]);
    return new StsApi((roleArn) => (sessions.has(roleArn) ? { sessionName: sessions.get(roleArn)! } : undefined));
  },
});
