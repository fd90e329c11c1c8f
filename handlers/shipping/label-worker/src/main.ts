import { Logger } from "@aws-lambda-powertools/logger";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { nonEmpty, readEnvironment } from "../../../shared/environment";
import { noTracing, xrayTracing } from "./tracing";
import { createLabelWorker, type LabelWorker } from "./worker";

// The container's entry point. Environment (set by the ContainerWorker component): QUEUE_URL, TABLE_NAME,
// AWS_XRAY_DAEMON_ADDRESS (optional: without it nothing is traced), POWERTOOLS_SERVICE_NAME, and the region ECS sets.

/** What the process needs from its host: its signals and its exit, so tests can stand in for both. */
export interface ProcessLike {
  once(signal: "SIGTERM" | "SIGINT", listener: () => void): unknown;
  exit(code: number): void;
}

/** Builds the worker from the environment, starts it, and drains then exits on SIGTERM (ECS stopping the task) or SIGINT. */
export function main(env: NodeJS.ProcessEnv = process.env, host: ProcessLike = process): LabelWorker {
  const config = readEnvironment({ QUEUE_URL: nonEmpty, TABLE_NAME: nonEmpty }, env);
  const logger = new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? "label-worker" });
  const tracing = env.AWS_XRAY_DAEMON_ADDRESS ? xrayTracing(env.AWS_XRAY_DAEMON_ADDRESS) : noTracing;
  // The poller's client is not captured: its receives and deletes run between jobs, outside any segment, where a
  // captured client only logs "Failed to get the current sub/segment" on every poll. Each job's own calls (DynamoDB)
  // are traced, inside the job's segment.
  const sqs = new SQSClient({});
  const db = DynamoDBDocumentClient.from(tracing.capture(new DynamoDBClient({})), { marshallOptions: { removeUndefinedValues: true } });
  const worker = createLabelWorker({ queueUrl: config.QUEUE_URL, tableName: config.TABLE_NAME, sqs, db, logger, tracing });

  const shutDown = (signal: string) => {
    logger.info("signal received", { signal });
    worker.stop().then(
      () => host.exit(0),
      (error: unknown) => {
        logger.error("label worker failed to stop cleanly", { error });
        host.exit(1);
      },
    );
  };
  host.once("SIGTERM", () => shutDown("SIGTERM"));
  host.once("SIGINT", () => shutDown("SIGINT"));
  worker.start();
  return worker;
}

if (require.main === module) main();
