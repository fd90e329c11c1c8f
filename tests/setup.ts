// Test-wide setup, loaded by mocha before any spec (see .mocharc.js).

// aws-local-stepfunctions 3.x needs Promise.withResolvers, which Node 20 lacks: the same polyfill the local cloud loads.
import "../ops/local/states/promise-with-resolvers";

// Root hooks for the one DynamoDB Local of a run (tests/helpers/dynamodb-local.ts). When a file of the run uses it, its
// JVM starts at once, in the background, so its start-up (a second or more) overlaps the tests before that file;
// a failure to start is reported by that file's own hook, which awaits the same start. It is stopped at the end.
const USES_DYNAMODB_LOCAL = /dynamodb-local|[\\/]ops[\\/]local[\\/]/;
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    const files = this.test?.parent?.suites.map((suite) => suite.file ?? "") ?? [];
    if (!files.some((file) => USES_DYNAMODB_LOCAL.test(file))) return;
    const { sharedDynamoDBLocal } = await import("./helpers/dynamodb-local");
    sharedDynamoDBLocal().catch(() => undefined);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(15_000);
    const { stopSharedDynamoDBLocal } = await import("./helpers/dynamodb-local");
    await stopSharedDynamoDBLocal();
  },
};
