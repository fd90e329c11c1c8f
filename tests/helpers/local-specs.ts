import type { FunctionSpec } from "../../localcloud/services/lambda/spec";
import type { QueueSpec } from "../../localcloud/services/sqs/spec";

const ACCOUNT = "123456789012";

/**
 * A queue of the local graph as the graph builder makes one (SQS's defaults), for tests that need a queue without
 * synthesizing a stack. Test files import helpers, never each other: in mocha's parallel mode a spec file another file
 * already loaded in the same worker is cached and would register none of its tests.
 */
export function queueSpec(name: string, extra: Partial<QueueSpec> = {}): QueueSpec {
  return {
    stack: "dev.test",
    component: name,
    urn: `urn:${name}`,
    name,
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
    url: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${name}`,
    fifo: name.endsWith(".fifo"),
    contentBasedDeduplication: false,
    visibilityTimeoutSeconds: 30,
    messageRetentionSeconds: 345600,
    delaySeconds: 0,
    receiveWaitTimeSeconds: 0,
    maximumMessageSize: 1_048_576,
    ...extra,
  };
}

/**
 * A function of the local graph, deployed from `codeDir` with `handler` (`index.echo`), for tests that run functions
 * without synthesizing a stack: Lambda's defaults (3 s timeout, 128 MB), active tracing, JSON logs in the component's
 * group. Its function name is the component's unless `extra` names it; its ARN follows the name.
 */
export function functionSpec(component: string, codeDir: string, handler: string, extra: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = extra.name ?? component;
  return {
    stack: "dev.test",
    component,
    urn: `urn:${component}`,
    name,
    arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`,
    handler,
    codeDir,
    runtime: "nodejs22.x",
    environment: {},
    timeoutSeconds: 3,
    memoryMb: 128,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/test`,
    tracing: "Active",
    logFormat: "JSON",
    logGroup: `/aws/lambda/${component}`,
    asyncInvoke: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 },
    ...extra,
  };
}
