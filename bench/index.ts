// `npm run bench`: the project's speed and size goals, measured, never asserted in tests.
import { benchmarkHandlers, formatTable } from "./handlers";
import { benchmarkOfflinePreview, formatPreviewBenchmark } from "./offline-preview";

async function main(): Promise<void> {
  console.log("## Functions of dev: deployed archive size and cold-start init (the time to load the handler)\n");
  console.log(formatTable(await benchmarkHandlers()));
  console.log("\n## The main job: offline preview of dev\n");
  console.log(formatPreviewBenchmark(await benchmarkOfflinePreview("dev")));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
