// Test-wide setup, loaded by mocha before any spec (see .mocharc.js).

// Root hooks for the one DynamoDB Local of a mocha process (tests/helpers/dynamodb-local.ts). When a file that uses it
// starts, its JVM starts at once, in the background, so its start-up (a second or more) overlaps the tests before that
// file's own hook awaits it; a failure to start is reported by that hook. In parallel mode (.mocharc.js) each worker
// process has its own, so files running at the same time never share tables, and these hooks run once per file: the
// JVM then outlives the file and is killed when the worker exits (dynamodb-local.ts's exit hook). A serial run (one
// process, `--no-config`) stops it after its last file.
const USES_DYNAMODB_LOCAL = /dynamodb-local|[\\/]localcloud[\\/]/;
const IN_PARALLEL_WORKER = process.env.MOCHA_WORKER_ID !== undefined;
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    const files = this.test?.parent?.suites.map((suite) => suite.file ?? "") ?? [];
    if (!files.some((file) => USES_DYNAMODB_LOCAL.test(file))) return;
    const { sharedDynamoDBLocal } = await import("./helpers/dynamodb-local");
    sharedDynamoDBLocal().catch(() => undefined);
  },
  async afterAll(this: Mocha.Context) {
    if (IN_PARALLEL_WORKER) return;
    this.timeout(15_000);
    const { stopSharedDynamoDBLocal } = await import("./helpers/dynamodb-local");
    await stopSharedDynamoDBLocal();
  },
};
