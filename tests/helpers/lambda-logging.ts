import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The variables Lambda's advanced logging controls add to a function's environment, from its `loggingConfig` as the
 * program declared it: AWS_LAMBDA_LOG_FORMAT always, and with the JSON format AWS_LAMBDA_LOG_LEVEL, the application
 * log level, INFO when none is set (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html).
 */
export function advancedLoggingEnvironment(loggingConfig: unknown): Record<string, string> {
  const config = (loggingConfig ?? {}) as { logFormat?: string; applicationLogLevel?: string };
  const format = config.logFormat ?? "Text";
  if (format !== "JSON") return { AWS_LAMBDA_LOG_FORMAT: format };
  return { AWS_LAMBDA_LOG_FORMAT: format, AWS_LAMBDA_LOG_LEVEL: config.applicationLogLevel ?? "INFO" };
}

/**
 * The level a Powertools logger built at cold start logs at, in a function with these variables (the function's own
 * plus what Lambda adds), the way the handlers build theirs (`new Logger()`, handlers/shared/powertools.ts).
 */
export function powertoolsLevelIn(variables: Record<string, string>): string {
  const keys = ["AWS_LAMBDA_LOG_LEVEL", "AWS_LAMBDA_LOG_FORMAT", "POWERTOOLS_LOG_LEVEL", "LOG_LEVEL"];
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  try {
    for (const k of keys) delete process.env[k];
    for (const [k, v] of Object.entries(variables)) if (keys.includes(k)) process.env[k] = v;
    return new Logger().getLevelName();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
