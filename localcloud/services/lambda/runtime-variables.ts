import type { FunctionSpec } from "./spec";

/**
 * A function's runtime environment: its own variables (queue URLs made local) and those Lambda sets for the Node.js
 * runtime (Lambda developer guide, "Defined runtime environment variables"), with the session of its role and the
 * local endpoint for every AWS SDK client (`AWS_ENDPOINT_URL`).
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
export function lambdaVariables(spec: FunctionSpec, variables: Record<string, string>, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }, region: string, endpointUrl: string, xrayPort: number): Record<string, string> {
  return {
    ...variables,
    PATH: "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: spec.codeDir,
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${spec.runtime}`,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_SESSION_TOKEN: credentials.sessionToken,
    AWS_XRAY_CONTEXT_MISSING: "LOG_ERROR",
    // Lambda's daemon listens on 2000 in the sandbox; the local one on a free port, so clouds can run side by side.
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${xrayPort}`,
    _AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1",
    _AWS_XRAY_DAEMON_PORT: String(xrayPort),
    // With the JSON log format Lambda sets the log level variables (INFO unless the function says otherwise), and
    // Powertools' logger reads AWS_LAMBDA_LOG_LEVEL before POWERTOOLS_LOG_LEVEL.
    ...(spec.logFormat === "JSON" ? { AWS_LAMBDA_LOG_FORMAT: "JSON", AWS_LAMBDA_LOG_LEVEL: spec.applicationLogLevel ?? "INFO" } : {}),
    AWS_ENDPOINT_URL: endpointUrl,
  };
}
