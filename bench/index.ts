// `npm run bench`: the project's speed and size goals, measured, never asserted in tests.
import { benchmarkDynamoDBLocal, formatDynamoDBLocalBenchmark } from "./dynamodb-local";
import { benchmarkHandlers, formatTable } from "./handlers";
import { benchmarkLocalCloud, formatLocalCloudBenchmark } from "./local-cloud";
import { benchmarkLocalLoad, formatLoadBenchmark } from "./local-load";
import { benchmarkOfflinePreview, formatPreviewBenchmark } from "./offline-preview";

async function main(): Promise<void> {
  console.log("## Functions of dev: deployed archive size and cold-start init (the time to load the handler)\n");
  console.log(formatTable(await benchmarkHandlers()));
  console.log("\n## The main job: offline preview of dev\n");
  console.log(formatPreviewBenchmark(await benchmarkOfflinePreview("dev")));
  console.log("\n## DynamoDB Local (the local cloud's and the tests' DynamoDB): JVM start and stop\n");
  console.log(formatDynamoDBLocalBenchmark(await benchmarkDynamoDBLocal()));
  console.log("\n## The local cloud: start-up, and one order through dev at the configured waits\n");
  console.log(formatLocalCloudBenchmark(await benchmarkLocalCloud()));
  console.log("\n## The local cloud under load: orders placed at once on dev, every effect counted\n");
  console.log(formatLoadBenchmark(await benchmarkLocalLoad()));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
