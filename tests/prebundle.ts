// Mocha's global setup for the whole suite (.mocharc.js requires it; a single file run with `--no-config` does not):
// runs once, in mocha's main process, before any worker starts, and bundles every Lambda handler into the checkout's
// bundle cache (components/bundle.ts), which the files that synthesize an environment then read. Without it, in a
// fresh clone, the two workers' first syntheses (the preview's, the local cloud's) each built the same twelve bundles
// at the same time. Meanwhile the type-check and the lint use the cores.
export async function mochaGlobalSetup(): Promise<void> {
  const { bundleHandler } = await import("../components/bundle");
  const { handlerFiles } = await import("../bench/handlers");
  for (const handler of handlerFiles()) bundleHandler({ handler });
}
